"""The checks only a live estate can answer (assessment/checks/azure/): a call denied on what they
read makes them unknown, never failed (scanned from the emulator), and the cases the estates of
test_criteria_from_azure.py do not show (built as resources)."""

from __future__ import annotations

import pytest

from mlops_ladder.assessment.checks.azure.automation import (
    assets_are_registered_by_automation,
    monitor_is_created_by_automation,
    workspace_is_deployed_by_automation,
)
from mlops_ladder.assessment.checks.azure.jobs import (
    training_is_submitted_by_automation,
)
from mlops_ladder.assessment.checks.azure.release import (
    deployments_serve_registered_model_versions,
    online_traffic_is_split,
)
from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.engine import Evidence, evaluate_criterion
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence, Gap
from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.levels import load_model
from tests.azure.helpers import scan_emulator
from tests.azure_emulator.estates import ml_estate

CRITERIA = {c.id: c for c in load_model().criteria}
WS_TYPE = "Microsoft.MachineLearningServices/workspaces"
WS_ID = f"/subscriptions/s/resourceGroups/rg/providers/{WS_TYPE}/mlw"

# What to deny, per criterion, so that the open estate (where each fails) can no longer show it.
DENIED = {
    "MLL-205": ["/workspaces/mlw-prod/jobs"],
    "MLL-302": ["/deployments"],
    "MLL-305": ["/onlineendpoints/credit-endpoint/deployments"],
    "MLL-306": ["/deployments"],
    "MLL-311": ["/workspaces/mlw-prod"],
    "MLL-403": ["/workspaces/mlw-prod/schedules"],
    "MLL-408": ["/workspaces/mlw-prod/components", "/workspaces/mlw-prod/environments"],
}


@pytest.fixture
def estate():
    return ml_estate(hardened=False)


@pytest.mark.parametrize("criterion_id", sorted(DENIED))
def test_a_denied_call_makes_the_criterion_unknown_not_failed(criterion_id, emulator) -> None:
    for path in DENIED[criterion_id]:
        emulator.fault(path, status=403)
    finding = evaluate_criterion(CRITERIA[criterion_id], Evidence(azure=scan_emulator(emulator)))
    [azure] = [s for s in finding.sources if s.source == "azure"]
    assert azure.result.outcome == Outcome.UNKNOWN, azure.result.found
    assert "403" in azure.result.found


# -- cases built as resources -------------------------------------------------------------------
def item(segment: str, name: str, body: dict, parent: str = WS_ID) -> Resource:
    types = {
        "jobs": f"{WS_TYPE}/jobs",
        "schedules": f"{WS_TYPE}/schedules",
        "onlineEndpoints": f"{WS_TYPE}/onlineEndpoints",
        "deployments": f"{WS_TYPE}/onlineEndpoints/deployments",
        "batchDeployments": f"{WS_TYPE}/batchEndpoints/deployments",
        "versions": f"{WS_TYPE}/models/versions",
        "environments": f"{WS_TYPE}/environments",
        "components": f"{WS_TYPE}/components",
    }
    path = f"{parent}/{'deployments' if segment == 'batchDeployments' else segment}/{name}"
    return Resource(types[segment], name, body, Location(path), source="azure")


def live(*items: Resource, gaps: tuple[Gap, ...] = ()) -> AzureEvidence:
    workspace = Resource(WS_TYPE, "mlw", {"properties": {}}, Location(WS_ID), source="azure")
    return AzureEvidence(["s"], [workspace, *items], gaps=list(gaps))


def by(kind: str, who: str = "x") -> dict:
    return {"createdByType": kind, "createdBy": who, "lastModifiedByType": kind, "lastModifiedBy": who}


def job(name: str, kind: str = "Pipeline", maker: str = "User", shown: str = ""):
    properties = {"jobType": kind, "displayName": shown or name}
    return item("jobs", name, {"properties": properties, "systemData": by(maker)})


def test_a_job_started_by_a_schedule_counts_as_automation() -> None:
    schedule = item("schedules", "nightly-train", {"properties": {"action": {"actionType": "CreateJob"}}})
    result = training_is_submitted_by_automation(
        live(schedule, job("j1", shown="nightly-train-20260501T0000"))
    )
    assert result.outcome == Outcome.PASS and "started by the schedule 'nightly-train'" in result.found


def test_an_enabled_job_schedule_submits_training_even_before_its_first_run() -> None:
    schedule = item(
        "schedules",
        "weekly",
        {
            "properties": {
                "isEnabled": True,
                "action": {"actionType": "CreateJob", "jobDefinition": {"jobType": "Pipeline"}},
                "trigger": {"triggerType": "Cron", "expression": "0 3 * * 1"},
            }
        },
    )
    result = training_is_submitted_by_automation(live(schedule, job("j1")))
    assert result.outcome == Outcome.PASS and "Cron 0 3 * * 1" in result.found


