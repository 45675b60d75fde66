// Optional Azure Communication Services Email: an Email service with an Azure-managed domain,
// linked to a Communication service whose SMTP relay (smtp.azurecomm.net:587, STARTTLS) Watcher
// sends through. SMTP authentication is an Entra application with a client secret; creating an
// application and its secret is outside what a resource-group deployment can do (docs/DEPLOY.md
// lists the steps). When its ids are given, this module links it with an SMTP username and the
// role the relay checks.

@description('Name of the Email Communication service.')
param emailServiceName string

@description('Name of the Communication service.')
param communicationServiceName string

@description('Where the Communication services store data at rest.')
param dataLocation string

@description('Tags for every resource.')
param tags object

@description('Application (client) id of the Entra application used for SMTP authentication; empty to link it later.')
param smtpEntraApplicationId string

@description('Object id of that application\'s service principal; empty to assign its role by hand.')
param smtpServicePrincipalId string

@description('SMTP username to create for that application.')
param smtpUsername string

// Communication and Email Service Owner: the built-in role the SMTP relay accepts for an Entra
// application (it holds CommunicationServices Read/Write and EmailServices Write).
var communicationAndEmailServiceOwner = '09976791-48a7-449e-bb21-39d1a415f350'

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2025-09-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      managedDomain.id
    ]
  }
}

resource smtpUser 'Microsoft.Communication/communicationServices/smtpUsernames@2025-09-01' = if (!empty(smtpEntraApplicationId)) {
  parent: communicationService
  name: smtpUsername
  properties: {
    entraApplicationId: smtpEntraApplicationId
    tenantId: tenant().tenantId
    username: smtpUsername
  }
}

resource relayRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(smtpServicePrincipalId)) {
  name: guid(communicationService.id, smtpServicePrincipalId, communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', communicationAndEmailServiceOwner)
    principalId: smtpServicePrincipalId
    principalType: 'ServicePrincipal'
  }
}

output communicationServiceName string = communicationService.name
output senderAddress string = 'DoNotReply@${managedDomain.properties.fromSenderDomain}'
