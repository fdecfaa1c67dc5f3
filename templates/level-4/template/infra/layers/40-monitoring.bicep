// Level 4 monitoring of one environment: platform logs to Log Analytics, the action group every alert
// notifies, the path from a model monitor's breached threshold to retraining (Event Grid -> storage
// queue, read by .github/workflows/retrain.yml), an alert on that path, and a monthly budget.
// Deployed by the infra workflow after infra/main.bicep with the parameters every layer receives;
// the alert receivers, thresholds and budget come from infra/monitoring.json.
// The endpoint's own alerts (latency, errors, availability) are in infra/monitoring/endpoint.bicep:
// the release creates the endpoint, so the monitor workflow deploys them once it exists.
targetScope = 'resourceGroup'

@description('Environment name (dev, test, prod, ...).')
@minLength(2)
@maxLength(5)
param env string

@description('Project name: 3-16 lowercase letters, digits and hyphens.')
@minLength(3)
@maxLength(16)
param projectName string

@description('4 lowercase letters or digits that make the globally unique names unique.')
@maxLength(4)
param nameSuffix string

@description('Azure region of the new resources (the workspace region).')
param location string = resourceGroup().location

@description('The workspace storage account of infra/main.bicep (same default as its storageAccountName).')
@minLength(3)
@maxLength(24)
param storageAccountName string = 'st${replace(projectName, '-', '')}${env}${nameSuffix}'

@description('First day of the budget period (the first of a month); a budget keeps its start date.')
param budgetStartDate string = '2026-01-01'

var settings = loadJsonContent('../monitoring.json')
var tags = { project: projectName, environment: env, 'managed-by': 'bicep' }
var driftQueueName = 'model-drift'
// Storage Queue Data Message Sender: Event Grid puts drift events on the queue, nothing else.
var queueSenderRole = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource workspace 'Microsoft.MachineLearningServices/workspaces@2026-03-01' existing = {
  name: 'mlw-${projectName}-${env}'
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: 'log-${projectName}-${env}'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-08-01' existing = {
  name: storageAccountName
}

// Every log category and metric of the workspace (jobs, computes, deployments, data access).
resource workspaceDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: workspace
  properties: {
    workspaceId: logAnalytics.id
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
    ]
    metrics: [
      { category: 'AllMetrics', enabled: true }
    ]
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${projectName}-${env}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('ml-${env}', 12)
    enabled: true
    emailReceivers: [
      for (email, index) in settings.alertEmails: {
        name: 'email-${index}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-08-01' = {
  parent: storageAccount
  name: 'default'
}

resource driftQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-08-01' = {
  parent: queueService
  name: driftQueueName
  properties: {
    metadata: { purpose: 'model monitor threshold breaches, read by the retrain workflow' }
  }
}

resource workspaceEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: 'evgt-${projectName}-${env}'
  location: location
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    source: workspace.id
    topicType: 'Microsoft.MachineLearningServices.Workspaces'
  }
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, workspaceEvents.id, queueSenderRole)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueSenderRole)
    principalId: workspaceEvents.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// A monitor run whose signal crossed its threshold is tagged azureml_modelmonitor_threshold_breached
// (Azure ML model monitoring); Event Grid delivers its status change to the queue with the topic's
// own identity, so no key or secret is involved.
resource driftToQueue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: workspaceEvents
  name: 'model-drift-to-queue'
  properties: {
    deliveryWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storageAccount.id
          queueName: driftQueue.name
          queueMessageTimeToLiveInSeconds: 604800 // a week: a breach is never lost over a long weekend
        }
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: ['Microsoft.MachineLearningServices.RunStatusChanged']
      advancedFilters: [
        {
          operatorType: 'StringContains'
          key: 'data.RunTags.azureml_modelmonitor_threshold_breached'
          values: ['has failed due to one or more features violating metric thresholds']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
  dependsOn: [queueSender]
}

// Alert on the monitor signals: a breach event matched the subscription above.
resource monitorSignalAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${projectName}-${env}-model-drift'
  location: 'global'
  tags: tags
  properties: {
    description: 'A model monitor signal (data drift, prediction drift, data quality or performance) crossed its threshold. Runbook: docs/runbook.md#model-monitor-signal'
    severity: 2
    enabled: true
    scopes: [workspaceEvents.id]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'breaches'
          metricName: 'MatchedEventCount'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Alert when a breach could not reach the queue (the path to retraining is broken).
resource driftDeliveryAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${projectName}-${env}-drift-delivery'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid could not deliver a model monitor breach to the ${driftQueueName} queue. Runbook: docs/runbook.md#drift-delivery-failed'
    severity: 1
    enabled: true
    scopes: [workspaceEvents.id]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead'
          metricName: 'DroppedEventCount'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Alert on failed Azure ML jobs (training pipelines, monitor runs, batch scoring) from the
// workspace's logs in Log Analytics (diagnostic settings above).
resource failedJobsAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${projectName}-${env}-failed-jobs'
  location: location
  tags: tags
  properties: {
    displayName: 'Azure ML jobs failed in ${env}'
    description: 'An Azure ML job failed (training, scoring or a monitor run that could not compute). Runbook: docs/runbook.md#azure-ml-job-failed'
    severity: 2
    enabled: true
    scopes: [logAnalytics.id]
    evaluationFrequency: 'PT30M'
    windowSize: 'PT30M'
    criteria: {
      allOf: [
        {
          query: 'AmlRunStatusChangedEvent | where _ResourceId =~ "${workspace.id}" and Status == "Failed"'
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
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
  dependsOn: [workspaceDiagnostics]
}

// Cost: a monthly budget of the environment's resource group, with alerts to the action group.
resource budget 'Microsoft.Consumption/budgets@2024-08-01' = {
  name: 'budget-${projectName}-${env}'
  properties: {
    category: 'Cost'
    amount: settings.budget.monthlyAmount
    timeGrain: 'Monthly'
    timePeriod: {
      startDate: budgetStartDate
    }
    notifications: {
      actual: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: settings.budget.actualPercent
        thresholdType: 'Actual'
        contactGroups: [actionGroup.id]
      }
      forecast: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: settings.budget.forecastPercent
        thresholdType: 'Forecasted'
        contactGroups: [actionGroup.id]
      }
    }
  }
}

output actionGroupId string = actionGroup.id
output driftQueueName string = driftQueue.name
output eventTopicName string = workspaceEvents.name