def test_a_managed_identity_is_automation_and_an_unrecorded_maker_is_unknown() -> None:
    assert (
        training_is_submitted_by_automation(live(job("j1", maker="ManagedIdentity"))).outcome == Outcome.PASS
    )
    unrecorded = item("jobs", "j2", {"properties": {"jobType": "Sweep"}})
    assert training_is_submitted_by_automation(live(unrecorded)).outcome == Outcome.UNKNOWN
    assert training_is_submitted_by_automation(live(job("j3", maker="Key"))).outcome == Outcome.UNKNOWN


def test_evaluation_command_jobs_are_not_training() -> None:
    evaluate = job("evaluate-model", kind="Command", maker="Application")
    result = training_is_submitted_by_automation(live(evaluate, job("train", kind="Command")))
    assert result.outcome == Outcome.FAIL and "1 training job" in result.found


def test_no_workspace_read_is_unknown_never_failed() -> None:
    nothing = AzureEvidence(["s"], [])
    for check in (
        training_is_submitted_by_automation,
        monitor_is_created_by_automation,
        assets_are_registered_by_automation,
        online_traffic_is_split,
        deployments_serve_registered_model_versions,
        workspace_is_deployed_by_automation,
    ):
        assert check(nothing).outcome == Outcome.UNKNOWN, check.__name__


def test_mirrored_traffic_is_a_rollout_and_an_unread_deployment_list_is_unknown() -> None:
    endpoint = item(
        "onlineEndpoints", "ep", {"properties": {"traffic": {"blue": 100}, "mirrorTraffic": {"green": 10}}}
    )
    assert online_traffic_is_split(live(endpoint)).outcome == Outcome.PASS
    single = item("onlineEndpoints", "ep", {"properties": {"traffic": {"blue": 100}}})
    gap = Gap(single.location.path, (f"{WS_TYPE}/onlineEndpoints/deployments",), "403 AuthorizationFailed")
    assert online_traffic_is_split(live(single, gaps=(gap,))).outcome == Outcome.UNKNOWN
    assert online_traffic_is_split(live(single)).outcome == Outcome.FAIL


def test_models_a_deployment_serves() -> None:
    endpoint = f"{WS_ID}/onlineEndpoints/ep"
    anonymous_id = f"{WS_ID}/models/m/versions/1"
    anonymous = item("versions", "1", {"properties": {"isAnonymous": True}}, parent=f"{WS_ID}/models/m")
    deployment = item("deployments", "blue", {"properties": {"model": anonymous_id}}, parent=endpoint)
    result = deployments_serve_registered_model_versions(live(anonymous, deployment))
    assert result.outcome == Outcome.FAIL and "anonymous model" in result.found
    files = item(
        "batchDeployments",
        "d",
        {"properties": {"model": {"referenceType": "DataPath", "path": "x"}}},
        parent=f"{WS_ID}/batchEndpoints/be",
    )
    assert deployments_serve_registered_model_versions(live(files)).outcome == Outcome.FAIL
    registry = item(
        "deployments",
        "g",
        {"properties": {"model": "azureml://registries/r/models/m/versions/2"}},
        parent=endpoint,
    )
    result = deployments_serve_registered_model_versions(live(registry))
    assert result.outcome == Outcome.UNKNOWN and "registered model m version 2" in result.found
    container = item("deployments", "c", {"properties": {}}, parent=endpoint)
    assert deployments_serve_registered_model_versions(live(container)).outcome == Outcome.NOT_APPLICABLE


def test_anonymous_environments_made_by_job_submissions_are_not_registered_assets() -> None:
    anonymous = item("environments", "CliV2AnonymousEnvironment", {"systemData": by("Application")})
    registered = item("components", "train", {"systemData": by("User", "bob@contoso.com")})
    result = assets_are_registered_by_automation(live(anonymous, registered))
    assert result.outcome == Outcome.FAIL and "created by a user" in result.found
    assert "bob@contoso.com" not in result.found  # personal data stays out of reports


def test_a_monitor_last_changed_by_ci_is_automation() -> None:
    body = {
        "properties": {"action": {"actionType": "CreateMonitor"}},
        "systemData": {"createdByType": "User", "lastModifiedByType": "Application", "lastModifiedBy": "ci"},
    }
    result = monitor_is_created_by_automation(live(item("schedules", "drift", body)))
    assert result.outcome == Outcome.PASS and "last changed by a service principal (ci)" in result.found


def test_a_persons_sign_in_name_never_reaches_a_finding() -> None:
    """A user's createdBy is personal data: findings say "a user", applications keep their id."""
    person = job("j1", maker="User")
    person.body["systemData"] = by("User", who="jane.doe@contoso.com")
    result = training_is_submitted_by_automation(live(person))
    text = " ".join([result.found, *(e.detail for e in result.evidence)])
    assert result.outcome == Outcome.FAIL and "by a user" in text
    assert "jane.doe" not in text
    ci = job("j2", maker="Application")
    ci.body["systemData"] = by("Application", who="5b1d8f0e-app")
    assert "5b1d8f0e-app" in training_is_submitted_by_automation(live(ci)).found
