// The Function App on the Flex Consumption plan (FC1, Linux, .NET isolated), with the app
// settings app-settings.bicep builds.

import { appSettings } from 'app-settings.bicep'

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

@description('Subnet the app is integrated into (vnetEnabled); empty for none.')
param subnetId string = ''

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
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
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

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings({
    hostStorageAccountName: hostStorageAccountName
    identityClientId: identityClientId
    dataStorageAccountName: dataStorageAccountName
    dataBlobEndpoint: dataBlobEndpoint
    dataQueueEndpoint: dataQueueEndpoint
    applicationInsightsConnectionString: applicationInsightsConnectionString
    fetchFeedsSchedule: fetchFeedsSchedule
    sendDigestsSchedule: sendDigestsSchedule
    smtp: smtp
    smtpPasswordSecretUri: smtpPasswordSecretUri
    tokenSecretUri: tokenSecretUri
    languageEndpoint: languageEndpoint
    feeds: feeds
    subscribers: subscribers
    siteHostName: site.properties.defaultHostName
  })
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
