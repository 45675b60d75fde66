// Watcher on Azure: `azd up` provisions this template, deploys src/Watcher.Functions, then the
// postdeploy hook (infra/hooks) deploys articles-subscription.bicep, the Event Grid subscription
// that feeds ClassifyArticle. docs/DEPLOY.md explains the parameters and what they cost.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or service principal running azd (azd sets AZURE_PRINCIPAL_ID); gets read access to the Key Vault secrets only.')
param deployerPrincipalId string = ''

@description('Name of the resource group; rg-<environmentName> when empty.')
param resourceGroupName string = ''

@description('.NET version of the dotnet-isolated worker; Watcher targets net10.0.')
param dotnetVersion string = '10.0'

@description('Upper bound on Flex Consumption instances; also caps the bill under a feed storm.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance in MB; 2048 is the Flex Consumption default.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Put both storage accounts behind private endpoints in a new virtual network and integrate the app into it; public traffic to storage is then refused (see docs/DEPLOY.md).')
param vnetEnabled bool = false

@description('Who gets alert mails (poison messages, Event Grid dead-letters, mail failures, failed invocations); empty for alerts in the portal only.')
param alertEmail string = ''

@description('E-mail address of the first subscriber; empty to add subscribers later in app settings.')
param subscriberEmail string = ''

@description('Topics the first subscriber follows.')
param subscriberTopics array = [
  '5g-ban'
  'blacklist'
  'divestment'
]

@description('How the first subscriber gets mail: Instant, Daily or Weekly.')
@allowed([
  'Instant'
  'Daily'
  'Weekly'
])
param subscriberSchedule string = 'Daily'

@description('IANA time zone of the first subscriber\'s send time.')
param subscriberTimeZone string = 'UTC'

@description('Feeds to watch: [{ "name": "...", "url": "https://...", "language": "nl" }]. Empty to use the feeds shipped with the app.')
param feeds array = []

@description('NCRONTAB schedule (six fields, UTC) of FetchFeeds.')
param fetchFeedsSchedule string = '0 */15 * * * *'

@description('NCRONTAB schedule (six fields, UTC) of SendDigests; hourly, since each subscriber\'s local send time is computed in code.')
param sendDigestsSchedule string = '0 0 * * * *'

@description('Create Azure Communication Services Email and send through its SMTP relay; false to use the SMTP settings below.')
param enableEmail bool = false

@description('Where Communication Services stores data at rest (used when enableEmail).')
param emailDataLocation string = 'Europe'

@description('Application (client) id of the Entra application that authenticates to the ACS SMTP relay (used when enableEmail; see docs/DEPLOY.md).')
param smtpEntraApplicationId string = ''

@description('Object id of that application\'s service principal; the template then assigns it the role the relay checks.')
param smtpServicePrincipalId string = ''

@description('SMTP host; required unless enableEmail (provisioning stops when it is empty).')
param smtpHost string = ''

@description('SMTP port (ignored when enableEmail).')
param smtpPort int = 587

@description('SMTP security: Auto, None, StartTls or SslOnConnect (ignored when enableEmail).')
@allowed([
  'Auto'
  'None'
  'StartTls'
  'SslOnConnect'
])
param smtpSecurity string = 'StartTls'

@description('Sender address; required unless enableEmail. With enableEmail, empty means the Azure-managed domain\'s DoNotReply address.')
param smtpFrom string = ''

@description('SMTP username; with enableEmail, the SMTP username created for the Entra application.')
param smtpUserName string = ''

@description('SMTP password; with enableEmail, the Entra application\'s client secret. Stored in Key Vault.')
@secure()
param smtpPassword string = ''

@description('HMAC secret that signs unsubscribe links; azd keeps it in Key Vault across runs (main.parameters.json).')
@secure()
param tokenSecret string = newGuid()

@description('Lengthens a tokenSecret shorter than the 32 characters Watcher requires; only read on the first provision.')
@secure()
param tokenSecretExtension string = newGuid()

@description('Create an Azure AI Language resource and use the azure-language classifier backend.')
param enableLanguage bool = false

