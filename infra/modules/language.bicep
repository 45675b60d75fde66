// Optional Azure AI Language resource for the azure-language classifier backend. Keys are
// disabled: the app calls it with its managed identity, so there is no key to store or rotate.

@description('Name of the Language resource; also its custom subdomain (required for Entra ID auth).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Pricing tier: F0 (free, 5,000 text records a month, one per subscription) or S.')
@allowed([
  'F0'
  'S'
])
param sku string

@description('Name of the app\'s user-assigned identity.')
param appIdentityName string

// Cognitive Services User: call the data plane, no management rights.
var cognitiveServicesUser = 'a97b65f3-24c7-4388-baec-2e87135dc908'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource language 'Microsoft.CognitiveServices/accounts@2025-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'TextAnalytics'
  sku: {
    name: sku
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource user 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(language.id, appIdentity.id, cognitiveServicesUser)
  scope: language
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesUser)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = language.properties.endpoint
output name string = language.name
