"""The Azure collector with the real SDK clients against the emulator: what it reads, that it only
reads, and how it behaves when Azure denies, throttles, fails, stalls or answers garbage."""

from __future__ import annotations

import time

import pytest

from mlops_ladder.assessment.evidence.azure.catalog import ML
from mlops_ladder.assessment.evidence.azure.cloud import CLOUDS, resolve_cloud
from mlops_ladder.assessment.evidence.azure.collect import Scope
from mlops_ladder.assessment.evidence.azure.transport import Settings
from mlops_ladder.errors import AzureAccessError, UsageError
from tests.azure.helpers import FAST, scan_emulator, types_of
from tests.azure_emulator.estate import SUBSCRIPTION
from tests.azure_emulator.estates import ml_estate

WS = f"{ML}/workspaces"
RG = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-ml"


def test_reads_the_workspace_its_dependents_and_governance(emulator) -> None:
    evidence = scan_emulator(emulator)
    assert evidence.subscriptions == [SUBSCRIPTION]
    assert evidence.gaps == []
    expected = {
        WS,
        f"{WS}/computes",
        f"{WS}/onlineEndpoints",
        f"{WS}/onlineEndpoints/deployments",
        f"{WS}/batchEndpoints",
        f"{WS}/batchEndpoints/deployments",
        f"{WS}/models",
        f"{WS}/models/versions",
        f"{WS}/data",
        f"{WS}/data/versions",
        f"{WS}/environments",
        f"{WS}/components",
        f"{WS}/schedules",
        f"{WS}/jobs",
        f"{ML}/registries",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.KeyVault/vaults",
        "Microsoft.ContainerRegistry/registries",
        "Microsoft.Insights/components",
        "Microsoft.Insights/metricAlerts",
        "Microsoft.Insights/actionGroups",
        "Microsoft.Insights/diagnosticSettings",
        "Microsoft.EventGrid/systemTopics",
        "Microsoft.EventGrid/systemTopics/eventSubscriptions",
        "Microsoft.Network/privateEndpoints",
        "Microsoft.Authorization/policyAssignments",
        "Microsoft.Authorization/roleAssignments",
        "Microsoft.Consumption/budgets",
    }
    assert expected <= types_of(evidence)
    workspace = next(r for r in evidence.resources if r.type == WS)
    # the properties come from the GET by id, not from the list's envelope
    assert workspace.body["properties"]["managedNetwork"]["isolationMode"] == "AllowOnlyApprovedOutbound"
    assert workspace.location.path == f"{RG}/providers/{WS}/mlw-prod"


def test_only_reads(emulator) -> None:
    scan_emulator(emulator)
    methods = {r.method for r in emulator.requests}
    assert methods == {"GET"}, methods
    assert all("api-version" in r.query for r in emulator.requests)
    assert not any("list" in r.path.lower().rsplit("/", 1)[-1] for r in emulator.requests)


def test_follows_next_links(emulator) -> None:
    emulator.page_size = 2  # 7 jobs, 3 model versions, 7+ resources: several pages each
    evidence = scan_emulator(emulator, settings=Settings(max_job_pages=10))
    assert sum(r.type == f"{WS}/jobs" for r in evidence.resources) == 7
    assert sum(r.type == f"{WS}/models/versions" for r in evidence.resources) == 3
    assert any("$skiptoken" in r.query for r in emulator.requests)
    assert not evidence.gaps


def test_reads_only_the_newest_pages_of_jobs_and_says_so(emulator) -> None:
    emulator.page_size = 2
    evidence = scan_emulator(emulator, settings=Settings(max_job_pages=2))
    assert sum(r.type == f"{WS}/jobs" for r in evidence.resources) == 4
    assert any("only the first 4 jobs" in n.reason for n in evidence.notes)


