// Key Vault in RBAC mode with the app's secrets. The app reads them through Key Vault
// references in its app settings, resolved with its user-assigned identity.

@description('Name of the Key Vault.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the app\'s user-assigned identity.')
param appIdentityName string

@description('Object id of whoever runs azd; empty for none. It may read the secrets so that azd reuses the token secret instead of generating a new one on every provision.')
param deployerPrincipalId string

@description('SMTP password; no secret is stored when empty.')
@secure()
param smtpPassword string

@description('HMAC secret that signs unsubscribe and preferences links.')
@secure()
param tokenSecret string

// Key Vault Secrets User: read secret values, nothing else.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// azd's secretOrRandomPassword (infra/main.parameters.json) reads the token secret back on every
// provision; without this role it could not, and would silently rotate the secret, breaking the
// unsubscribe links in every mail already sent.
resource deployerSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: deployerPrincipalId
  }
}

resource tokenSecretValue 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'unsubscribe-token-secret'
  properties: {
    value: tokenSecret
  }
}

resource smtpPasswordValue 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: 'smtp-password'
  properties: {
    value: smtpPassword
  }
}

output name string = vault.name

// Versionless URIs, so a rotated secret is picked up without redeploying.
output tokenSecretUri string = tokenSecretValue.properties.secretUri
output smtpSecretUri string = smtpPasswordValue.?properties.secretUri ?? ''
