# The Azure ML platform of one environment (what main.bicep declares in the Bicep variant):
# monitoring, storage, secrets, container registry, the workspace's user-assigned identity with the
# roles it needs, and the Azure ML workspace, in the resource group rg-<project>-<env> that the infra
# workflow (or the OIDC set-up) creates. Names follow mlops/config.yml; keep both in step.
#
# The contract with the layer files of higher levels (20-training.tf, 30-serving.tf, 40-..., 5x-...),
# which live in this same root module: they read only these names, never a resource address here.
#   local.names.{resource_group, workspace, storage_account, key_vault, container_registry,
#                application_insights, log_analytics, identity}   resource names
#   local.location, local.tags, local.is_production                placement, tags, prod switch
#   local.public_network_access_enabled                            false at level 5 (network_isolation)
#   local.resource_group_name, local.resource_group_id
#   local.workspace_id, local.storage_account_id, local.key_vault_id, local.acr_id,
#   local.log_analytics_id, local.application_insights_id          resource ids
#   local.identity_id, local.identity_principal_id                 the workspace identity
#   local.role_definition_id_prefix                                prefix + a built-in role's GUID = its id
#   local.tenant_id, local.subscription_id

data "azurerm_client_config" "current" {}

data "azurerm_resource_group" "platform" {
  name = "rg-${var.project_name}-${var.env}"
}

locals {
  compact_project = replace(var.project_name, "-", "")
  names = {
    resource_group       = data.azurerm_resource_group.platform.name
    workspace            = coalesce(var.workspace_name, "mlw-${var.project_name}-${var.env}")
    storage_account      = coalesce(var.storage_account_name, "st${local.compact_project}${var.env}${var.name_suffix}")
    key_vault            = coalesce(var.key_vault_name, "kv-${var.project_name}-${var.env}${var.name_suffix == "" ? "" : "-${var.name_suffix}"}")
    container_registry   = coalesce(var.container_registry_name, "cr${local.compact_project}${var.env}${var.name_suffix}")
    application_insights = "appi-${var.project_name}-${var.env}"
    log_analytics        = "log-${var.project_name}-${var.env}"
    identity             = "id-${var.project_name}-${var.env}"
  }
  location                      = coalesce(var.location, data.azurerm_resource_group.platform.location)
  is_production                 = var.env == "prod"
  tags                          = merge({ project = var.project_name, environment = var.env, "managed-by" = "terraform" }, var.tags)
  public_network_access_enabled = !var.network_isolation
  network_default_action        = var.network_isolation ? "Deny" : "Allow"

  tenant_id                 = data.azurerm_client_config.current.tenant_id
  subscription_id           = data.azurerm_client_config.current.subscription_id
  resource_group_name       = data.azurerm_resource_group.platform.name
  resource_group_id         = data.azurerm_resource_group.platform.id
  role_definition_id_prefix = "/subscriptions/${local.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"

  # Built-in role definitions (ids are the same in every tenant); scripts/ci_role_condition.py reads
  # the `*_roles` maps of every layer file to limit what CI may grant.
  platform_roles = {
    contributor                   = "b24988ac-6180-42a0-ab88-20f7382dd24c"
    storage_blob_data_contributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    key_vault_administrator       = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
  }

  workspace_id            = azurerm_machine_learning_workspace.platform.id
  storage_account_id      = azurerm_storage_account.platform.id
  key_vault_id            = azurerm_key_vault.platform.id
  acr_id                  = azurerm_container_registry.platform.id
  log_analytics_id        = azurerm_log_analytics_workspace.platform.id
  application_insights_id = azurerm_application_insights.platform.id
  identity_id             = azurerm_user_assigned_identity.workspace.id
  identity_principal_id   = azurerm_user_assigned_identity.workspace.principal_id
}

resource "azurerm_log_analytics_workspace" "platform" {
  name                = local.names.log_analytics
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags
  sku                 = "PerGB2018"
  retention_in_days   = local.is_production ? 90 : 30
}

resource "azurerm_application_insights" "platform" {
  name                = local.names.application_insights
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags
  application_type    = "web"
  workspace_id        = azurerm_log_analytics_workspace.platform.id # workspace-based, like IngestionMode LogAnalytics
}

