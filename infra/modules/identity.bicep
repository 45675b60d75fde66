// The app's user-assigned identity. User-assigned rather than system-assigned because its role
// assignments (deployment container, Key Vault, data storage) must exist before the Function App
// first starts: with a system identity the app would start, fail to resolve its Key Vault
// references and its deployment package, and cache those failures until a restart.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
