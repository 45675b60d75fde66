// The Function App on the Flex Consumption plan (FC1, Linux, .NET isolated) and every app setting
// it reads. The app-setting names are a contract with the code: the infra test checks each
// Watcher__* name against Watcher.Configuration.WatcherOptions and every other one against an
// allow-list of host-level settings.

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for every resource; the app also gets azd-service-name.')
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('.NET version of the dotnet-isolated worker.')
param dotnetVersion string

@description('Upper bound on instances the plan scales out to.')
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Blob container URL the plan deploys the app package from.')
param deploymentContainerUrl string

@description('Name of the host storage account (AzureWebJobsStorage).')
param hostStorageAccountName string

@description('Name of the data storage account.')
param dataStorageAccountName string

@description('Blob endpoint of the data storage account.')
param dataBlobEndpoint string

@description('Queue endpoint of the data storage account.')
param dataQueueEndpoint string

@description('Application Insights connection string (holds no secret: local auth is off).')
param applicationInsightsConnectionString string

@description('NCRONTAB schedule (UTC) of FetchFeeds.')
param fetchFeedsSchedule string

@description('NCRONTAB schedule (UTC) of SendDigests.')
param sendDigestsSchedule string

@description('SMTP settings: host, port, security, from, userName.')
param smtp object

@description('Key Vault secret URI of the SMTP password; empty when the relay needs none.')
param smtpPasswordSecretUri string

@description('Key Vault secret URI of the unsubscribe-token secret.')
param tokenSecretUri string

@description('Azure AI Language endpoint; empty to use the embedded local classifier.')
param languageEndpoint string

@description('Feeds to watch: objects with name, url and optionally language.')
param feeds array

@description('Subscribers: objects with email, topics and optionally name, schedule, timeZone.')
param subscribers array

var keyVaultReference = 'Microsoft.KeyVault(SecretUri={0})'

var hostSettings = {
  // Host storage through the app identity; __accountName derives blob, queue and table URIs.
  AzureWebJobsStorage__accountName: hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  // The blob trigger (Event Grid source) and queue trigger connection, StorageNames.TriggerConnection.
  WatcherStorage__blobServiceUri: dataBlobEndpoint
  WatcherStorage__queueServiceUri: dataQueueEndpoint
  WatcherStorage__credential: 'managedidentity'
  WatcherStorage__clientId: identityClientId

  // DefaultAzureCredential in the core picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId

  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var watcherSettings = {
  // The core reaches its data with DefaultAzureCredential when no connection string is set;
  // the empty string overrides the Azurite default.
  Watcher__Storage__AccountName: dataStorageAccountName
  Watcher__Storage__ConnectionString: ''

  Watcher__Schedules__FetchFeeds: fetchFeedsSchedule
  Watcher__Schedules__SendDigests: sendDigestsSchedule

  Watcher__Smtp__Transport: 'smtp'
  Watcher__Smtp__Host: smtp.host
  Watcher__Smtp__Port: string(smtp.port)
  Watcher__Smtp__Security: smtp.security
  Watcher__Smtp__From: smtp.from
  Watcher__Smtp__UserName: smtp.userName
  Watcher__Smtp__Password: empty(smtpPasswordSecretUri) ? '' : '@${format(keyVaultReference, smtpPasswordSecretUri)}'

  // The code appends the preferences path (/api/preferences) itself.
  Watcher__Delivery__PublicBaseUrl: 'https://${site.properties.defaultHostName}'
  Watcher__Delivery__TokenSecret: '@${format(keyVaultReference, tokenSecretUri)}'

  Watcher__Classifier__Backend: empty(languageEndpoint) ? 'local' : 'azure-language'
}

var languageSettings = empty(languageEndpoint)
  ? {}
  : {
      Watcher__Classifier__Endpoint: languageEndpoint
    }

// Configuration binds lists by index: Watcher__Feeds__0__Url, Watcher__Subscribers__0__Topics__1.
var feedSettings = reduce(
  range(0, length(feeds)),
  {},
  (settings, i) =>
    union(
      settings,
      {
        'Watcher__Feeds__${i}__Name': feeds[i].name
        'Watcher__Feeds__${i}__Url': feeds[i].url
      },
      empty(feeds[i].?language ?? '') ? {} : { 'Watcher__Feeds__${i}__Language': feeds[i].language }
    )
)

var subscriberSettings = reduce(
  range(0, length(subscribers)),
  {},
  (settings, i) =>
    union(
      settings,
      {
        'Watcher__Subscribers__${i}__Email': subscribers[i].email
        'Watcher__Subscribers__${i}__Name': subscribers[i].?name ?? ''
        'Watcher__Subscribers__${i}__Schedule': subscribers[i].?schedule ?? 'Daily'
        'Watcher__Subscribers__${i}__TimeZone': subscribers[i].?timeZone ?? 'UTC'
      },
      reduce(
        range(0, length(subscribers[i].topics)),
        {},
        (topics, t) => union(topics, { 'Watcher__Subscribers__${i}__Topics__${t}': subscribers[i].topics[t] })
      )
    )
)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// No FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION: Flex Consumption takes the runtime
// from functionAppConfig and rejects those settings.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, watcherSettings, languageSettings, feedSettings, subscriberSettings)
}

// azd deploys with an Entra token (OneDeploy); publishing with basic credentials stays off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
