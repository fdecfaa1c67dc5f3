"""Levels 4 and 5: the Terraform creates what the Bicep creates, resource for resource.

For each environment of a generated project, both variants are evaluated (tests/validators/
iac_instances.py: loops expanded, conditions decided, names computed) and the (ARM type, name) of
every resource instance must match: the monitoring layer (40), the network, registry, governance
and runner layers (50-53, the registry's cross-environment endpoints included) and the endpoint's
alerts (infra/monitoring/endpoint.bicep against infra/terraform/monitoring-endpoint/).
Role assignments are compared by their role; the settings that switch resources on (alert e-mails,
group object ids, the runners' repository) are set in infra/platform.json so nothing is left out.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.validators.iac_instances import bicep_instances, terraform_instances

# Bicep declares the storage account's queue service; Terraform's queue creates it implicitly.
IMPLICIT_IN_TERRAFORM = {("Microsoft.Storage/storageAccounts/queueServices", "default")}
BICEP_LAYERS = ["40-monitoring", "41-retrain-trigger", "50-network", "51-registry", "52-governance",
                "53-ci-runners", "53-ci-agents"]
GROUPS = {"dataScientists": "11111111-1111-1111-1111-111111111111",
          "mlEngineers": "22222222-2222-2222-2222-222222222222", "readers": ""}
VARIANTS = {
    "level4-online": (4, {"deployment_kind": "online"}),
    "level4-batch-two-envs": (4, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "level5-online": (5, {"deployment_kind": "online"}),
    "level5-batch-qa-live": (5, {"deployment_kind": "batch", "environments": ["dev", "qa", "live"],
                                 "project_name": "fraud"}),
    # Azure DevOps: the drift alert's Logic App (41) instead of nothing, agents (53) instead of runners
    "ado-level4-online": (4, {"deployment_kind": "online", "ci_system": "azure-devops"}),
    "ado-level5-batch-qa-live": (5, {"deployment_kind": "batch", "ci_system": "azure-devops",
                                     "environments": ["dev", "qa", "live"], "project_name": "fraud"}),
}
DEVOPS = {"organization": "contoso", "project": "Churn Model", "retrainPipelineId": 42}


def _switch_everything_on(root: Path) -> None:
    """Settings that decide whether optional resources exist, filled in identically for both variants."""
    platform = root / "infra" / "platform.json"
    if platform.exists():
        settings = json.loads(platform.read_text())
        settings["groups"] = GROUPS
        if "runner" in settings:
            settings["runner"]["githubRepository"] = "contoso/churn"
        else:
            settings["agent"]["image"] = "crchurn.azurecr.io/ci-agent:1"
        platform.write_text(json.dumps(settings))
    devops = root / "infra" / "azure-devops.json"
    if devops.exists():
        devops.write_text(json.dumps(DEVOPS))


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, tuple[Path, Path, dict]]:
    made = {}
    for name, (level, data) in VARIANTS.items():
        roots = []
        for iac in ("bicep", "terraform"):
            answers = complete({"name_suffix": "ab12", "iac": iac, **data}, level)
            root = tmp_path_factory.mktemp(iac) / name
            new_project(root, level, answers, git=False)
            _switch_everything_on(root)
            roots.append(root)
        made[name] = (roots[0], roots[1], answers)
    return made


def _layer_instances(bicep: Path, terraform: Path, answers: dict, env: str) -> tuple[Counter, Counter]:
    files = [bicep / "infra" / "layers" / f"{layer}.bicep" for layer in BICEP_LAYERS]
    files = [f for f in files if f.exists()]
    from_bicep = bicep_instances(files, {"env": env, "projectName": answers["project_name"],
                                         "nameSuffix": answers["name_suffix"], "location": "westeurope"})
    tf_files = {f"{f.stem}.tf" for f in files}
    from_terraform = terraform_instances(terraform / "infra" / "terraform",
                                         {"env": env, "project_name": answers["project_name"],
                                          "name_suffix": answers["name_suffix"]}, tf_files)
    for implicit in IMPLICIT_IN_TERRAFORM:
        del from_bicep[implicit]
    return from_bicep, from_terraform


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_environment_gets_the_same_resources(projects, name: str) -> None:
    bicep, terraform, answers = projects[name]
    for env in answers["environments"]:
        from_bicep, from_terraform = _layer_instances(bicep, terraform, answers, env)
        assert sum(from_bicep.values()) >= 10
        only_bicep = sorted((from_bicep - from_terraform).elements())
        only_terraform = sorted((from_terraform - from_bicep).elements())
        assert (only_bicep, only_terraform) == ([], []), env


def test_level5_production_has_the_registry_locks_and_every_endpoint(projects) -> None:
    """The comparison covers the environment-dependent parts: the last environment holds the
    registry, its locks and one registry endpoint and outbound rule per environment."""
    bicep, terraform, answers = projects["level5-batch-qa-live"]
    _, live = _layer_instances(bicep, terraform, answers, "live")
    _, dev = _layer_instances(bicep, terraform, answers, "dev")
    assert live[("Microsoft.MachineLearningServices/registries", "mlr-fraud-ab12")] == 1
    assert live[("Microsoft.Authorization/locks", "do-not-delete")] == 4
    assert live[("Microsoft.MachineLearningServices/workspaces/outboundRules", "allow-registry")] == 3
    assert {f"pe-fraud-{e}-mlregistry" for e in ("dev", "qa", "live")} <= {n for _, n in live}
    assert not [key for key in dev if "registries" in key[0] or "locks" in key[0]]
    # data scientists work in the first environment and read the others
    assert dev[("Microsoft.Authorization/roleAssignments", "f6c7c914-8db3-469d-8ca1-694a8f32e121")] == 1
    assert live[("Microsoft.Authorization/roleAssignments", "f6c7c914-8db3-469d-8ca1-694a8f32e121")] == 0


def test_azure_devops_compares_the_retrain_trigger_and_the_agents(projects) -> None:
    """The Azure DevOps-only layers are part of the comparison: the drift alert's Logic App, action
    group and alert in production only, the agent jobs in every environment."""
    bicep, terraform, answers = projects["ado-level5-batch-qa-live"]
    _, live = _layer_instances(bicep, terraform, answers, "live")
    _, dev = _layer_instances(bicep, terraform, answers, "dev")
    retrain = {("Microsoft.Logic/workflows", "logic-fraud-live-retrain"),
               ("Microsoft.Insights/actionGroups", "ag-fraud-live-retrain"),
               ("Microsoft.Insights/metricAlerts", "alert-fraud-live-retrain")}
    assert retrain <= set(live)
    assert not [key for key in dev if key[0] == "Microsoft.Logic/workflows" or key[1].endswith("-retrain")]
    for env, found in (("live", live), ("dev", dev)):
        assert {("Microsoft.App/jobs", f"azp-fraud-{env}"), ("Microsoft.App/jobs", f"azp-fraud-{env}-placeholder"),
                ("Microsoft.ManagedIdentity/userAssignedIdentities", f"id-fraud-{env}-agent")} <= set(found)
        assert not [key for key in found if key[1].startswith("ghr-")]


def test_the_endpoint_alerts_match(projects) -> None:
    bicep, terraform, answers = projects["level5-online"]
    params = {"env": "prod", "projectName": answers["project_name"], "endpointName": "churn-ep",
              "location": "westeurope"}
    from_bicep = bicep_instances([bicep / "infra" / "monitoring" / "endpoint.bicep"], params)
    from_terraform = terraform_instances(terraform / "infra" / "terraform" / "monitoring-endpoint",
                                         {"env": "prod", "project_name": answers["project_name"],
                                          "endpoint_name": "churn-ep"})
    assert sum(from_bicep.values()) == 5
    assert from_bicep == from_terraform


def test_a_difference_is_reported(projects, tmp_path: Path) -> None:
    """A renamed resource in the Terraform shows up on both sides of the comparison."""
    import shutil

    bicep, terraform, answers = projects["level4-online"]
    changed = tmp_path / "project"
    shutil.copytree(terraform, changed)
    monitoring = changed / "infra" / "terraform" / "40-monitoring.tf"
    monitoring.write_text(monitoring.read_text().replace('"ag-${var.project_name}', '"ag-${var.env}', 1))
    from_bicep, from_terraform = _layer_instances(bicep, changed, answers, "dev")
    assert from_bicep - from_terraform == Counter({("Microsoft.Insights/actionGroups", "ag-churn-model-dev"): 1})
    assert from_terraform - from_bicep == Counter({("Microsoft.Insights/actionGroups", "ag-dev-dev"): 1})


# The factory's managed network is a resource in Bicep and `managed_virtual_network_enabled` in Terraform.
IMPLICIT_IN_TERRAFORM_ADF = {("Microsoft.DataFactory/factories/managedVirtualNetworks", "default")}


def test_level5_data_factory_gets_the_same_resources(tmp_path: Path) -> None:
    """data_pipeline: adf at level 5: 25-data-factory.tf against 25-data-factory.bicep, with the
    managed private endpoints that network isolation adds, in every environment."""
    roots = {}
    for iac in ("bicep", "terraform"):
        answers = complete({"name_suffix": "ab12", "iac": iac, "data_pipeline": "adf"}, 5)
        roots[iac] = tmp_path / iac
        new_project(roots[iac], 5, answers, git=False)
    for env in answers["environments"]:
        from_bicep = bicep_instances(
            [roots["bicep"] / "infra" / "layers" / "25-data-factory.bicep"],
            {"env": env, "projectName": answers["project_name"], "nameSuffix": answers["name_suffix"],
             "location": "westeurope"})
        from_terraform = terraform_instances(
            roots["terraform"] / "infra" / "terraform",
            {"env": env, "project_name": answers["project_name"], "name_suffix": answers["name_suffix"]},
            {"25-data-factory.tf"})
        for implicit in IMPLICIT_IN_TERRAFORM_ADF:
            del from_bicep[implicit]
        assert from_bicep == from_terraform, env
        endpoints = "Microsoft.DataFactory/factories/managedVirtualNetworks/managedPrivateEndpoints"
        assert {name for kind, name in from_terraform if kind == endpoints} == {"PlatformStorageBlob",
                                                                                 "PlatformKeyVault"}
        assert from_terraform[("Microsoft.DataFactory/factories", f"adf-churn-model-{env}-ab12")] == 1