@description('Pricing tier of the Language resource: F0 (free, one per subscription) or S.')
@allowed([
  'F0'
  'S'
])
param languageSku string = 'S'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-watcher-${resourceToken}'
var appIdentityName = 'id-watcher-${resourceToken}'
var systemTopicName = 'evgt-watcher-${resourceToken}'
var smtpUsernameForAcs = empty(smtpUserName) ? 'watcher' : smtpUserName
// azd's secretOrRandomPassword makes 15 characters on the first provision, and the worker refuses a
// token secret under 32 (ValidateOnStart would stop all five functions). The lengthened value is
// what Key Vault stores, so every later provision reads it back whole and keeps it: mailed links
// stay valid.
var storedTokenSecret = length(tokenSecret) >= 32 ? tokenSecret : '${tokenSecret}${replace(tokenSecretExtension, '-', '')}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: appIdentityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-watcher-${resourceToken}'
    applicationInsightsName: 'appi-watcher-${resourceToken}'
    location: location
    tags: tags
    appIdentityName: appIdentityName
  }
  dependsOn: [
    identity
  ]
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    nameSuffix: resourceToken
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    systemTopicName: systemTopicName
    alertEmail: alertEmail
  }
  dependsOn: [
    storage
  ]
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    hostAccountName: 'sthost${resourceToken}'
    dataAccountName: 'stdata${resourceToken}'
    deploymentContainerName: 'app-package-${resourceToken}'
    systemTopicName: systemTopicName
    deadLetterContainerName: 'eventgrid-deadletter'
    location: location
    tags: tags
    appIdentityName: appIdentityName
    denyPublicNetwork: vnetEnabled
  }
  dependsOn: [
    identity
  ]
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  scope: rg
  params: {
    name: 'vnet-watcher-${resourceToken}'
    location: location
    tags: tags
    storageAccountNames: [
      storage.outputs.hostAccountName
      storage.outputs.dataAccountName
    ]
  }
}

module vault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-watcher-${take(resourceToken, 10)}'
    location: location
    tags: tags
    appIdentityName: appIdentityName
    deployerPrincipalId: deployerPrincipalId
    smtpPassword: smtpPassword
    tokenSecret: storedTokenSecret
  }
  dependsOn: [
    identity
  ]
}

module language 'modules/language.bicep' = if (enableLanguage) {
  scope: rg
  params: {
    name: 'lang-watcher-${resourceToken}'
    location: location
    tags: tags
    sku: languageSku
    appIdentityName: appIdentityName
  }
  dependsOn: [
    identity
  ]
}

module email 'modules/email.bicep' = if (enableEmail) {
  scope: rg
  params: {
    emailServiceName: 'ecs-watcher-${resourceToken}'
    communicationServiceName: 'acs-watcher-${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
    smtpEntraApplicationId: smtpEntraApplicationId
    smtpServicePrincipalId: smtpServicePrincipalId
    smtpUsername: smtpUsernameForAcs
  }
}

var smtp = enableEmail
  ? {
      host: 'smtp.azurecomm.net'
      port: 587
      security: 'StartTls'
      from: empty(smtpFrom) ? email!.outputs.senderAddress : smtpFrom
      userName: smtpUsernameForAcs
    }
  : {
      // The worker refuses an empty host or sender at start (and every function with it), so an
      // unset relay stops the deployment here, naming the azd values to set, instead of
      // deploying an app that cannot start.
      host: empty(smtpHost)
        ? fail('smtpHost is empty: set WATCHER_SMTP_HOST (azd env set WATCHER_SMTP_HOST smtp.example.com), or WATCHER_ENABLE_EMAIL=true for Azure Communication Services Email. See docs/DEPLOY.md.')
        : smtpHost
      port: smtpPort
      security: smtpSecurity
      from: empty(smtpFrom)
        ? fail('smtpFrom is empty: set WATCHER_SMTP_FROM (azd env set WATCHER_SMTP_FROM watcher@example.com), or WATCHER_ENABLE_EMAIL=true for Azure Communication Services Email. See docs/DEPLOY.md.')
        : smtpFrom
      userName: smtpUserName
    }

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-watcher-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    dotnetVersion: dotnetVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    hostStorageAccountName: storage.outputs.hostAccountName
    dataStorageAccountName: storage.outputs.dataAccountName
    dataBlobEndpoint: storage.outputs.dataBlobEndpoint
    dataQueueEndpoint: storage.outputs.dataQueueEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    fetchFeedsSchedule: fetchFeedsSchedule
    sendDigestsSchedule: sendDigestsSchedule
    smtp: smtp
    smtpPasswordSecretUri: vault.outputs.smtpSecretUri
    tokenSecretUri: vault.outputs.tokenSecretUri
    languageEndpoint: enableLanguage ? language!.outputs.endpoint : ''
    feeds: feeds
    subscribers: empty(subscriberEmail)
      ? []
      : [
          {
            email: subscriberEmail
            topics: subscriberTopics
            schedule: subscriberSchedule
            timeZone: subscriberTimeZone
          }
        ]
    subnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
  }
}

// azd stores these in .azure/<env>/.env; the hooks and docs/DEPLOY.md use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output PREFERENCES_URL string = '${functionApp.outputs.url}/api/preferences'
output DATA_STORAGE_ACCOUNT_NAME string = storage.outputs.dataAccountName
output EVENTGRID_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output HOST_STORAGE_ACCOUNT_NAME string = storage.outputs.hostAccountName
output EVENTGRID_DEADLETTER_CONTAINER string = storage.outputs.deadLetterContainerName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsName
output LOGS_PORTAL_URL string = '${environment().portal}/#@${tenant().tenantId}/resource${monitoring.outputs.applicationInsightsId}/logs'
output COMMUNICATION_SERVICE_NAME string = enableEmail ? email!.outputs.communicationServiceName : ''
output LANGUAGE_ENDPOINT string = enableLanguage ? language!.outputs.endpoint : ''
