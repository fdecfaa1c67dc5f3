"""resource_exists and resources_satisfy on resources built by hand, for the repo and for Azure."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.checks.resources import resource_exists, resources_satisfy, values_at
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence
from mlops_ladder.assessment.evidence.common import Expr, Location, Resource
from mlops_ladder.assessment.evidence.repo.iac.model import ExternalModule, IacEvidence, IacFile

WS = "Microsoft.MachineLearningServices/workspaces"
DIAG = "Microsoft.Insights/diagnosticSettings"
PE = "Microsoft.Network/privateEndpoints"
KV = "Microsoft.KeyVault/vaults"
ACR = "Microsoft.ContainerRegistry/registries"


def res(rtype: str, name: str = "r", *, existing: bool = False, line: int = 1, path: str = "infra/main.bicep",
        **body: Any) -> Resource:
    return Resource(type=rtype, name=name, body={"name": name, **body}, location=Location(path, line),
                    api_version="2024-10-01", existing=existing)


def repo(*resources: Resource, modules: tuple[ExternalModule, ...] = (), files: tuple[str, ...] = ()) -> Any:
    """The parts of RepoEvidence the resource checks read."""
    paths = files or tuple(dict.fromkeys(r.location.path for r in resources))
    iac = IacEvidence(resources=list(resources), files=[IacFile(p, "bicep") for p in paths],
                      external_modules=list(modules))
    return SimpleNamespace(iac=iac, resources=iac.resources)


def azure(*resources: Resource) -> AzureEvidence:
    return AzureEvidence(subscriptions=["0000"], resources=list(resources))


# -- values_at ------------------------------------------------------------------------------------
def test_values_at_follows_lists_and_is_case_insensitive() -> None:
    body = {"properties": {"privateLinkServiceConnections": [
        {"properties": {"groupIds": ["amlworkspace"]}},
        {"properties": {"groupIds": ["blob"]}},
    ]}}
    assert values_at(body, "properties.privateLinkServiceConnections.properties.groupIds") == [
        ["amlworkspace"], ["blob"]]
    assert values_at({"Properties": {"WorkspaceId": "x"}}, "properties.workspaceId") == ["x"]
    assert values_at({"properties": Expr("p")}, "properties.workspaceId") == [Expr("p")]
    assert values_at({"properties": {}}, "properties.workspaceId") == []


# -- resource_exists ------------------------------------------------------------------------------
def test_exists_passes_on_a_declared_resource_of_the_type() -> None:
    result = resource_exists(repo(res("microsoft.consumption/BUDGETS", "budget", line=12)),
                             type="Microsoft.Consumption/budgets")
    assert result.outcome == Outcome.PASS
    assert "infra/main.bicep:12" in result.found
    assert result.evidence[0].location == "infra/main.bicep:12"


def test_exists_accepts_a_list_of_types() -> None:
    alerts = ["Microsoft.Insights/metricAlerts", "Microsoft.Insights/scheduledQueryRules"]
    result = resource_exists(azure(res("Microsoft.Insights/scheduledQueryRules")), type=alerts)
    assert result.outcome == Outcome.PASS


def test_exists_fails_when_iac_declares_other_types_only() -> None:
    evidence = repo(res(WS), res(KV, path="infra/kv.bicep"))
    result = resource_exists(evidence, type="Microsoft.Consumption/budgets")
    assert result.outcome == Outcome.FAIL
    assert result.found == "IaC declares 2 resources in 2 files, none of type Microsoft.Consumption/budgets"


def test_exists_ignores_existing_references() -> None:
    result = resource_exists(repo(res(WS), res("Microsoft.Consumption/budgets", existing=True)),
                             type="Microsoft.Consumption/budgets")
    assert result.outcome == Outcome.FAIL


def test_exists_is_unknown_without_any_resource() -> None:
    assert resource_exists(repo(), type=WS).found == "no infrastructure code (Bicep, ARM or Terraform) found"
    unread = resource_exists(repo(files=("infra/broken.bicep",)), type=WS)
    assert unread.outcome == Outcome.UNKNOWN and "could be read" in unread.found
    assert resource_exists(azure(), type=WS).outcome == Outcome.UNKNOWN


def test_exists_where_star_means_set_and_expressions_count_as_set() -> None:
    where = {"properties.workspaceId": "*"}
    to_storage = res(DIAG, "diag", properties={"storageAccountId": "x", "workspaceId": ""})
    assert resource_exists(repo(to_storage), type=DIAG, where=where).outcome == Outcome.FAIL
    to_logs = res(DIAG, "diag", properties={"workspaceId": Expr("law.id")})
    assert resource_exists(repo(to_storage, to_logs), type=DIAG, where=where).outcome == Outcome.PASS


def test_exists_where_crosses_lists_and_compares_case_insensitively() -> None:
    where = {"properties.privateLinkServiceConnections.properties.groupIds": "AMLWorkspace"}
    blob = res(PE, "pe-blob", properties={"privateLinkServiceConnections": [
        {"properties": {"groupIds": ["blob"]}}]})
    ws = res(PE, "pe-ws", properties={"privateLinkServiceConnections": [
        {"properties": {"groupIds": ["amlworkspace"]}}]})
    failed = resource_exists(repo(blob), type=PE, where=where)
    assert failed.outcome == Outcome.FAIL
    assert failed.found.endswith("none with properties.privateLinkServiceConnections.properties.groupIds"
                                 " = AMLWorkspace")
    assert resource_exists(repo(blob, ws), type=PE, where=where).outcome == Outcome.PASS


def test_exists_where_on_an_expression_is_unknown() -> None:
    role = res("Microsoft.Authorization/roleAssignments", properties={"principalType": Expr("principalType")})
    result = resource_exists(repo(role), type="Microsoft.Authorization/roleAssignments",
                             where={"properties.principalType": "Group"})
    assert result.outcome == Outcome.UNKNOWN


def test_exists_counts_registry_modules_of_the_type() -> None:
    module = ExternalModule(Location("infra/main.bicep", 4), "br/public:avm/res/consumption/budget:0.3.0",
                            "microsoft.consumption/budgets")
    evidence = repo(res(WS), modules=(module,))
    assert resource_exists(evidence, type="Microsoft.Consumption/budgets").outcome == Outcome.PASS
    with_where = resource_exists(evidence, type="Microsoft.Consumption/budgets",
                                 where={"properties.amount": 5})
    assert with_where.outcome == Outcome.UNKNOWN


def test_exists_on_azure_says_what_was_read() -> None:
    result = resource_exists(azure(res(WS)), type="Microsoft.Authorization/policyAssignments")
    assert result.outcome == Outcome.FAIL
    assert result.found == ("1 Azure resource read in 1 subscription,"
                            " none of type Microsoft.Authorization/policyAssignments")


# -- resources_satisfy ----------------------------------------------------------------------------
PUBLIC_ACCESS_DISABLED = [{"type": WS, "property": "properties.publicNetworkAccess", "equals": "Disabled"}]


def test_satisfy_passes_when_every_resource_satisfies() -> None:
    evidence = repo(res(WS, "a", properties={"publicNetworkAccess": "disabled"}),
                    res(WS, "b", properties={"publicNetworkAccess": "Disabled"}))
    result = resources_satisfy(evidence, PUBLIC_ACCESS_DISABLED)
    assert result.outcome == Outcome.PASS
    assert result.found.startswith("2 resources checked, all satisfy")


def test_satisfy_fails_on_one_violation_with_its_value_and_location() -> None:
    evidence = repo(res(WS, "a", properties={"publicNetworkAccess": "Disabled"}),
                    res(WS, "b", line=30, properties={"publicNetworkAccess": "Enabled"}))
    result = resources_satisfy(evidence, PUBLIC_ACCESS_DISABLED)
    assert result.outcome == Outcome.FAIL
    assert result.found == ("workspaces 'b' at infra/main.bicep:30:"
                            " properties.publicNetworkAccess is 'Enabled' (expected 'Disabled')")


def test_satisfy_absent_property_violates() -> None:
    result = resources_satisfy(repo(res(WS, properties={})), PUBLIC_ACCESS_DISABLED)
    assert result.outcome == Outcome.FAIL
    assert "properties.publicNetworkAccess is not set" in result.found


def test_satisfy_absent_property_takes_the_default_when_given() -> None:
    conditions = [{"type": ACR, "property": "properties.adminUserEnabled", "equals": False, "default": False}]
    assert resources_satisfy(repo(res(ACR, properties={})), conditions).outcome == Outcome.PASS
    enabled = res(ACR, properties={"adminUserEnabled": True})
    assert resources_satisfy(repo(enabled), conditions).outcome == Outcome.FAIL


def test_satisfy_expression_is_unknown_unless_another_resource_fails() -> None:
    undecided = res(WS, "x", properties={"publicNetworkAccess": Expr("access")})
    assert resources_satisfy(repo(undecided), PUBLIC_ACCESS_DISABLED).outcome == Outcome.UNKNOWN
    bad = res(WS, "y", properties={"publicNetworkAccess": "Enabled"})
    assert resources_satisfy(repo(undecided, bad), PUBLIC_ACCESS_DISABLED).outcome == Outcome.FAIL


def test_satisfy_is_unknown_when_no_resource_of_the_types_exists() -> None:
    conditions = [
        {"type": KV, "property": "properties.enablePurgeProtection", "equals": True},
        {"type": ACR, "property": "properties.adminUserEnabled", "equals": False},
    ]
    result = resources_satisfy(repo(res(WS)), conditions)
    assert result.outcome == Outcome.UNKNOWN
    assert result.found == f"no {KV}, {ACR} to check (IaC declares 1 resource in 1 file)"
    assert resources_satisfy(repo(), conditions).outcome == Outcome.UNKNOWN


def test_satisfy_skips_existing_and_filters_with_where() -> None:
    compute = "Microsoft.MachineLearningServices/workspaces/computes"
    conditions = [{"type": compute, "where": {"properties.computeType": "AmlCompute"},
                   "property": "properties.properties.enableNodePublicIp", "equals": False}]
    instance = res(compute, "ci", properties={"computeType": "ComputeInstance", "properties": {}})
    referenced = res(compute, "old", existing=True, properties={"computeType": "AmlCompute"})
    assert resources_satisfy(repo(instance, referenced), conditions).outcome == Outcome.UNKNOWN
    cluster = res(compute, "cpu",
                  properties={"computeType": "AmlCompute", "properties": {"enableNodePublicIp": False}})
    assert resources_satisfy(repo(instance, referenced, cluster), conditions).outcome == Outcome.PASS


@pytest.mark.parametrize(("condition", "value", "outcome"), [
    ({"contains": "UserAssigned"}, "SystemAssigned,UserAssigned", Outcome.PASS),
    ({"contains": "UserAssigned"}, "SystemAssigned", Outcome.FAIL),
    ({"contains": "a"}, ["b", Expr("x")], Outcome.UNKNOWN),
    ({"one_of": ["Disabled", "disabled"]}, "DISABLED", Outcome.PASS),
    ({"one_of": ["Disabled"]}, "Enabled", Outcome.FAIL),
    ({"is_set": True}, Expr("uai.id"), Outcome.PASS),
    ({"is_set": True}, "", Outcome.FAIL),
    ({"is_set": True}, [], Outcome.FAIL),
    ({"is_set": False}, None, Outcome.PASS),
    ({"equals": True}, "true", Outcome.PASS),
    ({"equals": 0}, 1, Outcome.FAIL),
    ({"equals": 0}, "0", Outcome.PASS),
])
def test_satisfy_tests(condition: dict, value: Any, outcome: Outcome) -> None:
    conditions = [{"type": WS, "property": "identity.type", **condition}]
    assert resources_satisfy(azure(res(WS, identity={"type": value})), conditions).outcome == outcome


def test_satisfy_is_set_false_accepts_an_absent_property() -> None:
    conditions = [{"type": WS, "property": "properties.sharedPrivateLinkResources", "is_set": False}]
    assert resources_satisfy(azure(res(WS)), conditions).outcome == Outcome.PASS


def test_satisfy_several_conditions_on_the_same_type() -> None:
    conditions = [
        {"type": WS, "property": "identity.type", "contains": "UserAssigned"},
        {"type": WS, "property": "properties.primaryUserAssignedIdentity", "is_set": True},
    ]
    half = res(WS, identity={"type": "UserAssigned"}, properties={})
    result = resources_satisfy(repo(half), conditions)
    assert result.outcome == Outcome.FAIL
    assert "primaryUserAssignedIdentity is not set" in result.found
    full = res(WS, identity={"type": "UserAssigned"},
               properties={"primaryUserAssignedIdentity": Expr("uai.id")})
    assert resources_satisfy(repo(full), conditions).outcome == Outcome.PASS


def test_satisfy_registry_module_of_the_type_is_unknown() -> None:
    module = ExternalModule(Location("main.bicep", 3),
                            "br/public:avm/res/machine-learning-services/workspace:0.9.0",
                            "microsoft.machinelearningservices/workspaces")
    result = resources_satisfy(repo(res(KV), modules=(module,)), PUBLIC_ACCESS_DISABLED)
    assert result.outcome == Outcome.UNKNOWN
    assert "not read" in result.found


def test_satisfy_rejects_a_malformed_condition() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        resources_satisfy(azure(), [{"type": WS, "property": "x", "equals": 1, "is_set": True}])
    with pytest.raises(ValueError, match="type and property"):
        resources_satisfy(azure(), [{"type": WS, "equals": 1}])
