// Two storage accounts, both without shared keys (Entra ID only), TLS 1.2 and no public blobs:
// - the host account: the Functions host's own state (AzureWebJobsStorage: keys, timers, locks,
//   the blob trigger's dispatch queue) and the Flex Consumption deployment container;
// - the data account: Watcher's storage contract, the only account the Event Grid system topic
//   watches, so host chatter never reaches the subscription.

@description('Name of the host storage account.')
param hostAccountName string

@description('Name of the data storage account.')
param dataAccountName string

@description('Blob container the Flex Consumption plan deploys the app package to.')
param deploymentContainerName string

@description('Name of the Event Grid system topic on the data account.')
param systemTopicName string

@description('Container on the host account where Event Grid leaves events it could not deliver.')
param deadLetterContainerName string

@description('Azure region.')
param location string

@description('Days an article and its verdict are kept after they were written: at least a week, past the two days in which a crashed store is finished (Watcher.Articles.ArticleStore.FinishWindow).')
@minValue(7)
param articleRetentionDays int = 90

@description('Days the dedup index and the delivered markers are kept: longer than any feed keeps listing an item, so an old item re-listed is never stored or mailed again.')
@minValue(1)
param indexRetentionDays int = 400

@description('Days a sent-digest marker, a same-story log and a local blob receipt are kept: past the longest schedule (a week) and the same-story window (Watcher:Fetch:SimilarStoryWindow, 14 days).')
@minValue(15)
param markerRetentionDays int = 35

@description('Tags for every resource.')
param tags object

@description('Name of the app\'s user-assigned identity.')
param appIdentityName string

@description('Refuse traffic from public networks (vnetEnabled: the app comes in through private endpoints). Trusted Azure services still pass, which Event Grid needs to dead-letter into the host account.')
param denyPublicNetwork bool = false

// The storage contract (Watcher.Storage.StorageNames); the infra test checks both lists.
var dataContainers = [
  'articles'
  'classified'
  'digests'
  'state'
]
var dataQueues = [
  'summaries'
  'summaries-poison'
]

var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
}

// Host account: Blob Data Owner is what the Functions host needs on AzureWebJobsStorage
// (host keys, timer schedule status, singleton leases, the deployment package); Queue Data
// Contributor because the blob trigger, Event Grid source included, hands every blob to the
// function through the host queue azure-webjobs-blobtrigger-<hostId>. No table role: no
// Durable Functions. No Storage Account Contributor: that is only for the polling blob trigger.
var hostRoles = [
  roles.blobDataOwner
  roles.queueDataContributor
]

// Data account: read/write blobs (trigger input, core writes) and queues (queue trigger,
// enqueue, poison queues). Blob Data Owner would only add POSIX ACL and ownership changes,
// which Watcher never makes.
var dataRoles = [
  roles.blobDataContributor
  roles.queueDataContributor
]

var secureAccountProperties = {
  allowSharedKeyAccess: false
  allowBlobPublicAccess: false
  minimumTlsVersion: 'TLS1_2'
  supportsHttpsTrafficOnly: true
  defaultToOAuthAuthentication: true
  publicNetworkAccess: 'Enabled'
  allowCrossTenantReplication: false
  networkAcls: {
    defaultAction: denyPublicNetwork ? 'Deny' : 'Allow'
    bypass: 'AzureServices'
  }
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource hostAccount 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: hostAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: secureAccountProperties
}

resource hostBlobs 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: hostAccount
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: hostBlobs
  name: deploymentContainerName
}

// On the host account, not the data account: the data account holds exactly the storage
// contract, and its events go to the topic.
resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: hostBlobs
  name: deadLetterContainerName
}

resource dataAccount 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: dataAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: secureAccountProperties
}

resource dataBlobs 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: dataAccount
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for container in dataContainers: {
    parent: dataBlobs
    name: container
  }
]

// Watcher.Storage.Retention.Rules holds the same rules for the local host (the template test compares them).
var retentionRules = [
  { name: 'articles', prefixes: ['articles/', 'classified/'], days: articleRetentionDays }
  { name: 'dedup-index', prefixes: ['state/articles/', 'digests/delivered/'], days: indexRetentionDays }
  { name: 'markers', prefixes: ['digests/sent/', 'state/similar/', 'state/receipts/'], days: markerRetentionDays }
]

// Retention without a function walking the store: the service deletes by name prefix and age.
// Pending digest entries, subscriber preferences and feed state have no rule: they are removed by
// delivery, or kept for as long as the subscriber or feed exists. An article deleted while a story
// is still pending does not matter: a pending entry carries everything its mail shows.
resource retention 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: dataAccount
  name: 'default'
  properties: {
    policy: {
      rules: [
        for rule in retentionRules: {
          enabled: true
          name: rule.name
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob', 'appendBlob']
              prefixMatch: rule.prefixes
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: rule.days
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource dataQueueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: dataAccount
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queue in dataQueues: {
    parent: dataQueueService
    name: queue
  }
]

resource hostRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in hostRoles: {
    name: guid(hostAccount.id, appIdentity.id, role)
    scope: hostAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource dataRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in dataRoles: {
    name: guid(dataAccount.id, appIdentity.id, role)
    scope: dataAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// The topic only; its subscription needs the app's blobs_extension key, which exists once the
// code is deployed (infra/articles-subscription.bicep, run by the postdeploy hook).
resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: dataAccount.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The topic's identity writes dead-lettered events, to that one container only.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterContainer.id, systemTopic.id, roles.blobDataContributor)
  scope: deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output hostAccountName string = hostAccount.name
output deploymentContainerUrl string = '${hostAccount.properties.primaryEndpoints.blob}${deploymentContainer.name}'
output dataAccountName string = dataAccount.name
output dataBlobEndpoint string = dataAccount.properties.primaryEndpoints.blob
output dataQueueEndpoint string = dataAccount.properties.primaryEndpoints.queue
output systemTopicName string = systemTopic.name
output deadLetterContainerName string = deadLetterContainer.name
