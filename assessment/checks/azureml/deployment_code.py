"""Deployments defined outside Azure ML CLI v2 YAML, for MLL-301 (deployment.py):

- azure-ai-ml code that builds a deployment (`ManagedOnlineDeployment`, `KubernetesOnlineDeployment`,
  `BatchDeployment`...) and creates it (`ml_client.online_deployments.begin_create_or_update`);
- SDK v1 code that deploys a registered model (`Model.deploy(...)` with an `InferenceConfig` and
  `AciWebservice` / `AksWebservice.deploy_configuration`, `Webservice.deploy_from_model`);
- CLI v1 configuration files of `az ml model deploy`: deployment configurations (`computeType:
  ACI|AKS`) and inference configurations (`entryScript:`);
- MLflow's deployment client (`mlflow.deployments.get_deploy_client("azureml")` with
  `create_deployment`);
- the files a CI action deploys a registered model with (the Azure/aml-deploy action's parameters
  file, scoring script and conda file).

Project modules only: deployment cells in notebooks are run by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.common import DEPLOYMENT_CLASSES, python_calls
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import v1_compute_type, v1_entry_script
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

_CREATES = ("online_deployments.begin_create_or_update", "batch_deployments.begin_create_or_update",
            "begin_create_or_update")
_V1_DEPLOYS = ("Model.deploy", "Webservice.deploy_from_model", "Webservice.deploy_from_image")
_V1_CONFIGS = ("deploy_configuration", "InferenceConfig")


def code_deployments(repo: RepoEvidence) -> tuple[list[tuple[Location, str]], list[tuple[Location, str]]]:
    """(deployments defined and created by code or v1 files, deployments built but never created)."""
    defined: list[tuple[Location, str]] = []
    built = python_calls(repo, *DEPLOYMENT_CLASSES)
    v2 = [(m, c) for m, c in built if c.name.startswith("azure.ai.ml")] or built
    creates = python_calls(repo, *_CREATES)
    if v2 and creates:
        module, call = v2[0]
        created = creates[0]
        defined.append((Location(module.path, call.line),
                        f"azure-ai-ml {call.name.rpartition('.')[2]} created by {created[1].name} "
                        f"({created[0].path}:{created[1].line})"))
    for module, call in python_calls(repo, *_V1_DEPLOYS):
        if call.name.startswith("azureml."):
            configs = sorted({_class_of(c.name) for c in module.calls_ending(*_V1_CONFIGS)})
            with_configs = f" with {', '.join(configs)}" if configs else ""
            what = f"SDK v1 {_class_of(call.name)}.{call.name.rpartition('.')[2]}{with_configs}"
            defined.append((Location(module.path, call.line), what))
    for config in repo.azureml.of_kind(AmlKind.V1_DEPLOYMENT_CONFIG):
        what = f"CLI v1 deployment configuration (computeType {v1_compute_type(config)})"
        defined.append((config.location, what))
    for config in repo.azureml.of_kind(AmlKind.V1_INFERENCE_CONFIG):
        what = f"CLI v1 inference configuration (entryScript {v1_entry_script(config)})"
        defined.append((config.location, what))
    for module, call in python_calls(repo, "get_deploy_client"):
        if call.name.startswith("mlflow.") and module.calls_ending("create_deployment"):
            target = call.string_args[0] if call.string_args else "its target"
            defined.append((Location(module.path, call.line), f"MLflow deployment client for {target}"))
    for action in repo.ci.of_kind(ActionKind.DEPLOY_MODEL):
        if action.target_kind == "registered-model" and action.files:
            what = f"deployment configuration {', '.join(action.files)} ({action.command.split(':')[0]})"
            defined.append((Location(action.files[0]), what))
    unused = [] if creates else [  # `defined` holds them when some code creates deployments
        (Location(m.path, c.line), f"{m.path} builds {c.name.rpartition('.')[2]} but no code creates it")
        for m, c in v2
    ]
    return defined, unused


def _class_of(name: str) -> str:
    """The class a resolved call belongs to: `azureml.core.webservice.AciWebservice.deploy_configuration`
    -> AciWebservice, `azureml.core.model.InferenceConfig` -> InferenceConfig."""
    parts = name.split(".")
    classes = [p for p in parts if p[:1].isupper()]
    return classes[-1] if classes else parts[-1]
