"""The infrastructure checks, on evidence built from files in tmp_path (IaC and Azure ML YAML collected
by their collectors; CI actions and Python calls constructed directly)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mlops_ladder.assessment.checks import infra
from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.collect import collect as collect_azureml
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, CiEvidence, CiPipeline
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.iac.collect import collect as collect_iac
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule
from tests.conftest import make_repo

SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/{}.schema.json\n"
WORKSPACE = """\
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: 'mlw'
  location: 'westeurope'
}
"""


def evidence(
    root: Path,
    files: dict[str, str],
    *,
    actions: Iterable[CiAction] = (),
    pipelines: Iterable[str] = (),
    modules: Iterable[PythonModule] = (),
) -> Any:
    """The parts of RepoEvidence the infra checks read."""
    repo_files = list_repo_files(make_repo(root, files))
    iac_evidence = collect_iac(repo_files)
    ci = CiEvidence(
        pipelines=[CiPipeline("github", p, {}, ()) for p in pipelines],
        actions=list(actions),
    )
    return SimpleNamespace(
        files=repo_files, iac=iac_evidence, resources=iac_evidence.resources,
        azureml=collect_azureml(repo_files), ci=ci, python=PythonEvidence(modules=list(modules)),
    )


def action(kind: ActionKind, command: str) -> CiAction:
    where = ".github/workflows/release.yml"
    return CiAction(kind=kind, location=Location(where, 30), pipeline=where, job="release", step=command[:30],
                    command=command)


# -- iac_declares_ml_workspace --------------------------------------------------------------------
def test_workspace_declared_in_bicep(tmp_path: Path) -> None:
    result = infra.iac_declares_ml_workspace(evidence(tmp_path, {"infra/ml.bicep": WORKSPACE}))
    assert result.outcome == Outcome.PASS
    assert result.found == "Bicep declares Azure ML workspace 'mlw' at infra/ml.bicep:1"


def test_workspace_only_referenced_fails(tmp_path: Path) -> None:
    bicep = WORKSPACE.replace("= {", "existing = {").replace("  location: 'westeurope'\n", "")
    result = infra.iac_declares_ml_workspace(evidence(tmp_path, {"infra/ml.bicep": bicep}))
    assert result.outcome == Outcome.FAIL
    assert "only references an existing Azure ML workspace" in result.found


def test_workspace_missing_from_iac_fails_and_unparsed_iac_is_unknown(tmp_path: Path) -> None:
    kv = "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n}\n"
    result = infra.iac_declares_ml_workspace(evidence(tmp_path / "a", {"infra/kv.bicep": kv}))
    assert result.outcome == Outcome.FAIL
    assert result.found == "IaC declares 1 resource in 1 file, none of them an Azure ML workspace"
    broken = {"infra/kv.bicep": kv, "infra/ml.bicep": "resource ws 'x@1' = {\n  name: \n"}
    assert infra.iac_declares_ml_workspace(evidence(tmp_path / "b", broken)).outcome == Outcome.UNKNOWN
    nothing = infra.iac_declares_ml_workspace(evidence(tmp_path / "c", {"README.md": "hi\n"}))
    assert nothing.outcome == Outcome.FAIL and "no infrastructure code" in nothing.found


def test_workspace_through_an_avm_module_passes(tmp_path: Path) -> None:
    bicep = "module ws 'br/public:avm/res/machine-learning-services/workspace:0.9.0' = {\n  name: 'ws'\n}\n"
    result = infra.iac_declares_ml_workspace(evidence(tmp_path, {"main.bicep": bicep}))
    assert result.outcome == Outcome.PASS


# -- training_compute_scales_to_zero --------------------------------------------------------------
CLUSTER_TF = """\
resource "azurerm_machine_learning_compute_cluster" "cpu" {{
  name    = "cpu"
  vm_size = "Standard_DS3_v2"
  scale_settings {{
    min_node_count = {minimum}
    max_node_count = 4
  }}
}}
"""


def test_clusters_scale_to_zero_in_iac_and_yaml(tmp_path: Path) -> None:
    compute_yaml = SCHEMA.format("amlCompute") + "name: gpu\ntype: amlcompute\nsize: Standard_NC6s_v3\n"
    result = infra.training_compute_scales_to_zero(evidence(tmp_path, {
        "infra/compute.tf": CLUSTER_TF.format(minimum=0), "mlops/compute.yml": compute_yaml,
    }))
    assert result.outcome == Outcome.PASS
    assert result.found.startswith("2 compute clusters scale to zero")
    assert any("(default)" in ref.detail for ref in result.evidence)


def test_a_cluster_with_nodes_always_on_fails(tmp_path: Path) -> None:
    compute_yaml = SCHEMA.format("amlCompute") + "name: gpu\ntype: amlcompute\nmin_instances: 2\n"
    result = infra.training_compute_scales_to_zero(evidence(tmp_path, {
        "infra/compute.tf": CLUSTER_TF.format(minimum=0), "mlops/compute.yml": compute_yaml,
    }))
    assert result.outcome == Outcome.FAIL
    assert result.found == ("cluster compute 'gpu': minimum nodes 2 at mlops/compute.yml:4,"
                            " so it never scales to zero")


def test_cluster_minimum_from_an_expression_or_none_is_unknown(tmp_path: Path) -> None:
    undecided = infra.training_compute_scales_to_zero(
        evidence(tmp_path / "a", {"compute.tf": CLUSTER_TF.format(minimum="var.min_nodes")}))
    assert undecided.outcome == Outcome.UNKNOWN
    none = infra.training_compute_scales_to_zero(evidence(tmp_path / "b", {"infra/ml.bicep": WORKSPACE}))
    assert none.outcome == Outcome.UNKNOWN
    assert none.found == "no Azure ML compute cluster is defined in IaC or compute YAML"


# -- defines_multiple_environments ----------------------------------------------------------------
def test_parameter_files_per_environment_pass(tmp_path: Path) -> None:
    result = infra.defines_multiple_environments(evidence(tmp_path, {
        "infra/main.bicep": "param env string\n",
        "infra/env/dev.bicepparam": "using '../main.bicep'\nparam env = 'dev'\n",
        "infra/env/prod.bicepparam": "using '../main.bicep'\nparam env = 'prod'\n",
    }), min_environments=2)
    assert result.outcome == Outcome.PASS
    assert result.found == ("2 environments have their own configuration: dev (infra/env/dev.bicepparam),"
                            " prod (infra/env/prod.bicepparam)")


def test_config_files_per_environment_pass(tmp_path: Path) -> None:
    result = infra.defines_multiple_environments(evidence(tmp_path, {
        "config-infra-dev.yml": "namespace: dev\n",
        "config-infra-prod.yml": "namespace: prod\n",
        "settings/test/app.json": "{}\n",
    }), min_environments=3)
    assert result.outcome == Outcome.PASS


def test_one_environment_or_look_alikes_fail(tmp_path: Path) -> None:
    files = {
        "config-infra-dev.yml": "namespace: dev\n",
        ".github/workflows/deploy-prod.yml": "on: push\n",  # a pipeline, not configuration
        "azure-pipelines-prod.yml": "trigger: none\n",
        "tests/fixtures/prod.json": "{}\n",
        "src/prod_model.py": "x = 1\n",
        "docs/environments.md": "dev and prod\n",
    }
    result = infra.defines_multiple_environments(
        evidence(tmp_path, files, pipelines=["azure-pipelines-prod.yml"]), min_environments=2)
    assert result.outcome == Outcome.FAIL
    assert result.found == ("only 1 environment has its own configuration: dev (config-infra-dev.yml);"
                            " at least 2 expected")


# -- uses_ml_registry -----------------------------------------------------------------------------
DEPLOYMENT = SCHEMA.format("managedOnlineDeployment") + """\
name: blue
endpoint_name: churn
model: {model}
instance_type: Standard_DS3_v2
instance_count: 1
"""


def test_deployment_from_own_registry_passes(tmp_path: Path) -> None:
    model = "azureml://registries/contoso-ml/models/churn/versions/3"
    result = infra.uses_ml_registry(evidence(tmp_path, {"deploy/blue.yml": DEPLOYMENT.format(model=model)}))
    assert result.outcome == Outcome.PASS
    assert result.found == "online_deployment uses registry 'contoso-ml' at deploy/blue.yml:4"


def test_public_registry_only_fails(tmp_path: Path) -> None:
    job = SCHEMA.format("commandJob") + (
        "command: python train.py\n"
        "environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n"
        "compute: azureml:cpu\n"
    )
    result = infra.uses_ml_registry(evidence(tmp_path, {
        "train/job.yml": job, "deploy/blue.yml": DEPLOYMENT.format(model="azureml:churn:3"),
    }))
    assert result.outcome == Outcome.FAIL
    assert result.found.startswith("only Microsoft's public registries are referenced")


def test_registry_in_iac_ci_or_code_passes(tmp_path: Path) -> None:
    bicep = "resource reg 'Microsoft.MachineLearningServices/registries@2024-10-01' = {\n  name: 'reg'\n}\n"
    declared = infra.uses_ml_registry(evidence(tmp_path / "a", {"infra/reg.bicep": bicep}))
    assert declared.outcome == Outcome.PASS
    share = action(ActionKind.SHARE_MODEL, "az ml model share --name churn --version 3 --registry-name reg")
    shared = infra.uses_ml_registry(evidence(tmp_path / "b", {"a.txt": ""}, actions=[share]))
    assert shared.outcome == Outcome.PASS
    call = Call("azure.ai.ml.MLClient", 9, frozenset({"registry_name"}))
    client = PythonModule(path="src/promote.py", module="promote", is_test=False, imports=frozenset(),
                          functions=frozenset(), calls=(call,))
    result = infra.uses_ml_registry(evidence(tmp_path / "c", {"a.txt": ""}, modules=[client]))
    assert result.outcome == Outcome.PASS
    assert result.found == "MLClient(registry_name=...) at src/promote.py:9"


def test_no_registry_fails_saying_what_was_looked_at(tmp_path: Path) -> None:
    register = action(ActionKind.REGISTER_MODEL, "az ml model create --name churn --path model")
    result = infra.uses_ml_registry(evidence(tmp_path, {"infra/ml.bicep": WORKSPACE}, actions=[register]))
    assert result.outcome == Outcome.FAIL
    assert result.found == ("no Azure ML registry is declared, deployed from or shared to;"
                            " looked at 1 IaC resource, 0 Azure ML assets and 1 CI step")
