// The Event Grid subscription that feeds ClassifyArticle (blob trigger, Event Grid source):
// BlobCreated events from the articles container, posted to the Functions blob extension
// webhook. Deployed by the azd postdeploy hook, because the webhook's blobs_extension system key
// exists only once the code is deployed, and Event Grid validates the endpoint when the
// subscription is created. The key goes from listKeys straight into the subscription; it never
// passes through the shell.

@description('Name of the Function App (output AZURE_FUNCTION_APP_NAME).')
param functionAppName string

@description('Name of the Event Grid system topic on the data account (output EVENTGRID_SYSTEM_TOPIC_NAME).')
param systemTopicName string

@description('Host storage account that keeps undeliverable events (output HOST_STORAGE_ACCOUNT_NAME).')
param deadLetterAccountName string

@description('Container in it for those events (output EVENTGRID_DEADLETTER_CONTAINER).')
param deadLetterContainerName string

resource site 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource deadLetterAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: deadLetterAccountName
}

var blobsExtensionKey = listKeys('${site.id}/host/default', '2025-03-01').systemKeys.blobs_extension

resource articlesCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'articles-blob-created'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${site.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.ClassifyArticle&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/articles/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // An event that still cannot be delivered after a day is kept, not dropped: its subject
    // names the article blob that was never classified (docs/DEPLOY.md, Where the logs are).
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterAccount.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output subscriptionName string = articlesCreated.name
