# Level 4 monitoring of one environment: platform logs to Log Analytics, the action group every alert
# notifies, the path from a model monitor's breached threshold to retraining (Event Grid -> storage
# queue, whose messages start the retraining pipeline, retrain.yml), an alert on that path, and a
# monthly budget.
# Applied with the rest of this root module by the infra pipeline (infra.yml); the alert receivers,
# thresholds and budget come from infra/monitoring.json (shared with the endpoint's alerts).
# An online endpoint's own alerts (latency, errors, availability) are a root module of their own
# (online deployments): the release creates the endpoint, so the monitor workflow applies them once it
# exists.

variable "budget_start_date" {
  description = "First day of the budget period (the first of a month, YYYY-MM-01); a budget keeps its start date."
  type        = string
  default     = "2026-01-01"
  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-01$", var.budget_start_date))
    error_message = "budget_start_date must be the first day of a month, for example 2026-01-01."
  }
}

locals {
  monitoring       = jsondecode(file("${path.module}/../monitoring.json"))
  drift_queue_name = "model-drift"
  monitoring_roles = {
    # Storage Queue Data Message Sender: Event Grid puts drift events on the queue, nothing else.
    storage_queue_data_message_sender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a"
  }
}

# Every log category and metric of the workspace (jobs, computes, deployments, data access).
resource "azurerm_monitor_diagnostic_setting" "workspace" {
  name                       = "to-log-analytics"
  target_resource_id         = local.workspace_id
  log_analytics_workspace_id = local.log_analytics_id

  enabled_log {
    category_group = "allLogs"
  }
  enabled_metric {
    category = "AllMetrics"
  }
}

