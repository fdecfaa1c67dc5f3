"""The azurerm resources that the criteria look at, mapped to their ARM type and ARM property names.

`azapi_resource` already has an ARM type and body (resources.py). Other resources keep their
Terraform type and attributes, so they still count as declared infrastructure.

    azurerm type (azurerm_ omitted)      ARM type; Terraform attribute -> ARM property
    machine_learning_workspace           Microsoft.MachineLearningServices/workspaces
      public_network_access_enabled        properties.publicNetworkAccess (Enabled / Disabled)
      managed_network.isolation_mode       properties.managedNetwork.isolationMode
      identity.type                        identity.type ("SystemAssigned,UserAssigned")
      primary_user_assigned_identity       properties.primaryUserAssignedIdentity
      encryption (block present)           properties.encryption.status Enabled (+ key ids)
      kind, sku_name, high_business_impact kind, sku.name, properties.hbiWorkspace
    machine_learning_compute_cluster     .../workspaces/computes, properties.computeType AmlCompute
      scale_settings.min_node_count        properties.properties.scaleSettings.minNodeCount
      local_auth_enabled                   properties.disableLocalAuth (negated)
      node_public_ip_enabled               properties.properties.enableNodePublicIp
    machine_learning_compute_instance    .../workspaces/computes, computeType ComputeInstance
    machine_learning_inference_cluster   .../workspaces/computes, computeType AKS
    machine_learning_datastore_*         .../workspaces/datastores
    key_vault                            Microsoft.KeyVault/vaults
      enable_rbac_authorization,           properties.enableRbacAuthorization
        rbac_authorization_enabled
      purge_protection_enabled             properties.enablePurgeProtection
      public_network_access_enabled        properties.publicNetworkAccess
    container_registry                   Microsoft.ContainerRegistry/registries
      admin_enabled                        properties.adminUserEnabled
      public_network_access_enabled        properties.publicNetworkAccess
    data_factory                         Microsoft.DataFactory/factories
      public_network_enabled               properties.publicNetworkAccess (Enabled / Disabled)
    data_factory_managed_private_endpoint .../factories/managedVirtualNetworks/managedPrivateEndpoints
    storage_account                      Microsoft.Storage/storageAccounts
      public_network_access_enabled        properties.publicNetworkAccess
      shared_access_key_enabled            properties.allowSharedKeyAccess
    private_endpoint                     Microsoft.Network/privateEndpoints
      private_service_connection[]         properties.privateLinkServiceConnections[]
        .subresource_names                   .properties.groupIds
    role_assignment                      Microsoft.Authorization/roleAssignments
      principal_type                       properties.principalType
    *_policy_assignment                  Microsoft.Authorization/policyAssignments
    consumption_budget_*                 Microsoft.Consumption/budgets
    monitor_diagnostic_setting           Microsoft.Insights/diagnosticSettings
      log_analytics_workspace_id           properties.workspaceId
    monitor_metric_alert                 Microsoft.Insights/metricAlerts
    monitor_scheduled_query_rules_*      Microsoft.Insights/scheduledQueryRules
    eventgrid_system_topic               Microsoft.EventGrid/systemTopics
      topic_type                           properties.topicType
    (identities, resource groups, networks, DNS zones, App Insights, Log Analytics: type only;
    the full table is MAPPINGS below)

Provider defaults are not filled in: an attribute that is not written is absent, as an
unset property is in Bicep.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr
from mlops_ladder.assessment.evidence.repo.iac.terraform.hcl import ABSENT


def _same(value: Any) -> Any:
    return value


def _enabled_text(value: Any) -> Any:
    """Terraform's `*_enabled = true|false` as ARM's "Enabled" / "Disabled"."""
    if isinstance(value, bool):
        return "Enabled" if value else "Disabled"
    return value


def _negated(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, Expr):
        return Expr(f"!({value.text})")
    return value


def identity_type(value: Any) -> Any:
    """"SystemAssigned, UserAssigned" (Terraform) is spelled "SystemAssigned,UserAssigned" in ARM."""
    return re.sub(r"\s*,\s*", ",", value) if isinstance(value, str) else value


def _enforcement_mode(value: Any) -> Any:
    if isinstance(value, bool):
        return "Default" if value else "DoNotEnforce"
    return value


@dataclass(frozen=True)
class Rule:
    source: str  # dotted Terraform attribute path; a block stands for its first instance
    target: str  # dotted ARM body path
    convert: Callable[[Any], Any] = _same


@dataclass(frozen=True)
class ArmMapping:
    arm_type: str
    rules: tuple[Rule, ...] = ()
    constants: tuple[tuple[str, Any], ...] = ()
    extra: Callable[[dict], dict] | None = None


_COMMON_RULES = (
    Rule("name", "name"),
    Rule("location", "location"),
    Rule("tags", "tags"),
    Rule("identity.type", "identity.type", identity_type),
)


def _workspace_encryption(body: dict) -> dict:
    encryption = get_path(body, "encryption")
    return {"properties.encryption.status": "Enabled"} if encryption is not ABSENT else {}


def _private_endpoint_connections(body: dict) -> dict:
    out: dict[str, Any] = {}
    connections = body.get("private_service_connection")
    for block in connections if isinstance(connections, list) else [connections] if connections else []:
        if not isinstance(block, dict):
            continue
        arm = {
            "name": block.get("name"),
            "properties": {
                "privateLinkServiceId": block.get("private_connection_resource_id"),
                "groupIds": block.get("subresource_names"),
            },
        }
        key = "manualPrivateLinkServiceConnections" if block.get("is_manual_connection") is True else (
            "privateLinkServiceConnections")
        out.setdefault(f"properties.{key}", []).append(arm)
    return out


def _storage_sku(body: dict) -> dict:
    tier, replication = body.get("account_tier"), body.get("account_replication_type")
    if isinstance(tier, str) and isinstance(replication, str):
        return {"sku.name": f"{tier}_{replication}"}
    return {}


_COMPUTE_CLUSTER = ArmMapping(
    "Microsoft.MachineLearningServices/workspaces/computes",
    rules=(
        Rule("local_auth_enabled", "properties.disableLocalAuth", _negated),
        Rule("node_public_ip_enabled", "properties.properties.enableNodePublicIp"),
        Rule("vm_size", "properties.properties.vmSize"),
        Rule("vm_priority", "properties.properties.vmPriority"),
        Rule("subnet_resource_id", "properties.properties.subnet.id"),
        Rule("ssh_public_access_enabled", "properties.properties.remoteLoginPortPublicAccess",
              _enabled_text),
        Rule("scale_settings.min_node_count", "properties.properties.scaleSettings.minNodeCount"),
        Rule("scale_settings.max_node_count", "properties.properties.scaleSettings.maxNodeCount"),
        Rule("scale_settings.scale_down_nodes_after_idle_duration",
              "properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown"),
    ),
    constants=(("properties.computeType", "AmlCompute"),),
)
_POLICY_ASSIGNMENT = ArmMapping(
    "Microsoft.Authorization/policyAssignments",
    rules=(
        Rule("policy_definition_id", "properties.policyDefinitionId"),
        Rule("display_name", "properties.displayName"),
        Rule("enforce", "properties.enforcementMode", _enforcement_mode),
    ),
)
_BUDGET = ArmMapping(
    "Microsoft.Consumption/budgets",
    rules=(Rule("amount", "properties.amount"), Rule("time_grain", "properties.timeGrain")),
)
_SCHEDULED_QUERY = ArmMapping(
    "Microsoft.Insights/scheduledQueryRules",
    rules=(Rule("enabled", "properties.enabled"), Rule("severity", "properties.severity"),
           Rule("scopes", "properties.scopes")),
)
_DATASTORE = ArmMapping("Microsoft.MachineLearningServices/workspaces/datastores")

MAPPINGS: dict[str, ArmMapping] = {
    "azurerm_machine_learning_workspace": ArmMapping(
        "Microsoft.MachineLearningServices/workspaces",
        rules=(
            Rule("kind", "kind"),
            Rule("sku_name", "sku.name"),
            Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            Rule("public_access_behind_virtual_network_enabled",
                  "properties.allowPublicAccessWhenBehindVnet"),
            Rule("high_business_impact", "properties.hbiWorkspace"),
            Rule("primary_user_assigned_identity", "properties.primaryUserAssignedIdentity"),
            Rule("application_insights_id", "properties.applicationInsights"),
            Rule("key_vault_id", "properties.keyVault"),
            Rule("storage_account_id", "properties.storageAccount"),
            Rule("container_registry_id", "properties.containerRegistry"),
            Rule("v1_legacy_mode_enabled", "properties.v1LegacyMode"),
            Rule("managed_network.isolation_mode", "properties.managedNetwork.isolationMode"),
            Rule("encryption.key_vault_id", "properties.encryption.keyVaultProperties.keyVaultArmId"),
            Rule("encryption.key_id", "properties.encryption.keyVaultProperties.keyIdentifier"),
            Rule("encryption.user_assigned_identity_id",
                  "properties.encryption.identity.userAssignedIdentity"),
        ),
        extra=_workspace_encryption,
    ),
    "azurerm_machine_learning_compute_cluster": _COMPUTE_CLUSTER,
    "azurerm_machine_learning_compute_instance": ArmMapping(
        "Microsoft.MachineLearningServices/workspaces/computes",
        rules=(
            Rule("local_auth_enabled", "properties.disableLocalAuth", _negated),
            Rule("node_public_ip_enabled", "properties.properties.enableNodePublicIp"),
            Rule("virtual_machine_size", "properties.properties.vmSize"),
            Rule("subnet_resource_id", "properties.properties.subnet.id"),
        ),
        constants=(("properties.computeType", "ComputeInstance"),),
    ),
    "azurerm_machine_learning_inference_cluster": ArmMapping(
        "Microsoft.MachineLearningServices/workspaces/computes",
        constants=(("properties.computeType", "AKS"),),
    ),
    "azurerm_machine_learning_synapse_spark": ArmMapping(
        "Microsoft.MachineLearningServices/workspaces/computes",
        constants=(("properties.computeType", "SynapseSpark"),),
    ),
    "azurerm_machine_learning_datastore_blobstorage": _DATASTORE,
    "azurerm_machine_learning_datastore_datalake_gen2": _DATASTORE,
    "azurerm_machine_learning_datastore_fileshare": _DATASTORE,
    "azurerm_key_vault": ArmMapping(
        "Microsoft.KeyVault/vaults",
        rules=(
            Rule("enable_rbac_authorization", "properties.enableRbacAuthorization"),
            Rule("rbac_authorization_enabled", "properties.enableRbacAuthorization"),
            Rule("purge_protection_enabled", "properties.enablePurgeProtection"),
            Rule("soft_delete_retention_days", "properties.softDeleteRetentionInDays"),
            Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            Rule("sku_name", "properties.sku.name"),
            Rule("tenant_id", "properties.tenantId"),
        ),
    ),
    "azurerm_key_vault_key": ArmMapping("Microsoft.KeyVault/vaults/keys"),
    "azurerm_container_registry": ArmMapping(
        "Microsoft.ContainerRegistry/registries",
        rules=(
            Rule("sku", "sku.name"),
            Rule("admin_enabled", "properties.adminUserEnabled"),
            Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            Rule("anonymous_pull_enabled", "properties.anonymousPullEnabled"),
            Rule("zone_redundancy_enabled", "properties.zoneRedundancy", _enabled_text),
        ),
    ),
    "azurerm_storage_account": ArmMapping(
        "Microsoft.Storage/storageAccounts",
        rules=(
            Rule("account_kind", "kind"),
            Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            Rule("shared_access_key_enabled", "properties.allowSharedKeyAccess"),
            Rule("allow_nested_items_to_be_public", "properties.allowBlobPublicAccess"),
            Rule("min_tls_version", "properties.minimumTlsVersion"),
            Rule("is_hns_enabled", "properties.isHnsEnabled"),
            Rule("https_traffic_only_enabled", "properties.supportsHttpsTrafficOnly"),
            Rule("enable_https_traffic_only", "properties.supportsHttpsTrafficOnly"),
        ),
        extra=_storage_sku,
    ),
    "azurerm_storage_container": ArmMapping("Microsoft.Storage/storageAccounts/blobServices/containers"),
    "azurerm_data_factory": ArmMapping(
        "Microsoft.DataFactory/factories",
        rules=(Rule("public_network_enabled", "properties.publicNetworkAccess", _enabled_text),),
    ),
    "azurerm_data_factory_managed_private_endpoint": ArmMapping(
        "Microsoft.DataFactory/factories/managedVirtualNetworks/managedPrivateEndpoints",
        rules=(Rule("subresource_name", "properties.groupId"),
               Rule("target_resource_id", "properties.privateLinkResourceId")),
    ),
    "azurerm_private_endpoint": ArmMapping(
        "Microsoft.Network/privateEndpoints",
        rules=(Rule("subnet_id", "properties.subnet.id"),),
        extra=_private_endpoint_connections,
    ),
    "azurerm_private_dns_zone": ArmMapping("Microsoft.Network/privateDnsZones"),
    "azurerm_virtual_network": ArmMapping("Microsoft.Network/virtualNetworks"),
    "azurerm_subnet": ArmMapping("Microsoft.Network/virtualNetworks/subnets"),
    "azurerm_network_security_group": ArmMapping("Microsoft.Network/networkSecurityGroups"),
    "azurerm_role_assignment": ArmMapping(
        "Microsoft.Authorization/roleAssignments",
        rules=(
            Rule("principal_type", "properties.principalType"),
            Rule("principal_id", "properties.principalId"),
            Rule("role_definition_id", "properties.roleDefinitionId"),
            Rule("scope", "scope"),
        ),
    ),
    "azurerm_policy_assignment": _POLICY_ASSIGNMENT,
    "azurerm_resource_group_policy_assignment": _POLICY_ASSIGNMENT,
    "azurerm_subscription_policy_assignment": _POLICY_ASSIGNMENT,
    "azurerm_management_group_policy_assignment": _POLICY_ASSIGNMENT,
    "azurerm_resource_policy_assignment": _POLICY_ASSIGNMENT,
    "azurerm_consumption_budget_resource_group": _BUDGET,
    "azurerm_consumption_budget_subscription": _BUDGET,
    "azurerm_consumption_budget_management_group": _BUDGET,
    "azurerm_monitor_diagnostic_setting": ArmMapping(
        "Microsoft.Insights/diagnosticSettings",
        rules=(
            Rule("log_analytics_workspace_id", "properties.workspaceId"),
            Rule("storage_account_id", "properties.storageAccountId"),
            Rule("eventhub_authorization_rule_id", "properties.eventHubAuthorizationRuleId"),
            Rule("log_analytics_destination_type", "properties.logAnalyticsDestinationType"),
            Rule("target_resource_id", "scope"),
        ),
    ),
    "azurerm_monitor_metric_alert": ArmMapping(
        "Microsoft.Insights/metricAlerts",
        rules=(Rule("enabled", "properties.enabled"), Rule("severity", "properties.severity"),
               Rule("scopes", "properties.scopes")),
    ),
    "azurerm_monitor_scheduled_query_rules_alert": _SCHEDULED_QUERY,
    "azurerm_monitor_scheduled_query_rules_alert_v2": _SCHEDULED_QUERY,
    "azurerm_monitor_scheduled_query_rules_log": _SCHEDULED_QUERY,
    "azurerm_monitor_activity_log_alert": ArmMapping("Microsoft.Insights/activityLogAlerts"),
    "azurerm_monitor_action_group": ArmMapping("Microsoft.Insights/actionGroups"),
    "azurerm_eventgrid_system_topic": ArmMapping(
        "Microsoft.EventGrid/systemTopics",
        rules=(
            Rule("topic_type", "properties.topicType"),
            Rule("source_arm_resource_id", "properties.source"),
            Rule("source_resource_id", "properties.source"),
        ),
    ),
    "azurerm_eventgrid_system_topic_event_subscription": ArmMapping(
        "Microsoft.EventGrid/systemTopics/eventSubscriptions",
        rules=(Rule("included_event_types", "properties.filter.includedEventTypes"),),
    ),
    "azurerm_eventgrid_event_subscription": ArmMapping(
        "Microsoft.EventGrid/eventSubscriptions",
        rules=(Rule("included_event_types", "properties.filter.includedEventTypes"),),
    ),
    "azurerm_application_insights": ArmMapping(
        "Microsoft.Insights/components",
        rules=(Rule("application_type", "kind"), Rule("workspace_id", "properties.WorkspaceResourceId")),
    ),
    "azurerm_log_analytics_workspace": ArmMapping("Microsoft.OperationalInsights/workspaces"),
    "azurerm_user_assigned_identity": ArmMapping("Microsoft.ManagedIdentity/userAssignedIdentities"),
    "azurerm_resource_group": ArmMapping("Microsoft.Resources/resourceGroups"),
}


def map_body(mapping: ArmMapping, body: dict) -> dict:
    arm: dict = {}
    for rule in (*_COMMON_RULES, *mapping.rules):
        value = get_path(body, rule.source)
        if value is not ABSENT:
            _put(arm, rule.target, rule.convert(value))
    for target, constant in mapping.constants:
        _put(arm, target, constant)
    if mapping.extra is not None:
        for target, value in mapping.extra(body).items():
            _put(arm, target, value)
    return arm


def get_path(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if isinstance(node, list):  # a block: its first instance
            node = node[0] if node else ABSENT
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return node


def _put(body: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = body
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value