def test_a_denied_resource_group_is_a_gap_and_the_scan_goes_on(emulator, estate) -> None:
    ml_estate(estate=estate, group="rg-secret", workspace="mlw-secret")
    emulator.fault("/resourcegroups/rg-secret/resources", status=403)
    evidence = scan_emulator(emulator)
    assert [g.scope for g in evidence.gaps] == [f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-secret"]
    assert evidence.gaps[0].types == ("*",) and evidence.gaps[0].reason.startswith("403 AuthorizationFailed")
    assert any(r.name == "mlw-prod" for r in evidence.resources)
    assert any("rg-secret" in n.path and "not read" in n.reason for n in evidence.notes)


def test_a_denied_provider_is_a_gap_for_its_types_only(emulator) -> None:
    emulator.fault("/providers/microsoft.consumption/budgets", status=403)
    evidence = scan_emulator(emulator)
    assert len(evidence.gaps) == 1
    assert evidence.gaps_for("Microsoft.Consumption/budgets")
    assert not evidence.gaps_for(WS)


def test_throttling_is_retried_after_the_time_azure_asks(emulator) -> None:
    fault = emulator.fault(
        "/workspaces/mlw-prod/models", status=429, times=1, retry_after=1, code="TooManyRequests"
    )
    started = time.monotonic()
    evidence = scan_emulator(emulator)
    assert fault.hits == 1 and not evidence.gaps
    assert sum(r.type == f"{WS}/models" for r in evidence.resources) == 1
    assert time.monotonic() - started >= 1.0


def test_server_errors_are_retried_then_reported_not_fatal(emulator) -> None:
    emulator.fault("/workspaces/mlw-prod/schedules", status=500, times=2, code="InternalServerError")
    emulator.fault("/workspaces/mlw-prod/components", status=503, code="ServiceUnavailable")
    evidence = scan_emulator(emulator)
    assert any(r.type == f"{WS}/schedules" for r in evidence.resources)
    [gap] = evidence.gaps
    assert gap.types == (f"{WS}/components",) and gap.reason.startswith("503")
    assert sum(r.path.endswith("/components") for r in emulator.requests) == 1 + FAST.retries


def test_slow_calls_time_out_within_bounds(emulator) -> None:
    emulator.fault("/workspaces/mlw-prod/environments", status=0, delay=3)
    started = time.monotonic()
    evidence = scan_emulator(emulator, settings=Settings(read_timeout=0.5, retries=1, backoff=0.05))
    assert time.monotonic() - started < 15
    [gap] = evidence.gaps
    assert gap.types == (f"{WS}/environments",) and "NoResponse" in gap.reason


def test_malformed_json_is_a_gap(emulator) -> None:
    emulator.fault("/workspaces/mlw-prod/data", malformed=True, status=200)
    evidence = scan_emulator(emulator)
    assert [g.types[0] for g in evidence.gaps] == [f"{WS}/data"]
    assert "MalformedResponse" in evidence.gaps[0].reason


def test_a_denied_detail_leaves_the_resource_half_read(emulator) -> None:
    emulator.fault("/vaults/kv-ml-prod", status=403)
    evidence = scan_emulator(emulator)
    vault = next(r for r in evidence.resources if r.type == "Microsoft.KeyVault/vaults")
    assert evidence.gap_at(vault) is not None
    assert "properties" not in vault.body


def test_wrong_subscription_is_one_error_naming_it(emulator) -> None:
    wrong = "99999999-9999-9999-9999-999999999999"
    with pytest.raises(AzureAccessError, match=f"subscription {wrong}: not found") as caught:
        scan_emulator(emulator, Scope((wrong,)))
    assert "az account list" in caught.value.hint


def test_one_unreadable_subscription_of_several_is_a_gap(emulator) -> None:
    wrong = "99999999-9999-9999-9999-999999999999"
    evidence = scan_emulator(emulator, Scope((SUBSCRIPTION, wrong)))
    assert evidence.subscriptions == [SUBSCRIPTION]
    assert [g.scope for g in evidence.gaps] == [f"/subscriptions/{wrong}"]


def test_several_subscriptions_are_read_through_resource_graph(emulator, estate) -> None:
    other = "00000000-0000-0000-0000-000000000002"
    ml_estate(estate=estate, sub=other, group="rg-other", workspace="mlw-other")
    emulator.page_size = 3
    evidence = scan_emulator(emulator, Scope((SUBSCRIPTION, other)))
    graph = [r for r in emulator.requests if r.method == "POST"]
    assert graph and all(r.path == "/providers/Microsoft.ResourceGraph/resources" for r in graph)
    assert not any(r.path.endswith("/resources") and r.method == "GET" for r in emulator.requests)
    names = {r.name for r in evidence.resources if r.type == WS}
    assert names == {"mlw-prod", "mlw-other"}
    # the per-workspace detail still comes from the ML API
    assert sum(r.type == f"{WS}/models" for r in evidence.resources) == 2
    workspace = next(r for r in evidence.resources if r.type == WS)
    assert workspace.body["properties"]["publicNetworkAccess"] == "Disabled"


def test_a_management_group_is_read_through_resource_graph(emulator, estate) -> None:
    estate.management_groups["mg-ml"] = [SUBSCRIPTION]
    evidence = scan_emulator(emulator, Scope(management_group="mg-ml"))
    assert evidence.subscriptions == [SUBSCRIPTION]
    assert any(r.type == WS for r in evidence.resources)
    assert any(
        "managementGroups/mg-ml/providers/Microsoft.Authorization" in r.path for r in emulator.requests
    )


def test_resource_group_and_workspace_narrow_the_scan(emulator, estate) -> None:
    ml_estate(estate=estate, group="rg-ml", workspace="mlw-dev")
    evidence = scan_emulator(emulator, Scope((SUBSCRIPTION,), resource_group="rg-ml", workspace="MLW-PROD"))
    assert {r.name for r in evidence.resources if r.type == WS} == {"mlw-prod"}
    assert not any("/workspaces/mlw-dev/" in r.path for r in emulator.requests)
    with pytest.raises(AzureAccessError, match=r"workspace nope not found .*mlw-dev, mlw-prod"):
        scan_emulator(emulator, Scope((SUBSCRIPTION,), resource_group="rg-ml", workspace="nope"))
    with pytest.raises(AzureAccessError, match=r"resource group rg-nope in subscription .*: not found"):
        scan_emulator(emulator, Scope((SUBSCRIPTION,), resource_group="rg-nope"))


def test_scope_rules() -> None:
    with pytest.raises(UsageError):
        Scope().validate()
    with pytest.raises(UsageError):
        Scope(("a", "b"), resource_group="rg").validate()
    with pytest.raises(UsageError):
        Scope(("a",), management_group="mg").validate()


def test_clouds_and_custom_endpoints(emulator) -> None:
    assert resolve_cloud("AzureUSGovernment", None).resource_manager == "https://management.usgovcloudapi.net"
    assert resolve_cloud("azurechinacloud", None).audience == "https://management.chinacloudapi.cn/.default"
    with pytest.raises(UsageError, match="unknown cloud"):
        resolve_cloud("Mars", None)
    # the custom endpoint's metadata gives the token audience and the sign-in host (as az cloud register)
    custom = resolve_cloud(None, emulator.url)
    assert custom.resource_manager == emulator.url and custom.audience == f"{emulator.url}/.default"
    assert custom.authority == "login.emulator.invalid"
    assert any(r.path == "/metadata/endpoints" for r in emulator.requests)
    assert set(CLOUDS) == {"AzureCloud", "AzureUSGovernment", "AzureChinaCloud"}
