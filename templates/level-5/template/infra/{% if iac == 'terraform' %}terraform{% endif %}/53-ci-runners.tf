# Private CI runners of one environment: GitHub Actions runners that start on demand as Azure
# Container Apps jobs in the platform network (subnet ci-runners of 50-network.tf), so that CI
# reaches the private workspace, storage and registry through their private endpoints. KEDA's
# github-runner scaler starts one ephemeral runner per queued job labelled azure-<env> and none when
# nothing is queued. The runner image is built by .github/workflows/runner-image.yml from
# infra/runner/Dockerfile. A GitHub token (fine-grained: the repository's Administration and
# Actions read/write, Packages read) is read from the Key Vault secret github-runner-token; until
# infra/platform.json names the repository, only the environment and the identity are created.
# Set-up, including putting the secret into the private Key Vault: docs/platform.md.

locals {
  runner_repository = local.platform.runner.githubRepository # owner/name
  runner_owner      = local.runner_repository == "" ? "" : split("/", local.runner_repository)[0]
  runner_image      = local.platform.runner.image == "" ? "ghcr.io/${lower(local.runner_repository)}/ci-runner:latest" : local.platform.runner.image
  runner_label      = "azure-${var.env}"
  runner_roles = {
    # Key Vault Secrets User: the runners' identity reads the GitHub token, nothing else.
    key_vault_secrets_user = "4633458b-17de-408a-b874-0445c86b69e6"
  }
}

# The runners' own identity: it only reads the GitHub token. CI jobs on the runners sign in to
# Azure with OIDC as before (azure/login), never as this identity.
resource "azurerm_user_assigned_identity" "runner" {
  name                = "id-${var.project_name}-${var.env}-runner"
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags
}

resource "azurerm_role_assignment" "runner_secret_reader" {
  scope              = local.key_vault_id
  role_definition_id = "${local.role_definition_id_prefix}${local.runner_roles.key_vault_secrets_user}"
  principal_id       = azurerm_user_assigned_identity.runner.principal_id
  principal_type     = "ServicePrincipal"
}

resource "azurerm_container_app_environment" "runners" {
  name                           = "cae-${var.project_name}-${var.env}"
  resource_group_name            = local.resource_group_name
  location                       = local.location
  infrastructure_subnet_id       = local.runner_subnet_id
  internal_load_balancer_enabled = true
  logs_destination               = "azure-monitor"
  zone_redundancy_enabled        = false
  tags                           = local.tags

  workload_profile {
    name                  = "Consumption"
    workload_profile_type = "Consumption"
  }
}

resource "azurerm_monitor_diagnostic_setting" "runners" {
  name                       = "to-log-analytics"
  target_resource_id         = azurerm_container_app_environment.runners.id
  log_analytics_workspace_id = local.log_analytics_id

  enabled_log {
    category_group = "allLogs"
  }
}

resource "azurerm_container_app_job" "runner" {
  count                        = local.runner_repository == "" ? 0 : 1
  name                         = "ghr-${var.project_name}-${var.env}"
  resource_group_name          = local.resource_group_name
  location                     = local.location
  container_app_environment_id = azurerm_container_app_environment.runners.id
  workload_profile_name        = "Consumption"
  replica_timeout_in_seconds   = 7200
  replica_retry_limit          = 0
  tags                         = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.runner.id]
  }
  event_trigger_config {
    parallelism              = 1
    replica_completion_count = 1
    scale {
      min_executions              = 0
      max_executions              = local.platform.runner.maxRunners
      polling_interval_in_seconds = 30
      rules {
        name             = "github-runner"
        custom_rule_type = "github-runner"
        metadata = {
          githubAPIURL              = "https://api.github.com"
          owner                     = local.runner_owner
          runnerScope               = "repo"
          repos                     = element(split("/", local.runner_repository), 1)
          labels                    = local.runner_label
          targetWorkflowQueueLength = "1"
        }
        authentication {
          secret_name       = "github-token"
          trigger_parameter = "personalAccessToken"
        }
      }
    }
  }
  secret {
    name                = "github-token"
    key_vault_secret_id = "https://${local.names.key_vault}.vault.azure.net/secrets/github-runner-token"
    identity            = azurerm_user_assigned_identity.runner.id
  }
  registry {
    server               = "ghcr.io"
    username             = local.runner_owner
    password_secret_name = "github-token"
  }
  template {
    container {
      name   = "runner"
      image  = local.runner_image
      cpu    = 2.0
      memory = "4Gi"
      env {
        name        = "GITHUB_TOKEN"
        secret_name = "github-token"
      }
      env {
        name  = "GITHUB_REPOSITORY"
        value = local.runner_repository
      }
      env {
        name  = "RUNNER_LABELS"
        value = local.runner_label
      }
    }
  }

  depends_on = [azurerm_role_assignment.runner_secret_reader]
}

output "runner_label" {
  description = "The label of the private runners of this environment (runs-on: [self-hosted, <label>])."
  value       = local.runner_label
}
