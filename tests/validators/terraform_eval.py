"""Evaluate a Terraform root module into the resource instances it creates (see
tests/validators/iac_instances.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from tests.validators.iac_instances import ROLE_ASSIGNMENT, Unknown, as_text, instance_name

# azurerm resource type -> ARM resource type (azapi_resource names its own in `type`).
AZURERM_TYPES = {
    "azurerm_monitor_diagnostic_setting": "Microsoft.Insights/diagnosticSettings",
    "azurerm_monitor_action_group": "Microsoft.Insights/actionGroups",
    "azurerm_storage_queue": "Microsoft.Storage/storageAccounts/queueServices/queues",
    "azurerm_eventgrid_system_topic": "Microsoft.EventGrid/systemTopics",
    "azurerm_eventgrid_system_topic_event_subscription":
        "Microsoft.EventGrid/systemTopics/eventSubscriptions",
    "azurerm_role_assignment": ROLE_ASSIGNMENT,
    "azurerm_monitor_metric_alert": "Microsoft.Insights/metricAlerts",
    "azurerm_monitor_scheduled_query_rules_alert_v2": "Microsoft.Insights/scheduledQueryRules",
    "azurerm_consumption_budget_resource_group": "Microsoft.Consumption/budgets",
    "azurerm_network_security_group": "Microsoft.Network/networkSecurityGroups",
    "azurerm_virtual_network": "Microsoft.Network/virtualNetworks",
    "azurerm_private_dns_zone": "Microsoft.Network/privateDnsZones",
    "azurerm_private_dns_zone_virtual_network_link": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "azurerm_private_endpoint": "Microsoft.Network/privateEndpoints",
    "azurerm_machine_learning_workspace_network_outbound_rule_fqdn":
        "Microsoft.MachineLearningServices/workspaces/outboundRules",
    "azurerm_resource_group_policy_assignment": "Microsoft.Authorization/policyAssignments",
    "azurerm_management_lock": "Microsoft.Authorization/locks",
    "azurerm_user_assigned_identity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "azurerm_container_app_environment": "Microsoft.App/managedEnvironments",
    "azurerm_container_app_job": "Microsoft.App/jobs",
    "azurerm_logic_app_workflow": "Microsoft.Logic/workflows",
    # 25-data-factory.tf (data_pipeline: adf)
    "azurerm_storage_container": "Microsoft.Storage/storageAccounts/blobServices/containers",
    "azurerm_data_factory": "Microsoft.DataFactory/factories",
    "azurerm_data_factory_managed_private_endpoint":
        "Microsoft.DataFactory/factories/managedVirtualNetworks/managedPrivateEndpoints",
    "azurerm_machine_learning_datastore_blobstorage":
        "Microsoft.MachineLearningServices/workspaces/datastores",
}
# Parts of a Logic App's workflow definition that azurerm manages as resources of their own; in ARM
# (and in the Bicep) they are properties of Microsoft.Logic/workflows, not resources.
WORKFLOW_PARTS = frozenset({"azurerm_logic_app_trigger_http_request", "azurerm_logic_app_action_custom"})
# Nested blocks that ARM deploys as child resources of their own: (block, ARM type).
INLINE_CHILDREN = {"azurerm_private_endpoint": ("private_dns_zone_group",
                                                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups")}

_PUNCTUATION = frozenset({"NL_OR_COMMENT", "LBRACE", "RBRACE", "EQ", "DBLQUOTE", "DOT", "COMMA",
                          "INTERP_START", "LPAR", "RPAR", "LSQB", "RSQB", "QMARK", "COLON", "FOR", "IN",
                          "IF", "FOR_OBJECT_ARROW", "FULL_SPLAT_START", "ELLIPSIS"})


def _parts(node: Any) -> list[Any]:
    """The children that carry meaning (no brackets, quotes, commas, keywords of syntax or newlines)."""
    from lark import Token

    return [c for c in node.children if not (isinstance(c, Token) and c.type in _PUNCTUATION)
            and getattr(c, "data", None) != "new_line_or_comment"]


class _Terraform:
    FUNCTIONS: ClassVar[dict[str, Any]] = {
        "toset": lambda v: list(dict.fromkeys(v)),
        "flatten": lambda v: [x for item in v for x in (item if isinstance(item, list) else [item])],
        "values": lambda v: list(v.values()),
        "keys": lambda v: list(v),
        "lower": lambda v: as_text(v).lower(),
        "split": lambda sep, v: as_text(v).split(sep),
        "element": lambda v, i: v[i % len(v)],
        "substr": lambda v, start, length: as_text(v)[start:start + length],
        "replace": lambda v, old, new: as_text(v).replace(old, new),
        "coalesce": lambda *v: next(x for x in v if x not in (None, "")),
        "jsonencode": json.dumps,
        "one": lambda v: v[0] if v else None,
        "can": lambda v: True,
        "regex": lambda pattern, v: v,
        "length": len,
        "endswith": lambda v, suffix: as_text(v).endswith(suffix),
        "urlencode": lambda v: quote(as_text(v), safe=""),
    }

    def __init__(self, module: Path, variables: dict[str, Any], resource_files: set[str] | None) -> None:
        import hcl2

        self.module = module
        self.locals_source: dict[str, Any] = {}
        self.values: dict[str, Any] = {}
        self.variables = dict(variables)
        self.resources: list[tuple[str, str, Any]] = []
        for path in sorted(module.glob("*.tf")):
            for block in _parts(hcl2.parses_to_tree(path.read_text()).children[0]):
                if block.data != "block":
                    continue
                kind, *labels = [self.literal(p) for p in _parts(block)[:-1]]
                body = _parts(block)[-1]
                if kind == "locals":
                    self.locals_source.update({self.literal(_parts(a)[0]): _parts(a)[1] for a in _parts(body)
                                               if a.data == "attribute"})
                elif kind == "variable" and labels[0] not in self.variables:
                    default = self.attributes(body).get("default")
                    self.variables[labels[0]] = self.eval(default, {}) if default is not None else None
                elif kind == "resource" and (resource_files is None or path.name in resource_files):
                    self.resources.append((labels[0], labels[1], body))

    def literal(self, node: Any) -> str:
        from lark import Token

        if isinstance(node, Token):
            return str(node)
        if node.data == "string":
            return "".join(str(p.children[0]) for p in _parts(node))
        return self.literal(_parts(node)[0])

    def attributes(self, body: Any) -> dict[str, Any]:
        return {self.literal(_parts(a)[0]): _parts(a)[1] for a in _parts(body) if a.data == "attribute"}

    def blocks(self, body: Any, name: str) -> list[Any]:
        return [_parts(b)[-1] for b in _parts(body)
                if b.data == "block" and self.literal(_parts(b)[0]) == name]

    def local(self, name: str) -> Any:
        if name not in self.values:
            self.values[name] = self.eval(self.locals_source[name], {})
        return self.values[name]

    def root(self, name: str, scope: dict[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        if name == "local":
            return _Namespace(self.local)
        if name == "var":
            return _Namespace(lambda n: self.variables[n])
        if name == "path":
            return {"module": str(self.module)}
        return Unknown(name)  # a resource or data source

    def eval(self, node: Any, scope: dict[str, Any]) -> Any:  # one branch per HCL grammar rule
        from lark import Token

        if isinstance(node, Token):
            raise ValueError(f"unexpected token {node!r}")
        kind, parts = node.data, _parts(node)
        if kind in ("expr_term", "object_elem_key") and len(parts) == 1:
            return self.eval(parts[0], scope)
        if kind == "identifier":
            return self.root(str(parts[0]), scope)
        if kind == "int_lit":
            return int(parts[0])
        if kind == "float_lit":
            return float(parts[0])
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(parts[0])]
        if kind == "string":
            pieces = [self.eval(p, scope) for p in parts]
            if len(pieces) == 1 and not isinstance(pieces[0], str):
                return pieces[0]  # "${expr}" alone keeps the expression's type
            return "".join(map(as_text, pieces))
        if kind == "string_part":
            inner = parts[0]
            return str(inner) if isinstance(inner, Token) else self.eval(inner, scope)
        if kind == "interpolation":
            return self.eval(parts[0], scope)
        if kind == "tuple":
            return [self.eval(p, scope) for p in parts]
        if kind == "object":
            return {as_text(self.key(p, scope)): self.eval(_parts(p)[-1], scope) for p in parts}
        if kind == "get_attr_expr_term":
            return _attribute(self.eval(parts[0], scope), self.literal(_parts(parts[1])[0]))
        if kind == "index_expr_term":
            base, index = self.eval(parts[0], scope), self.eval(_parts(parts[1])[0], scope)
            return Unknown(f"{base}[{index}]") if isinstance(base, Unknown) else base[index]
        if kind == "full_splat_expr_term":
            return Unknown("splat")
        if kind == "function_call":
            name = self.literal(parts[0])
            args = [self.eval(a, scope) for a in _parts(parts[1])] if len(parts) > 1 else []
            if name == "file":
                return (Path(args[0])).read_text()
            if name == "jsondecode":
                return json.loads(args[0])
            return self.FUNCTIONS[name](*args)
        if kind == "conditional":
            return self.eval(parts[1] if self.eval(parts[0], scope) else parts[2], scope)
        if kind == "unary_op":
            value = self.eval(parts[1], scope)
            return (not value) if str(parts[0]) == "!" else -value
        if kind == "binary_op":
            left = self.eval(parts[0], scope)
            operator, right_node = _parts(parts[1])
            right = self.eval(right_node, scope)
            op = str(_parts(operator)[0])
            return {"==": lambda: left == right, "!=": lambda: left != right, "&&": lambda: left and right,
                    "||": lambda: left or right, ">": lambda: left > right, "<": lambda: left < right,
                    ">=": lambda: left >= right, "<=": lambda: left <= right}[op]()
        if kind in ("for_object_expr", "for_tuple_expr"):
            return self.for_expression(kind, parts, scope)
        raise ValueError(f"{self.module.name}: HCL {kind} is not evaluated here")

    def key(self, element: Any, scope: dict[str, Any]) -> Any:
        key_node = _parts(element)[0]
        inner = _parts(key_node)[0]
        if inner.data == "expr_term" and _parts(inner)[0].data == "identifier":
            return self.literal(_parts(inner)[0])  # a bare key is its own name
        return self.eval(key_node, scope)

    def for_expression(self, kind: str, parts: list[Any], scope: dict[str, Any]) -> Any:
        intro = _parts(parts[0])
        names = [self.literal(p) for p in intro[:-1]]
        collection = self.eval(intro[-1], scope)
        items = collection.items() if isinstance(collection, dict) else enumerate(collection)
        out: Any = {} if kind == "for_object_expr" else []
        for key, value in items:
            inner = {**scope, **(dict(zip(names, (key, value), strict=True)) if len(names) == 2
                                 else {names[0]: value})}
            if kind == "for_object_expr":
                out[as_text(self.eval(parts[1], inner))] = self.eval(parts[2], inner)
            else:
                out.append(self.eval(parts[1], inner))
        return out

    def instances(self) -> list[tuple[str, str]]:
        found = []
        for tf_type, _, body in self.resources:
            if tf_type in WORKFLOW_PARTS:
                continue
            attributes = self.attributes(body)
            for scope in self.iterations(attributes):
                if tf_type == "azapi_resource":
                    arm_type = as_text(self.eval(attributes["type"], scope)).split("@", 1)[0]
                else:
                    arm_type = AZURERM_TYPES[tf_type]
                name = self.eval(attributes["name"], scope) if "name" in attributes else None
                role = (self.eval(attributes["role_definition_id"], scope)
                        if arm_type == ROLE_ASSIGNMENT else None)
                found.append((arm_type, instance_name(arm_type, name, role)))
                if tf_type in INLINE_CHILDREN:
                    block, child_type = INLINE_CHILDREN[tf_type]
                    for child in self.blocks(body, block):
                        child_name = self.eval(self.attributes(child)["name"], scope)
                        found.append((child_type, instance_name(child_type, child_name, None)))
        return found

    def iterations(self, attributes: dict[str, Any]) -> list[dict[str, Any]]:
        if "for_each" in attributes:
            collection = self.eval(attributes["for_each"], {})
            pairs = collection.items() if isinstance(collection, dict) else ((v, v) for v in collection)
            return [{"each": {"key": k, "value": v}} for k, v in pairs]
        if "count" in attributes:
            return [{"count": {"index": i}} for i in range(self.eval(attributes["count"], {}))]
        return [{}]


class _Namespace:
    def __init__(self, lookup: Any) -> None:
        self.lookup = lookup


def _attribute(base: Any, name: str) -> Any:
    if isinstance(base, _Namespace):
        return base.lookup(name)
    if isinstance(base, Unknown):
        return getattr(base, name)
    return base[name]


def terraform_instances(module: Path, variables: dict[str, Any],
                        resource_files: set[str] | None = None) -> Counter[tuple[str, str]]:
    """What applying the root module in *module* with *variables* creates (only the resources
    declared in *resource_files*, when given; locals and variables come from every file)."""
    return Counter(_Terraform(module, variables, resource_files).instances())