# Entra ID only (no account keys): the workspace's system datastores authenticate with identities
# (storage_account_access_type below), so users, CI and the compute identity hold data-plane roles.
resource "azurerm_storage_account" "platform" {
  #checkov:skip=CKV_AZURE_206:zone-redundant (ZRS) in prod; dev and test data can be rebuilt, so LRS there
  #checkov:skip=CKV_AZURE_59:network isolation: public access is disabled when network_isolation is true (level 5, private endpoints in 50-network.tf); below level 5 access is Entra ID only
  #checkov:skip=CKV_AZURE_35:network isolation: the default action is Deny when network_isolation is true (level 5, private endpoints in 50-network.tf); below level 5 access is Entra ID only
  #checkov:skip=CKV2_AZURE_33:private endpoints come with network isolation at level 5 (50-network.tf)
  #checkov:skip=CKV2_AZURE_1:customer-managed keys are a compliance choice; Microsoft-managed encryption at rest is on
  #checkov:skip=CKV_AZURE_33:queue logging: the workspace storage holds blobs; level 4 sends diagnostics to Log Analytics
  #checkov:skip=CKV2_AZURE_38:soft delete of blobs would keep deleted job outputs and code snapshots that Azure ML already versions
  #checkov:skip=CKV2_AZURE_41:SAS expiration policy applies to account-key SAS, and shared keys are off (Entra ID only)
  name                             = local.names.storage_account
  resource_group_name              = local.resource_group_name
  location                         = local.location
  tags                             = local.tags
  account_kind                     = "StorageV2"
  account_tier                     = "Standard"
  account_replication_type         = local.is_production ? "ZRS" : "LRS"
  access_tier                      = "Hot"
  min_tls_version                  = "TLS1_2"
  https_traffic_only_enabled       = true
  allow_nested_items_to_be_public  = false
  cross_tenant_replication_enabled = false
  shared_access_key_enabled        = var.allow_shared_key_access # off: the system datastores use identities
  default_to_oauth_authentication  = true
  is_hns_enabled                   = false # the default storage of an Azure ML workspace cannot be Data Lake Gen2
  public_network_access_enabled    = local.public_network_access_enabled
  local_user_enabled               = false # no SFTP or local users: Entra ID only

  network_rules {
    default_action = local.network_default_action
    bypass         = ["AzureServices"]
  }
}

# Purge protection keeps a deleted vault (and its name) for the retention period: rebuilding an
# environment recovers it (the provider's recover_soft_deleted_key_vaults, versions.tf).
resource "azurerm_key_vault" "platform" {
  #checkov:skip=CKV_AZURE_189:network isolation: public access is disabled when network_isolation is true (level 5, private endpoints in 50-network.tf); below level 5 access is Entra ID only
  #checkov:skip=CKV_AZURE_109:network isolation: the default action is Deny when network_isolation is true (level 5, private endpoints in 50-network.tf); below level 5 access is Entra ID only
  #checkov:skip=CKV2_AZURE_32:private endpoints come with network isolation at level 5 (50-network.tf)
  name                          = local.names.key_vault
  resource_group_name           = local.resource_group_name
  location                      = local.location
  tags                          = local.tags
  tenant_id                     = local.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true # Azure RBAC, no access policies
  soft_delete_retention_days    = local.is_production ? 90 : 7
  purge_protection_enabled      = true # deleted secrets cannot be purged before the retention ends
  public_network_access_enabled = local.public_network_access_enabled

  network_acls {
    default_action = local.network_default_action
    bypass         = "AzureServices"
  }
}

resource "azurerm_container_registry" "platform" {
  #checkov:skip=CKV_AZURE_166:quarantine holds every pushed image until a scanner releases it, which would stall Azure ML's environment image builds (no scanner is set up); Basic has no quarantine
  #checkov:skip=CKV_AZURE_163:image scanning is Microsoft Defender for Containers, a subscription setting (docs/security.md)
  #checkov:skip=CKV_AZURE_139:network isolation: public access is disabled when network_isolation is true (level 5, private endpoints in 50-network.tf); below level 5 access is Entra ID only
  #checkov:skip=CKV_AZURE_164:content trust (signed images) is a Premium feature and Azure ML builds the environment images itself
  #checkov:skip=CKV_AZURE_165:geo-replication is Premium; images are rebuilt from the environment definitions in the repository
  #checkov:skip=CKV_AZURE_167:retention of untagged manifests is Premium; Azure ML tags every image it builds
  #checkov:skip=CKV_AZURE_233:zone redundancy is Premium; images are rebuilt from the environment definitions in the repository
  #checkov:skip=CKV_AZURE_237:dedicated data endpoints are Premium; they matter with network isolation at level 5
  name                = local.names.container_registry
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags
  # Premium is needed for private endpoints (level 5)
  sku                           = var.network_isolation ? "Premium" : "Basic"
  admin_enabled                 = false # pulls and pushes use Entra ID identities, never the admin password
  anonymous_pull_enabled        = false
  public_network_access_enabled = local.public_network_access_enabled
}