resource "azurerm_monitor_action_group" "alerts" {
  name                = "ag-${var.project_name}-${var.env}"
  resource_group_name = local.resource_group_name
  location            = "global"
  short_name          = substr("ml-${var.env}", 0, 12)
  enabled             = true
  tags                = local.tags

  dynamic "email_receiver" {
    for_each = local.monitoring.alertEmails
    content {
      name                    = "email-${email_receiver.key}"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

# Through Azure Resource Manager (storage_account_id), so it also works once level 5 closes the
# storage account's data plane to the internet.
resource "azurerm_storage_queue" "model_drift" {
  name               = local.drift_queue_name
  storage_account_id = local.storage_account_id
  metadata = {
    purpose = "model monitor threshold breaches, read by the retrain workflow"
  }
}

resource "azurerm_eventgrid_system_topic" "workspace_events" {
  name                = "evgt-${var.project_name}-${var.env}"
  resource_group_name = local.resource_group_name
  location            = local.location
  source_resource_id  = local.workspace_id
  topic_type          = "Microsoft.MachineLearningServices.Workspaces"
  tags                = local.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "drift_queue_sender" {
  scope              = local.storage_account_id
  role_definition_id = "${local.role_definition_id_prefix}${local.monitoring_roles.storage_queue_data_message_sender}"
  principal_id       = azurerm_eventgrid_system_topic.workspace_events.identity[0].principal_id
  principal_type     = "ServicePrincipal"
}

# A monitor run whose signal crossed its threshold is tagged azureml_modelmonitor_threshold_breached
# (Azure ML model monitoring); Event Grid delivers its status change to the queue with the topic's
# own identity, so no key or secret is involved.
resource "azurerm_eventgrid_system_topic_event_subscription" "drift_to_queue" {
  name                  = "model-drift-to-queue"
  system_topic          = azurerm_eventgrid_system_topic.workspace_events.name
  resource_group_name   = local.resource_group_name
  event_delivery_schema = "EventGridSchema"
  included_event_types  = ["Microsoft.MachineLearningServices.RunStatusChanged"]

  delivery_identity {
    type = "SystemAssigned"
  }
  storage_queue_endpoint {
    storage_account_id                    = local.storage_account_id
    queue_name                            = azurerm_storage_queue.model_drift.name
    queue_message_time_to_live_in_seconds = 604800 # a week: a breach is never lost over a long weekend
  }
  advanced_filter {
    string_contains {
      key    = "data.RunTags.azureml_modelmonitor_threshold_breached"
      values = ["has failed due to one or more features violating metric thresholds"]
    }
  }
  retry_policy {
    max_delivery_attempts = 30
    event_time_to_live    = 1440
  }

  depends_on = [azurerm_role_assignment.drift_queue_sender]
}

# Alert on the monitor signals: a breach event matched the subscription above.
resource "azurerm_monitor_metric_alert" "model_drift" {
  name                = "alert-${var.project_name}-${var.env}-model-drift"
  resource_group_name = local.resource_group_name
  description         = "A model monitor signal (data drift, prediction drift, data quality or performance) crossed its threshold. Runbook: docs/runbook.md#model-monitor-signal"
  severity            = 2
  enabled             = true
  scopes              = [azurerm_eventgrid_system_topic.workspace_events.id]
  frequency           = "PT15M"
  window_size         = "PT1H"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.EventGrid/systemTopics"
    metric_name      = "MatchedEventCount"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0
  }
  action {
    action_group_id = azurerm_monitor_action_group.alerts.id
  }
}

# Alert when a breach could not reach the queue (the path to retraining is broken).
resource "azurerm_monitor_metric_alert" "drift_delivery" {
  name                = "alert-${var.project_name}-${var.env}-drift-delivery"
  resource_group_name = local.resource_group_name
  description         = "Event Grid could not deliver a model monitor breach to the ${local.drift_queue_name} queue. Runbook: docs/runbook.md#drift-delivery-failed"
  severity            = 1
  enabled             = true
  scopes              = [azurerm_eventgrid_system_topic.workspace_events.id]
  frequency           = "PT15M"
  window_size         = "PT1H"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.EventGrid/systemTopics"
    metric_name      = "DroppedEventCount"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0
  }
  action {
    action_group_id = azurerm_monitor_action_group.alerts.id
  }
}

# Alert on failed Azure ML jobs (training pipelines, monitor runs, batch scoring) from the
# workspace's logs in Log Analytics (diagnostic setting above).
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "failed_jobs" {
  name                 = "alert-${var.project_name}-${var.env}-failed-jobs"
  resource_group_name  = local.resource_group_name
  location             = local.location
  display_name         = "Azure ML jobs failed in ${var.env}"
  description          = "An Azure ML job failed (training, scoring or a monitor run that could not compute). Runbook: docs/runbook.md#azure-ml-job-failed"
  severity             = 2
  enabled              = true
  scopes               = [local.log_analytics_id]
  evaluation_frequency = "PT30M"
  window_duration      = "PT30M"
  tags                 = local.tags

  criteria {
    query                   = "AmlRunStatusChangedEvent | where _ResourceId =~ \"${local.workspace_id}\" and Status == \"Failed\""
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0
    failing_periods {
      number_of_evaluation_periods             = 1
      minimum_failing_periods_to_trigger_alert = 1
    }
  }
  action {
    action_groups = [azurerm_monitor_action_group.alerts.id]
  }

  depends_on = [azurerm_monitor_diagnostic_setting.workspace]
}

# Cost: a monthly budget of the environment's resource group, with alerts to the action group.
resource "azurerm_consumption_budget_resource_group" "monthly" {
  name              = "budget-${var.project_name}-${var.env}"
  resource_group_id = local.resource_group_id
  amount            = local.monitoring.budget.monthlyAmount
  time_grain        = "Monthly"

  time_period {
    start_date = "${var.budget_start_date}T00:00:00Z"
  }
  notification {
    enabled        = true
    operator       = "GreaterThanOrEqualTo"
    threshold      = local.monitoring.budget.actualPercent
    threshold_type = "Actual"
    contact_groups = [azurerm_monitor_action_group.alerts.id]
  }
  notification {
    enabled        = true
    operator       = "GreaterThanOrEqualTo"
    threshold      = local.monitoring.budget.forecastPercent
    threshold_type = "Forecasted"
    contact_groups = [azurerm_monitor_action_group.alerts.id]
  }
}

output "action_group_id" {
  description = "The action group every alert of the environment notifies."
  value       = azurerm_monitor_action_group.alerts.id
}

output "drift_queue_name" {
  description = "The storage queue that receives model monitor threshold breaches."
  value       = azurerm_storage_queue.model_drift.name
}

output "event_topic_name" {
  description = "The Event Grid system topic of the workspace."
  value       = azurerm_eventgrid_system_topic.workspace_events.name
}
