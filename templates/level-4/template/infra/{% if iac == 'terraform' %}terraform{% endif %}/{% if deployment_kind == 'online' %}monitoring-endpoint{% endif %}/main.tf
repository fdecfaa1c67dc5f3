# Alerts and logs of the production online endpoint: diagnostic settings to Log Analytics, metric
# alerts on latency, server errors and data collection errors, and a log alert on availability,
# all notifying the action group of infra/terraform/40-monitoring.tf. Thresholds: infra/monitoring.json.
# The release workflow creates the endpoint, so this is a root module of its own, with its own state
# (key monitoring-endpoint.tfstate in the environment's state container): the monitor workflow
# (monitor.yml) applies it once the endpoint exists:
#   terraform -chdir=infra/terraform/monitoring-endpoint init \
#     -backend-config=../env/<env>.backend.hcl -backend-config=key=monitoring-endpoint.tfstate
#   terraform -chdir=infra/terraform/monitoring-endpoint apply \
#     -var env=<env> -var project_name=<project> -var endpoint_name=<endpoint>

terraform {
  required_version = ">= 1.9.0, < 2.0.0"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
  }
  # Partial configuration: the environment's infra/terraform/env/<env>.backend.hcl and a key of its own.
  backend "azurerm" {}
}

# OIDC in CI (ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID and GitHub's id-token), as in
# infra/terraform/versions.tf.
provider "azurerm" {
  use_oidc                        = true
  storage_use_azuread             = true
  resource_provider_registrations = "none"
  features {}
}

provider "azapi" {
  use_oidc = true
}

variable "env" {
  description = "Environment name (dev, test, prod, ...)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,4}$", var.env))
    error_message = "env must be 2-5 lowercase letters or digits."
  }
}

variable "project_name" {
  description = "Project name: 3-16 lowercase letters, digits and hyphens."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.project_name))
    error_message = "project_name must be 3-16 lowercase letters, digits and hyphens."
  }
}

variable "endpoint_name" {
  description = "Name of the online endpoint (mlops/config.yml, online_endpoint)."
  type        = string
  validation {
    condition     = length(var.endpoint_name) >= 3 && length(var.endpoint_name) <= 32
    error_message = "endpoint_name must be 3-32 characters."
  }
}

locals {
  thresholds          = jsondecode(file("${path.module}/../../monitoring.json")).onlineEndpoint
  resource_group_name = "rg-${var.project_name}-${var.env}"
  tags                = { project = var.project_name, environment = var.env, "managed-by" = "terraform" }
}

data "azurerm_resource_group" "environment" {
  name = local.resource_group_name
}

data "azurerm_machine_learning_workspace" "workspace" {
  name                = "mlw-${var.project_name}-${var.env}"
  resource_group_name = local.resource_group_name
}

data "azurerm_log_analytics_workspace" "logs" {
  name                = "log-${var.project_name}-${var.env}"
  resource_group_name = local.resource_group_name
}

data "azurerm_monitor_action_group" "alerts" {
  name                = "ag-${var.project_name}-${var.env}"
  resource_group_name = local.resource_group_name
}

# Fails the plan with a clear "not found" while the release has not created the endpoint yet.
data "azapi_resource" "endpoint" {
  type      = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2026-03-01"
  name      = var.endpoint_name
  parent_id = data.azurerm_machine_learning_workspace.workspace.id
}

# Request (traffic), console and event logs of every deployment behind the endpoint.
resource "azurerm_monitor_diagnostic_setting" "endpoint" {
  name                       = "to-log-analytics"
  target_resource_id         = data.azapi_resource.endpoint.id
  log_analytics_workspace_id = data.azurerm_log_analytics_workspace.logs.id

  enabled_log {
    category_group = "allLogs"
  }
  enabled_metric {
    category = "AllMetrics"
  }
}

resource "azurerm_monitor_metric_alert" "latency" {
  name                = "alert-${var.endpoint_name}-latency"
  resource_group_name = data.azurerm_resource_group.environment.name
  description         = "The 95th percentile of request latency is above ${local.thresholds.latencyP95Milliseconds} ms. Runbook: docs/runbook.md#endpoint-latency"
  severity            = 2
  enabled             = true
  scopes              = [data.azapi_resource.endpoint.id]
  frequency           = "PT5M"
  window_size         = "PT15M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
    metric_name      = "RequestLatency_P95"
    aggregation      = "Average"
    operator         = "GreaterThan"
    threshold        = local.thresholds.latencyP95Milliseconds
  }
  action {
    action_group_id = data.azurerm_monitor_action_group.alerts.id
  }
}

resource "azurerm_monitor_metric_alert" "server_errors" {
  name                = "alert-${var.endpoint_name}-errors"
  resource_group_name = data.azurerm_resource_group.environment.name
  description         = "More than ${local.thresholds.serverErrorsPer15Minutes} requests failed with a 5xx status in 15 minutes. Runbook: docs/runbook.md#endpoint-errors"
  severity            = 1
  enabled             = true
  scopes              = [data.azapi_resource.endpoint.id]
  frequency           = "PT5M"
  window_size         = "PT15M"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
    metric_name      = "RequestsPerMinute"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = local.thresholds.serverErrorsPer15Minutes
    dimension {
      name     = "statusCodeClass"
      operator = "Include"
      values   = ["5xx"]
    }
  }
  action {
    action_group_id = data.azurerm_monitor_action_group.alerts.id
  }
}

resource "azurerm_monitor_metric_alert" "collection_errors" {
  name                = "alert-${var.endpoint_name}-collection"
  resource_group_name = data.azurerm_resource_group.environment.name
  description         = "Production data collection fails, so the model monitor sees less data. Runbook: docs/runbook.md#data-collection-errors"
  severity            = 3
  enabled             = true
  scopes              = [data.azapi_resource.endpoint.id]
  frequency           = "PT15M"
  window_size         = "PT1H"
  tags                = local.tags

  criteria {
    metric_namespace = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
    metric_name      = "DataCollectionErrorsPerMinute"
    aggregation      = "Total"
    operator         = "GreaterThan"
    threshold        = 0
  }
  action {
    action_group_id = data.azurerm_monitor_action_group.alerts.id
  }
}

# Availability: the share of requests answered without a server error, from the traffic log.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "availability" {
  name                 = "alert-${var.endpoint_name}-availability"
  resource_group_name  = data.azurerm_resource_group.environment.name
  location             = data.azurerm_resource_group.environment.location
  display_name         = "${var.endpoint_name} availability below ${local.thresholds.availabilityPercent}%"
  description          = "Less than ${local.thresholds.availabilityPercent}% of requests were answered without a 5xx status. Runbook: docs/runbook.md#endpoint-availability"
  severity             = 1
  enabled              = true
  scopes               = [data.azurerm_log_analytics_workspace.logs.id]
  evaluation_frequency = "PT15M"
  window_duration      = "PT1H"
  tags                 = local.tags

  criteria {
    query                   = "AmlOnlineEndpointTrafficLog | where EndpointName == \"${var.endpoint_name}\" | summarize total = count(), failed = countif(ResponseCode startswith \"5\") | where total > 0 | extend availability = 100.0 * (total - failed) / total | where availability < ${local.thresholds.availabilityPercent}"
    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0
    failing_periods {
      number_of_evaluation_periods             = 1
      minimum_failing_periods_to_trigger_alert = 1
    }
  }
  action {
    action_groups = [data.azurerm_monitor_action_group.alerts.id]
  }

  depends_on = [azurerm_monitor_diagnostic_setting.endpoint]
}
