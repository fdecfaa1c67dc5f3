"""scripts/adf_deploy.py against a fake Azure: names retargeted per environment, triggers stopped
before and started after a deployment, and left as they were when it fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import adf_deploy
from ci_env import load_config

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "mlops" / "config.yml")
ENVIRONMENTS = list(CONFIG["environments"])
FIRST, LAST = ENVIRONMENTS[0], ENVIRONMENTS[-1]
SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"


class FakeAzure:
    def __init__(self, states: dict[str, str], fail_deploy: bool = False) -> None:
        self.states = dict(states)
        self.fail_deploy = fail_deploy
        self.calls: list[tuple] = []
        self.deployed: dict | None = None

    def subscription(self) -> str:
        return SUBSCRIPTION

    def trigger_states(self, resource_group, factory):
        self.calls.append(("list", resource_group, factory))
        return dict(self.states)

    def set_trigger(self, resource_group, factory, trigger, action):
        self.calls.append((action, trigger))
        if action == "start" and self.deployed is None and not self.fail_deploy:
            raise AssertionError("a trigger was started before the deployment")
        self.states[trigger] = "Started" if action == "start" else "Stopped"

    def deploy(self, resource_group, name, template, parameters):
        assert all(
            state != "Started" for trigger, state in self.states.items() if trigger in ("Daily", "Hourly")
        )
        self.calls.append(("deploy", resource_group))
        if self.fail_deploy:
            raise RuntimeError("InvalidTemplate")
        self.deployed = json.loads(template.read_text())


def export(tmp_path: Path) -> tuple[Path, Path]:
    """A template shaped like the export's, naming the first environment's resources."""
    names = adf_deploy.resource_names(CONFIG, FIRST)
    identity = (
        f"/subscriptions/{adf_deploy.SUBSCRIPTION_PLACEHOLDER}/resourceGroups/{names['resource_group']}"
        f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{names['identity']}"
    )
    trigger = lambda name, state: {  # noqa: E731
        "name": f"[concat(parameters('factoryName'), '/{name}')]",
        "type": "Microsoft.DataFactory/factories/triggers",
        "properties": {"runtimeState": state, "type": "ScheduleTrigger"},
    }
    template = {
        "parameters": {"factoryName": {"type": "string"}},
        "resources": [
            {
                "name": "[concat(parameters('factoryName'), '/DataPipelineIdentity')]",
                "type": "Microsoft.DataFactory/factories/credentials",
                "properties": {"type": "ManagedIdentity", "typeProperties": {"resourceId": identity}},
            },
            {
                "name": "[concat(parameters('factoryName'), '/CurateCustomers')]",
                "type": "Microsoft.DataFactory/factories/pipelines",
                "properties": {
                    "parameters": {
                        "workspaceName": {"defaultValue": names["workspace"]},
                        "keyVaultName": {"defaultValue": names["key_vault"]},
                    }
                },
            },
            trigger("Daily", "Started"),
            trigger("Hourly", "Stopped"),
        ],
    }
    parameters = {
        "parameters": {
            "factoryName": {"value": names["factory"]},
            "PlatformStorage_properties_typeProperties_serviceEndpoint": {
                "value": f"https://{names['storage_account']}.blob.core.windows.net/"
            },
        }
    }
    (tmp_path / "t.json").write_text(json.dumps(template))
    (tmp_path / "p.json").write_text(json.dumps(parameters))
    return tmp_path / "t.json", tmp_path / "p.json"


def test_every_first_environment_name_becomes_the_target_environment_name(tmp_path: Path) -> None:
    template, parameters = export(tmp_path)
    azure = FakeAzure({})
    adf_deploy.deploy(CONFIG, LAST, template, parameters, azure, "adf", say=lambda _: None)
    target, source = adf_deploy.resource_names(CONFIG, LAST), adf_deploy.resource_names(CONFIG, FIRST)
    written = (tmp_path / f"{LAST}.t.json").read_text() + (tmp_path / f"{LAST}.p.json").read_text()
    for key in source:
        assert target[key] in written
        if LAST != FIRST:
            assert source[key] not in written, key
    assert adf_deploy.SUBSCRIPTION_PLACEHOLDER not in written and SUBSCRIPTION in written
    assert ("deploy", target["resource_group"]) in azure.calls


def test_a_name_inside_a_longer_name_is_left_alone() -> None:
    source = {"workspace": "mlw-a-dev"}
    out = adf_deploy.retarget(
        {"x": "mlw-a-dev mlw-a-dev2 xmlw-a-dev"}, source, {"workspace": "mlw-a-prod"}, "s"
    )
    assert out == {"x": "mlw-a-prod mlw-a-dev2 xmlw-a-dev"}


def test_started_triggers_are_stopped_first_and_started_triggers_of_the_template_started_after(
    tmp_path,
) -> None:
    template, parameters = export(tmp_path)
    azure = FakeAzure({"Daily": "Started", "Hourly": "Stopped", "Other": "Started"})
    adf_deploy.deploy(CONFIG, LAST, template, parameters, azure, "adf", say=lambda _: None)
    actions = [c for c in azure.calls if c[0] in ("stop", "start", "deploy")]
    assert (
        actions[0] == ("stop", "Daily") and actions[1][0] == "deploy" and actions[2:] == [("start", "Daily")]
    )
    assert azure.states == {"Daily": "Started", "Hourly": "Stopped", "Other": "Started"}


def test_a_failed_deployment_leaves_the_triggers_as_they_were(tmp_path: Path) -> None:
    template, parameters = export(tmp_path)
    before = {"Daily": "Started", "Hourly": "Stopped"}
    azure = FakeAzure(before, fail_deploy=True)
    with pytest.raises(adf_deploy.DeployError, match=r"InvalidTemplate.*left as they were"):
        adf_deploy.deploy(CONFIG, LAST, template, parameters, azure, "adf", say=lambda _: None)
    assert azure.states == before
    assert ("start", "Hourly") not in azure.calls


def test_an_unknown_environment_is_refused_with_the_known_ones(tmp_path: Path, capsys) -> None:
    template, parameters = export(tmp_path)
    code = adf_deploy.main(["nosuch", "--template", str(template), "--parameters", str(parameters)])
    assert code == 1 and "unknown environment 'nosuch'" in capsys.readouterr().err