# The workspace's own identity. A user-assigned identity outlives the workspace, and its roles are
# declared here rather than granted implicitly at workspace creation.
resource "azurerm_user_assigned_identity" "workspace" {
  name                = local.names.identity
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags
}

# The OIDC set-up (README) creates this identity before the first deployment, so that the CI
# identity's role-assignment condition can name it: Terraform adopts it (a no-op once in the state).
import {
  to = azurerm_user_assigned_identity.workspace
  id = "${local.resource_group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${local.names.identity}"
}

# The roles Azure ML documents for a workspace with a user-assigned identity, each scoped to one
# resource (never the resource group): control plane (Contributor) to manage keys, secrets and
# registry build tasks, data plane to read and write blobs and secrets.
locals {
  workspace_identity_grants = {
    storage_contributor           = { scope = azurerm_storage_account.platform.id, role = local.platform_roles.contributor }
    storage_blob_data_contributor = { scope = azurerm_storage_account.platform.id, role = local.platform_roles.storage_blob_data_contributor }
    key_vault_contributor         = { scope = azurerm_key_vault.platform.id, role = local.platform_roles.contributor }
    key_vault_administrator       = { scope = azurerm_key_vault.platform.id, role = local.platform_roles.key_vault_administrator }
    registry_contributor          = { scope = azurerm_container_registry.platform.id, role = local.platform_roles.contributor }
    app_insights_contributor      = { scope = azurerm_application_insights.platform.id, role = local.platform_roles.contributor }
  }
}

resource "azurerm_role_assignment" "workspace_identity" {
  for_each = local.workspace_identity_grants

  scope              = each.value.scope
  role_definition_id = "${local.role_definition_id_prefix}${each.value.role}"
  principal_id       = azurerm_user_assigned_identity.workspace.principal_id
  principal_type     = "ServicePrincipal"
}

resource "azurerm_machine_learning_workspace" "platform" {
  #checkov:skip=CKV_AZURE_144:network isolation: public access is disabled when network_isolation is true (level 5, private endpoints in 50-network.tf); below level 5 access is Entra ID only
  #checkov:skip=CKV2_AZURE_49:network isolation: outbound is limited to approved rules (AllowOnlyApprovedOutbound) and public access is off when network_isolation is true (level 5); below level 5 access is Entra ID only
  name                = local.names.workspace
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags
  sku_name            = "Basic"
  kind                = "Default"
  friendly_name       = "${var.project_name} (${var.env})"
  description         = "Azure ML workspace of ${var.project_name}, environment ${var.env}"

  storage_account_id             = azurerm_storage_account.platform.id
  key_vault_id                   = azurerm_key_vault.platform.id
  application_insights_id        = azurerm_application_insights.platform.id
  container_registry_id          = azurerm_container_registry.platform.id
  primary_user_assigned_identity = azurerm_user_assigned_identity.workspace.id
  storage_account_access_type    = var.allow_shared_key_access ? "AccessKey" : "Identity"
  public_network_access_enabled  = local.public_network_access_enabled
  high_business_impact           = false
  v1_legacy_mode_enabled         = false

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.workspace.id]
  }

  managed_network {
    isolation_mode = var.network_isolation ? "AllowOnlyApprovedOutbound" : "Disabled"
  }

  # Azure ML checks the identity's access to each resource when it creates the workspace.
  depends_on = [azurerm_role_assignment.workspace_identity]
}

output "workspace_name" {
  value = azurerm_machine_learning_workspace.platform.name
}

output "workspace_id" {
  value = local.workspace_id
}

output "identity_id" {
  value = local.identity_id
}

output "identity_client_id" {
  value = azurerm_user_assigned_identity.workspace.client_id
}

output "identity_principal_id" {
  value = local.identity_principal_id
}

output "storage_account_name" {
  value = azurerm_storage_account.platform.name
}

output "key_vault_name" {
  value = azurerm_key_vault.platform.name
}

output "container_registry_name" {
  value = azurerm_container_registry.platform.name
}

output "application_insights_name" {
  value = azurerm_application_insights.platform.name
}

output "log_analytics_workspace_id" {
  value = local.log_analytics_id
}
