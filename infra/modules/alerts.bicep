// What an operator must hear about without watching the logs: messages given up on (moved to a
// poison queue), articles Event Grid could not hand to ClassifyArticle, a mail relay that stops
// answering or a digest that was not sent, and failing invocations. One action group mails
// alertEmail; with it empty the alerts still fire and show in the portal.

@description('Suffix of every alert name (the deployment\'s resource token).')
param nameSuffix string

@description('Azure region of the log alerts.')
param location string

@description('Tags for every resource.')
param tags object

@description('Resource id of the Application Insights component the app logs to.')
param applicationInsightsId string

@description('Name of the Event Grid system topic on the data account.')
param systemTopicName string

@description('Who gets the alert mails; empty for portal-only alerts.')
param alertEmail string = ''

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-watcher-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'watcher'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operator'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

// Log alerts over the app's Application Insights. Each query matches what the code or the
// Functions host writes (BicepTemplateTests checks the texts against the sources):
// - the WebJobs queue listener's warning when a message reaches host.json's maxDequeueCount,
//   for the summaries queue and for the Event Grid blob trigger's poison queue;
// - MailServerCircuit's warning when the relay stops answering, and DigestService's error for a
//   digest that could not be sent;
// - invocations that failed (one request per invocation).
var logAlerts = [
  {
    name: 'poison'
    displayName: 'Watcher gave up on a message (poison queue)'
    severity: 2
    query: 'traces | where message has "Moving message to queue" and message has_any ("summaries-poison", "webjobs-blobtrigger-poison")'
  }
  {
    name: 'mail'
    displayName: 'Watcher cannot mail: relay not answering or a digest not sent'
    severity: 2
    query: 'traces | where message has "Mail waits and the summaries stay on the queue" or (message startswith "Digest for " and message has " not sent: ")'
  }
  {
    name: 'failures'
    displayName: 'Watcher function invocations failed'
    severity: 3
    query: 'requests | where success == false'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in logAlerts: {
    name: 'alert-watcher-${alert.name}-${nameSuffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: alert.displayName
      severity: alert.severity
      enabled: true
      evaluationFrequency: 'PT15M'
      windowSize: 'PT15M'
      scopes: [
        applicationInsightsId
      ]
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

// Event Grid writes an article event it could not deliver to the dead-letter container, and
// drops one it could not dead-letter either: that article is never classified. One alert per
// metric, since criteria in one metric alert must all hold at once.
var eventGridMetrics = [
  {
    name: 'deadletter'
    metric: 'DeadLetteredCount'
    description: 'Event Grid dead-lettered article events it could not deliver to ClassifyArticle.'
  }
  {
    name: 'dropped'
    metric: 'DroppedEventCount'
    description: 'Event Grid dropped article events it could neither deliver nor dead-letter.'
  }
]

resource eventGridAlerts 'Microsoft.Insights/metricAlerts@2026-01-01' = [
  for alert in eventGridMetrics: {
    name: 'alert-watcher-${alert.name}-${nameSuffix}'
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: 2
      enabled: true
      scopes: [
        systemTopic.id
      ]
      evaluationFrequency: 'PT15M'
      windowSize: 'PT1H'
      targetResourceType: 'Microsoft.EventGrid/systemTopics'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.name
            metricNamespace: 'Microsoft.EventGrid/systemTopics'
            metricName: alert.metric
            operator: 'GreaterThan'
            threshold: 0
            timeAggregation: 'Total'
          }
        ]
      }
      autoMitigate: true
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]

output actionGroupName string = actionGroup.name
