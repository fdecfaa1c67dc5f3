"""Read Terraform (`.tf`) into ARM-shaped resources, so the same checks run on Bicep, ARM and Terraform.

Parsing uses python-hcl2 (imported on first use). Its output (v8) keeps string literals in
double quotes (`'"mlw"'`) and writes expressions as `'${var.x}'`; older versions drop the
quotes, which is also understood. Values: `var.x` takes the value every module call in the
repository passes (when they agree on a literal), else the value in the folder's
`terraform.tfvars` / `*.auto.tfvars` (Terraform loads those automatically), else the
variable's literal default; `local.x` takes the local's literal value; anything else is
an `Expr`. Per-environment `-var-file`s are not applied: they are reported as parameter files.

`resource` blocks become resources; `data` blocks become `existing` references. The azurerm
resources that the criteria look at are translated to their ARM type and the ARM property
names (table below); `azapi_resource` already has an ARM type and body. Other resources
keep their Terraform type and attributes, so they still count as declared infrastructure.

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

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr, Location, Resource
from mlops_ladder.assessment.evidence.repo.iac.common import (
    avm_resource_type,
    shorten,
)
from mlops_ladder.assessment.evidence.repo.iac.model import ExternalModule

_META_KEYS = frozenset({
    "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "dynamic",
    "timeouts", "__is_block__", "__start_line__", "__end_line__",
})
_MODULE_KEYS = frozenset({"source", "version"})
_REFERENCE = re.compile(r"^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)$")
_INTERPOLATION = re.compile(r"\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}")
_ESCAPES = re.compile(r'\\(["\\nrt])')
_ESCAPED = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_JSONENCODE = re.compile(r"^\s*jsonencode\((.*)\)\s*$", re.DOTALL)
_MAX_DEPTH = 40


# -- the mapping table --------------------------------------------------------------------------
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


def _identity_type(value: Any) -> Any:
    """"SystemAssigned, UserAssigned" (Terraform) is spelled "SystemAssigned,UserAssigned" in ARM."""
    return re.sub(r"\s*,\s*", ",", value) if isinstance(value, str) else value


def _enforcement_mode(value: Any) -> Any:
    if isinstance(value, bool):
        return "Default" if value else "DoNotEnforce"
    return value


@dataclass(frozen=True)
class _Rule:
    source: str  # dotted Terraform attribute path; a block stands for its first instance
    target: str  # dotted ARM body path
    convert: Callable[[Any], Any] = _same


@dataclass(frozen=True)
class _Mapping:
    arm_type: str
    rules: tuple[_Rule, ...] = ()
    constants: tuple[tuple[str, Any], ...] = ()
    extra: Callable[[dict], dict] | None = None


_COMMON_RULES = (
    _Rule("name", "name"),
    _Rule("location", "location"),
    _Rule("tags", "tags"),
    _Rule("identity.type", "identity.type", _identity_type),
)


def _workspace_encryption(body: dict) -> dict:
    encryption = _get(body, "encryption")
    return {"properties.encryption.status": "Enabled"} if encryption is not _ABSENT else {}


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


_COMPUTE_CLUSTER = _Mapping(
    "Microsoft.MachineLearningServices/workspaces/computes",
    rules=(
        _Rule("local_auth_enabled", "properties.disableLocalAuth", _negated),
        _Rule("node_public_ip_enabled", "properties.properties.enableNodePublicIp"),
        _Rule("vm_size", "properties.properties.vmSize"),
        _Rule("vm_priority", "properties.properties.vmPriority"),
        _Rule("subnet_resource_id", "properties.properties.subnet.id"),
        _Rule("ssh_public_access_enabled", "properties.properties.remoteLoginPortPublicAccess",
              _enabled_text),
        _Rule("scale_settings.min_node_count", "properties.properties.scaleSettings.minNodeCount"),
        _Rule("scale_settings.max_node_count", "properties.properties.scaleSettings.maxNodeCount"),
        _Rule("scale_settings.scale_down_nodes_after_idle_duration",
              "properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown"),
    ),
    constants=(("properties.computeType", "AmlCompute"),),
)
_POLICY_ASSIGNMENT = _Mapping(
    "Microsoft.Authorization/policyAssignments",
    rules=(
        _Rule("policy_definition_id", "properties.policyDefinitionId"),
        _Rule("display_name", "properties.displayName"),
        _Rule("enforce", "properties.enforcementMode", _enforcement_mode),
    ),
)
_BUDGET = _Mapping(
    "Microsoft.Consumption/budgets",
    rules=(_Rule("amount", "properties.amount"), _Rule("time_grain", "properties.timeGrain")),
)
_SCHEDULED_QUERY = _Mapping(
    "Microsoft.Insights/scheduledQueryRules",
    rules=(_Rule("enabled", "properties.enabled"), _Rule("severity", "properties.severity"),
           _Rule("scopes", "properties.scopes")),
)
_DATASTORE = _Mapping("Microsoft.MachineLearningServices/workspaces/datastores")

MAPPINGS: dict[str, _Mapping] = {
    "azurerm_machine_learning_workspace": _Mapping(
        "Microsoft.MachineLearningServices/workspaces",
        rules=(
            _Rule("kind", "kind"),
            _Rule("sku_name", "sku.name"),
            _Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            _Rule("public_access_behind_virtual_network_enabled",
                  "properties.allowPublicAccessWhenBehindVnet"),
            _Rule("high_business_impact", "properties.hbiWorkspace"),
            _Rule("primary_user_assigned_identity", "properties.primaryUserAssignedIdentity"),
            _Rule("application_insights_id", "properties.applicationInsights"),
            _Rule("key_vault_id", "properties.keyVault"),
            _Rule("storage_account_id", "properties.storageAccount"),
            _Rule("container_registry_id", "properties.containerRegistry"),
            _Rule("v1_legacy_mode_enabled", "properties.v1LegacyMode"),
            _Rule("managed_network.isolation_mode", "properties.managedNetwork.isolationMode"),
            _Rule("encryption.key_vault_id", "properties.encryption.keyVaultProperties.keyVaultArmId"),
            _Rule("encryption.key_id", "properties.encryption.keyVaultProperties.keyIdentifier"),
            _Rule("encryption.user_assigned_identity_id",
                  "properties.encryption.identity.userAssignedIdentity"),
        ),
        extra=_workspace_encryption,
    ),
    "azurerm_machine_learning_compute_cluster": _COMPUTE_CLUSTER,
    "azurerm_machine_learning_compute_instance": _Mapping(
        "Microsoft.MachineLearningServices/workspaces/computes",
        rules=(
            _Rule("local_auth_enabled", "properties.disableLocalAuth", _negated),
            _Rule("node_public_ip_enabled", "properties.properties.enableNodePublicIp"),
            _Rule("virtual_machine_size", "properties.properties.vmSize"),
            _Rule("subnet_resource_id", "properties.properties.subnet.id"),
        ),
        constants=(("properties.computeType", "ComputeInstance"),),
    ),
    "azurerm_machine_learning_inference_cluster": _Mapping(
        "Microsoft.MachineLearningServices/workspaces/computes",
        constants=(("properties.computeType", "AKS"),),
    ),
    "azurerm_machine_learning_synapse_spark": _Mapping(
        "Microsoft.MachineLearningServices/workspaces/computes",
        constants=(("properties.computeType", "SynapseSpark"),),
    ),
    "azurerm_machine_learning_datastore_blobstorage": _DATASTORE,
    "azurerm_machine_learning_datastore_datalake_gen2": _DATASTORE,
    "azurerm_machine_learning_datastore_fileshare": _DATASTORE,
    "azurerm_key_vault": _Mapping(
        "Microsoft.KeyVault/vaults",
        rules=(
            _Rule("enable_rbac_authorization", "properties.enableRbacAuthorization"),
            _Rule("rbac_authorization_enabled", "properties.enableRbacAuthorization"),
            _Rule("purge_protection_enabled", "properties.enablePurgeProtection"),
            _Rule("soft_delete_retention_days", "properties.softDeleteRetentionInDays"),
            _Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            _Rule("sku_name", "properties.sku.name"),
            _Rule("tenant_id", "properties.tenantId"),
        ),
    ),
    "azurerm_key_vault_key": _Mapping("Microsoft.KeyVault/vaults/keys"),
    "azurerm_container_registry": _Mapping(
        "Microsoft.ContainerRegistry/registries",
        rules=(
            _Rule("sku", "sku.name"),
            _Rule("admin_enabled", "properties.adminUserEnabled"),
            _Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            _Rule("anonymous_pull_enabled", "properties.anonymousPullEnabled"),
            _Rule("zone_redundancy_enabled", "properties.zoneRedundancy", _enabled_text),
        ),
    ),
    "azurerm_storage_account": _Mapping(
        "Microsoft.Storage/storageAccounts",
        rules=(
            _Rule("account_kind", "kind"),
            _Rule("public_network_access_enabled", "properties.publicNetworkAccess", _enabled_text),
            _Rule("shared_access_key_enabled", "properties.allowSharedKeyAccess"),
            _Rule("allow_nested_items_to_be_public", "properties.allowBlobPublicAccess"),
            _Rule("min_tls_version", "properties.minimumTlsVersion"),
            _Rule("is_hns_enabled", "properties.isHnsEnabled"),
            _Rule("https_traffic_only_enabled", "properties.supportsHttpsTrafficOnly"),
            _Rule("enable_https_traffic_only", "properties.supportsHttpsTrafficOnly"),
        ),
        extra=_storage_sku,
    ),
    "azurerm_storage_container": _Mapping("Microsoft.Storage/storageAccounts/blobServices/containers"),
    "azurerm_private_endpoint": _Mapping(
        "Microsoft.Network/privateEndpoints",
        rules=(_Rule("subnet_id", "properties.subnet.id"),),
        extra=_private_endpoint_connections,
    ),
    "azurerm_private_dns_zone": _Mapping("Microsoft.Network/privateDnsZones"),
    "azurerm_virtual_network": _Mapping("Microsoft.Network/virtualNetworks"),
    "azurerm_subnet": _Mapping("Microsoft.Network/virtualNetworks/subnets"),
    "azurerm_network_security_group": _Mapping("Microsoft.Network/networkSecurityGroups"),
    "azurerm_role_assignment": _Mapping(
        "Microsoft.Authorization/roleAssignments",
        rules=(
            _Rule("principal_type", "properties.principalType"),
            _Rule("principal_id", "properties.principalId"),
            _Rule("role_definition_id", "properties.roleDefinitionId"),
            _Rule("scope", "scope"),
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
    "azurerm_monitor_diagnostic_setting": _Mapping(
        "Microsoft.Insights/diagnosticSettings",
        rules=(
            _Rule("log_analytics_workspace_id", "properties.workspaceId"),
            _Rule("storage_account_id", "properties.storageAccountId"),
            _Rule("eventhub_authorization_rule_id", "properties.eventHubAuthorizationRuleId"),
            _Rule("log_analytics_destination_type", "properties.logAnalyticsDestinationType"),
            _Rule("target_resource_id", "scope"),
        ),
    ),
    "azurerm_monitor_metric_alert": _Mapping(
        "Microsoft.Insights/metricAlerts",
        rules=(_Rule("enabled", "properties.enabled"), _Rule("severity", "properties.severity"),
               _Rule("scopes", "properties.scopes")),
    ),
    "azurerm_monitor_scheduled_query_rules_alert": _SCHEDULED_QUERY,
    "azurerm_monitor_scheduled_query_rules_alert_v2": _SCHEDULED_QUERY,
    "azurerm_monitor_scheduled_query_rules_log": _SCHEDULED_QUERY,
    "azurerm_monitor_activity_log_alert": _Mapping("Microsoft.Insights/activityLogAlerts"),
    "azurerm_monitor_action_group": _Mapping("Microsoft.Insights/actionGroups"),
    "azurerm_eventgrid_system_topic": _Mapping(
        "Microsoft.EventGrid/systemTopics",
        rules=(
            _Rule("topic_type", "properties.topicType"),
            _Rule("source_arm_resource_id", "properties.source"),
            _Rule("source_resource_id", "properties.source"),
        ),
    ),
    "azurerm_eventgrid_system_topic_event_subscription": _Mapping(
        "Microsoft.EventGrid/systemTopics/eventSubscriptions",
        rules=(_Rule("included_event_types", "properties.filter.includedEventTypes"),),
    ),
    "azurerm_eventgrid_event_subscription": _Mapping(
        "Microsoft.EventGrid/eventSubscriptions",
        rules=(_Rule("included_event_types", "properties.filter.includedEventTypes"),),
    ),
    "azurerm_application_insights": _Mapping(
        "Microsoft.Insights/components",
        rules=(_Rule("application_type", "kind"), _Rule("workspace_id", "properties.WorkspaceResourceId")),
    ),
    "azurerm_log_analytics_workspace": _Mapping("Microsoft.OperationalInsights/workspaces"),
    "azurerm_user_assigned_identity": _Mapping("Microsoft.ManagedIdentity/userAssignedIdentities"),
    "azurerm_resource_group": _Mapping("Microsoft.Resources/resourceGroups"),
}


# -- parsing --------------------------------------------------------------------------------------
class TerraformReader:
    """Parses HCL text; create one per scan."""

    def __init__(self) -> None:
        import hcl2

        self._hcl2 = hcl2
        try:
            from hcl2.utils import SerializationOptions
        except ImportError:  # python-hcl2 before 8: no options, strings come without quotes
            self._options = None
        else:
            self._options = SerializationOptions(with_comments=False, preserve_heredocs=False)

    def loads(self, text: str) -> dict:
        if self._options is None:
            return self._hcl2.loads(text)
        return self._hcl2.loads(text, serialization_options=self._options)


@dataclass
class TerraformFile:
    path: str
    text: str
    data: dict


@dataclass
class TerraformResult:
    resources: list[Resource] = field(default_factory=list)
    module_refs: dict[str, list[str]] = field(default_factory=dict)
    external_modules: list[ExternalModule] = field(default_factory=list)


@dataclass
class _Folder:
    """One Terraform module: the .tf files of a folder."""

    path: str
    files: list[TerraformFile] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)  # name -> default as written (_ABSENT if none)
    locals: dict[str, Any] = field(default_factory=dict)
    auto_values: dict[str, Any] = field(default_factory=dict)  # from terraform.tfvars / *.auto.tfvars


_ABSENT: Any = object()


def build_resources(
    files: list[TerraformFile],
    auto_tfvars: dict[str, list[dict]],
    tf_paths: set[str],
    reader: TerraformReader,
) -> TerraformResult:
    """Resources, module references and external modules of the parsed .tf files.

    *auto_tfvars* maps a folder to the parsed contents of its terraform.tfvars / *.auto.tfvars;
    *tf_paths* are all .tf files of the repository (to list a local module's files)."""
    folders: dict[str, _Folder] = {}
    for file in files:
        folder = folders.setdefault(posixpath.dirname(file.path), _Folder(posixpath.dirname(file.path)))
        folder.files.append(file)
        for block in _blocks(file.data.get("variable")):
            for name, spec in block.items():
                default = spec.get("default", _ABSENT) if isinstance(spec, dict) else _ABSENT
                folder.variables[_label(name)] = default
        for block in _blocks(file.data.get("locals")):
            folder.locals.update({k: v for k, v in block.items() if k not in _META_KEYS})
    for path, contents in auto_tfvars.items():
        if path in folders:
            for values in contents:
                folders[path].auto_values.update(values)

    result = TerraformResult()
    calls: dict[str, list[tuple[str, dict]]] = {}
    for folder in folders.values():
        for file in folder.files:
            _read_modules(file, folder, tf_paths, calls, result)
    resolver = _Resolver(folders, calls)
    for folder in folders.values():
        scope = resolver.scope(folder.path)
        for file in folder.files:
            for kind in ("resource", "data"):
                for tf_type, label, body in _typed_blocks(file.data.get(kind)):
                    result.resources.append(_resource(file, kind, tf_type, label, body, scope, reader))
    return result


def _read_modules(
    file: TerraformFile, folder: _Folder, tf_paths: set[str], calls: dict[str, list[tuple[str, dict]]],
    result: TerraformResult,
) -> None:
    for block in _blocks(file.data.get("module")):
        for name, body in block.items():
            if not isinstance(body, dict):
                continue
            source = _literal_text(body.get("source"))
            if source is None:
                continue
            line = _line_of(file.text, rf'module\s+"{re.escape(_label(name))}"')
            if source.startswith(("./", "../")):
                target = _join_folder(folder.path, source)
                if target is None:
                    continue
                members = sorted(p for p in tf_paths if posixpath.dirname(p) == target)
                refs = result.module_refs.setdefault(file.path, [])
                for member in members or [target]:
                    if member not in refs:
                        refs.append(member)
                args = {k: v for k, v in body.items() if k not in _META_KEYS and k not in _MODULE_KEYS}
                calls.setdefault(target, []).append((folder.path, args))
            else:
                result.external_modules.append(
                    ExternalModule(Location(file.path, line), source, avm_resource_type(source))
                )


def _join_folder(folder: str, source: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(folder, source))
    if joined.startswith("..") or joined.startswith("/"):
        return None
    return "" if joined == "." else joined


def _resource(
    file: TerraformFile,
    kind: str,
    tf_type: str,
    label: str,
    raw: dict,
    scope: _Scope,
    reader: TerraformReader,
) -> Resource:
    body = scope.resolve({k: v for k, v in raw.items() if k not in _META_KEYS})
    _expand_dynamic_blocks(raw, body, scope)
    keyword = "resource" if kind == "resource" else "data"
    line = _line_of(file.text, rf'{keyword}\s+"{re.escape(tf_type)}"\s+"{re.escape(label)}"')
    address = f"{tf_type}.{label}" if kind == "resource" else f"data.{tf_type}.{label}"
    api_version = None
    if tf_type in ("azapi_resource", "azapi_update_resource"):
        arm_type, api_version, arm_body = _azapi(raw, body, scope, reader)
        existing = kind == "data" or tf_type == "azapi_update_resource"
    elif tf_type in MAPPINGS:
        mapping = MAPPINGS[tf_type]
        arm_type, arm_body, existing = mapping.arm_type, _map(mapping, body), kind == "data"
    else:
        arm_type, arm_body, existing = tf_type, body, kind == "data"
    name = arm_body.get("name")
    return Resource(
        type=arm_type,
        name=name if isinstance(name, str) else address,
        body=arm_body,
        location=Location(file.path, line),
        api_version=api_version,
        existing=existing,
        source="terraform",
    )


def _expand_dynamic_blocks(raw: dict, body: dict, scope: _Scope) -> None:
    """`dynamic "identity" { content { ... } }` counts as an `identity` block."""
    for block in _blocks(raw.get("dynamic")):
        for name, spec in block.items():
            content = spec.get("content") if isinstance(spec, dict) else None
            if content and _label(name) not in body:
                body[_label(name)] = scope.resolve(content)


def _azapi(raw: dict, body: dict, scope: _Scope, reader: TerraformReader) -> tuple[str, str | None, dict]:
    type_text = body.get("type")
    arm_type, api_version = "azapi", None
    if isinstance(type_text, str):
        arm_type, _, version = type_text.partition("@")
        api_version = version or None
    arm_body = body.get("body")
    if isinstance(arm_body, Expr):
        arm_body = _jsonencode_body(raw.get("body"), scope, reader)
    arm_body = dict(arm_body) if isinstance(arm_body, dict) else {}
    for key in ("name", "location", "tags"):
        if key in body and key not in arm_body:
            arm_body[key] = body[key]
    identity = _get(body, "identity.type")
    if identity is not _ABSENT and "identity" not in arm_body:
        arm_body["identity"] = {"type": _identity_type(identity)}
    return arm_type, api_version, arm_body


def _jsonencode_body(raw: Any, scope: _Scope, reader: TerraformReader) -> Any:
    """The object inside `body = jsonencode({...})` (azapi 1.x), parsed as HCL."""
    if not isinstance(raw, str):
        return None
    text = raw[2:-1] if raw.startswith("${") and raw.endswith("}") else raw
    match = _JSONENCODE.match(text)
    if not match:
        return None
    try:
        parsed = reader.loads(f"body = {match.group(1)}\n")
    except Exception:  # an expression HCL cannot read on its own: keep the Expr
        return None
    return scope.resolve(parsed.get("body"))


def _map(mapping: _Mapping, body: dict) -> dict:
    arm: dict = {}
    for rule in (*_COMMON_RULES, *mapping.rules):
        value = _get(body, rule.source)
        if value is not _ABSENT:
            _put(arm, rule.target, rule.convert(value))
    for target, constant in mapping.constants:
        _put(arm, target, constant)
    if mapping.extra is not None:
        for target, value in mapping.extra(body).items():
            _put(arm, target, value)
    return arm


def _get(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if isinstance(node, list):  # a block: its first instance
            node = node[0] if node else _ABSENT
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
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


# -- values ---------------------------------------------------------------------------------------
class _Resolver:
    """Variable values per folder, following module calls made inside the repository."""

    def __init__(self, folders: dict[str, _Folder], calls: dict[str, list[tuple[str, dict]]]) -> None:
        self._folders = folders
        self._calls = calls
        self._scopes: dict[str, _Scope] = {}
        self._building: set[str] = set()

    def scope(self, path: str) -> _Scope:
        if path not in self._scopes:
            self._building.add(path)
            passed = self._passed_values(path)
            self._building.discard(path)
            self._scopes[path] = _Scope(self._folders[path], passed)
        return self._scopes[path]

    def _passed_values(self, path: str) -> dict[str, Any]:
        values: dict[str, list[Any]] = {}
        for caller, args in self._calls.get(path, ()):
            if caller in self._building or caller not in self._folders:
                continue
            caller_scope = self.scope(caller)
            for name, raw in args.items():
                values.setdefault(name, []).append(caller_scope.resolve(raw))
        return {
            name: found[0] if all(v == found[0] for v in found[1:]) else Expr(f"var.{name}")
            for name, found in values.items()
        }


class _Scope:
    def __init__(self, folder: _Folder, passed: dict[str, Any]) -> None:
        self._folder = folder
        self._passed = passed
        self._values: dict[tuple[str, str], Any] = {}
        self._resolving: set[tuple[str, str]] = set()

    def lookup(self, kind: str, name: str) -> Any:
        key = (kind, name)
        if key in self._values:
            return self._values[key]
        if key in self._resolving:
            return Expr(f"{kind}.{name}")
        self._resolving.add(key)
        try:
            value = self._lookup(kind, name)
        finally:
            self._resolving.discard(key)
        self._values[key] = value
        return value

    def _lookup(self, kind: str, name: str) -> Any:
        if kind == "local":
            raw = self._folder.locals.get(name, _ABSENT)
            return Expr(f"local.{name}") if raw is _ABSENT else self.resolve(raw)
        if name in self._passed:
            return self._passed[name]
        if name in self._folder.auto_values:
            return self.resolve(self._folder.auto_values[name])
        default = self._folder.variables.get(name, _ABSENT)
        return Expr(f"var.{name}") if default is _ABSENT or default is None else self.resolve(default)

    def resolve(self, raw: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return Expr("…")
        if isinstance(raw, str):
            return self._resolve_text(raw)
        if isinstance(raw, list):
            return [self.resolve(v, depth + 1) for v in raw]
        if isinstance(raw, dict):
            return {_label(k): self.resolve(v, depth + 1) for k, v in raw.items() if k not in _META_KEYS}
        return raw

    def _resolve_text(self, raw: str) -> Any:
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            text = _unescape(raw[1:-1])
            return self._interpolate(text) if "${" in text else text
        if raw.startswith("${") and raw.endswith("}"):
            inner = raw[2:-1].strip()
            reference = _REFERENCE.match(inner)
            if reference:
                return self.lookup(reference.group(1), reference.group(2))
            return Expr(shorten(inner))
        return raw  # python-hcl2 < 8 gives literals without quotes

    def _interpolate(self, text: str) -> Any:
        whole = _INTERPOLATION.fullmatch(text)
        if whole:
            return self.lookup(whole.group(1), whole.group(2))

        def fill(match: re.Match[str]) -> str:
            value = self.lookup(match.group(1), match.group(2))
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value) if isinstance(value, (str, int, float)) else match.group(0)

        return _INTERPOLATION.sub(fill, text)


def _unescape(text: str) -> str:
    return _ESCAPES.sub(lambda m: _ESCAPED[m.group(1)], text) if "\\" in text else text


def _label(text: Any) -> str:
    text = str(text)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _literal_text(raw: Any) -> str | None:
    if not isinstance(raw, str) or raw.startswith("${"):
        return None
    return _label(raw)


def _blocks(raw: Any) -> list[dict]:
    if isinstance(raw, dict):
        return [raw]
    return [b for b in raw if isinstance(b, dict)] if isinstance(raw, list) else []


def _typed_blocks(raw: Any) -> list[tuple[str, str, dict]]:
    """(type, name, body) of `resource "type" "name" {...}` blocks."""
    out = []
    for block in _blocks(raw):
        for tf_type, named in block.items():
            if not isinstance(named, dict):
                continue
            for label, body in named.items():
                if isinstance(body, dict) and not str(label).startswith("__"):
                    out.append((_label(tf_type), _label(label), body))
    return out


def _line_of(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def auto_tfvars_values(data: dict) -> dict:
    """Variable assignments of a parsed .tfvars file."""
    return {k: v for k, v in data.items() if not k.startswith("__")}
