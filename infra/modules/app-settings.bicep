// Every app setting of the Function App, built by one exported function from the values the
// deployment knows. function-app.bicep applies it; the deploy rehearsal test evaluates the same
// function with `bicep build-params` for a default `azd up` and starts the published worker with
// exactly the result. The names are a contract with the code: the infra test checks each
// Watcher__* name against Watcher.Configuration.WatcherOptions and every other one against an
// allow-list of host-level settings. There is no worker-runtime or extension-version setting:
// Flex Consumption takes the runtime from functionAppConfig and rejects those.

@export()
@description('What the app settings are made of.')
type appSettingsInputs = {
  @description('Name of the host storage account (AzureWebJobsStorage).')
  hostStorageAccountName: string

  @description('Client id of the app\'s user-assigned identity.')
  identityClientId: string

  @description('Name of the data storage account.')
  dataStorageAccountName: string

  @description('Blob endpoint of the data storage account.')
  dataBlobEndpoint: string

  @description('Queue endpoint of the data storage account.')
  dataQueueEndpoint: string

  @description('Application Insights connection string (holds no secret: local auth is off).')
  applicationInsightsConnectionString: string

  @description('NCRONTAB schedules (UTC) of FetchFeeds and SendDigests.')
  fetchFeedsSchedule: string
  sendDigestsSchedule: string

  @description('SMTP settings: host, port, security, from, userName.')
  smtp: object

  @description('Key Vault secret URI of the SMTP password; empty when the relay needs none.')
  smtpPasswordSecretUri: string

  @description('Key Vault secret URI of the unsubscribe-token secret.')
  tokenSecretUri: string

  @description('Azure AI Language endpoint; empty to use the embedded local classifier.')
  languageEndpoint: string

  @description('Feeds to watch: objects with name, url and optionally language.')
  feeds: array

  @description('Subscribers: objects with email, topics and optionally name, schedule, timeZone.')
  subscribers: array

  @description('The app\'s default host name, for the links in mail.')
  siteHostName: string
}

func keyVaultReference(secretUri string) string => '@Microsoft.KeyVault(SecretUri=${secretUri})'

func hostSettings(inputs appSettingsInputs) object => {
  // Host storage through the app identity; __accountName derives blob, queue and table URIs.
  AzureWebJobsStorage__accountName: inputs.hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: inputs.identityClientId

  // The blob trigger (Event Grid source) and queue trigger connection, StorageNames.TriggerConnection.
  WatcherStorage__blobServiceUri: inputs.dataBlobEndpoint
  WatcherStorage__queueServiceUri: inputs.dataQueueEndpoint
  WatcherStorage__credential: 'managedidentity'
  WatcherStorage__clientId: inputs.identityClientId

  // DefaultAzureCredential in the core picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: inputs.identityClientId

  APPLICATIONINSIGHTS_CONNECTION_STRING: inputs.applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${inputs.identityClientId};Authorization=AAD'
}

func watcherSettings(inputs appSettingsInputs) object => {
  // The core reaches its data with DefaultAzureCredential when no connection string is set;
  // the empty string overrides the Azurite default.
  Watcher__Storage__AccountName: inputs.dataStorageAccountName
  Watcher__Storage__ConnectionString: ''

  Watcher__Schedules__FetchFeeds: inputs.fetchFeedsSchedule
  Watcher__Schedules__SendDigests: inputs.sendDigestsSchedule

  Watcher__Smtp__Transport: 'smtp'
  Watcher__Smtp__Host: inputs.smtp.host
  Watcher__Smtp__Port: string(inputs.smtp.port)
  Watcher__Smtp__Security: inputs.smtp.security
  Watcher__Smtp__From: inputs.smtp.from
  Watcher__Smtp__UserName: inputs.smtp.userName
  Watcher__Smtp__Password: empty(inputs.smtpPasswordSecretUri) ? '' : keyVaultReference(inputs.smtpPasswordSecretUri)

  // The code appends the preferences path (/api/preferences) itself.
  Watcher__Delivery__PublicBaseUrl: 'https://${inputs.siteHostName}'
  Watcher__Delivery__TokenSecret: keyVaultReference(inputs.tokenSecretUri)

  Watcher__Classifier__Backend: empty(inputs.languageEndpoint) ? 'local' : 'azure-language'
}

func languageSettings(inputs appSettingsInputs) object =>
  empty(inputs.languageEndpoint)
    ? {}
    : {
        Watcher__Classifier__Endpoint: inputs.languageEndpoint
      }

// Configuration binds lists by index: Watcher__Feeds__0__Url, Watcher__Subscribers__0__Topics__1.
func feedSettings(feeds array) object =>
  reduce(
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

func subscriberSettings(subscribers array) object =>
  reduce(
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

@export()
@description('Every app setting of the Function App.')
func appSettings(inputs appSettingsInputs) object =>
  union(hostSettings(inputs), watcherSettings(inputs), languageSettings(inputs), feedSettings(inputs.feeds), subscriberSettings(inputs.subscribers))
