"""Which model a CI deployment step deploys: a registered model, or a model file that was never
registered (the verdict behind MLL-302).

* A deployment YAML deployed with `az ml online-deployment|batch-deployment create`: its `model:`
  (or the `--set model=...` CI passes) is registered when it references one (`azureml:name:version`,
  `azureml:name@latest`, a registry path), not when it is a local path (`model: {path: ./model}`).
* CLI v1 `az ml model deploy -m name:version` and the Azure ML extension's AMLModelDeploy task
  deploy registered models (by name, or from a registration's metadata file); so does the
  Azure/aml-deploy GitHub action (`model_name` and `model_version`).
* Scripts CI runs: SDK v1 `Model.deploy` deploys registered `Model` objects; azure-ai-ml deployments
  deploy a registered model when the code gets one (`ml_client.models.get`) or names one
  (`azureml:...`); MLflow deployments when the model URI is `models:/name/version`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.ci.common import K, calls_in, module_of, reachable_modules
from mlops_ladder.assessment.evidence.repo.azureml.assets import deployment_model_ref
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import parse_asset_ref
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

YES, NO, UNKNOWN = "yes", "no", "unknown"
DEPLOYMENT_KINDS = (AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)
SDK_DEPLOY_CALLS = (
    "online_deployments.begin_create_or_update",
    "batch_deployments.begin_create_or_update",
    "Model.deploy",  # SDK v1
    "create_deployment",  # MLflow deployments (with get_deploy_client)
)
_V1_MODEL_OPTIONS = ("-m", "--model", "--model-metadata-file", "--model-file")


def deployment_files(repo: RepoEvidence, action: CiAction) -> list[str]:
    return [
        path
        for path in action.files
        if (asset := repo.azureml.at(path)) is not None and asset.kind in DEPLOYMENT_KINDS
    ]


def sdk_deploys(repo: RepoEvidence, action: CiAction) -> bool:
    """A script CI runs that deploys a model with an SDK (itself or in a module it imports)."""
    module = module_of(repo, action)
    if module is None:
        return False
    modules = reachable_modules(repo, module)
    deploys = calls_in(modules, *SDK_DEPLOY_CALLS[:3])
    mlflow = calls_in(modules, "get_deploy_client") and calls_in(
        modules, "create_deployment", "update_deployment"
    )
    return bool(deploys or mlflow or _updates_webservice(modules))


def _updates_webservice(modules: list) -> bool:
    """SDK v1: `service.update(models=[...])` on a Webservice updates the deployed model."""
    webservice = [m for m in modules if any("Webservice" in name for name in m.imports)]
    return any(
        call.name.rpartition(".")[2] == "update" and "models" in call.keywords
        for m in webservice
        for call in m.calls
    )


def model_verdict(value: object) -> tuple[str, str]:
    """Is the model a deployment names registered?"""
    if isinstance(value, dict):
        if "path" in value:
            return NO, f"a model file ({value['path']}) that is not a registered model"
        return UNKNOWN, "an inline model definition"
    if not isinstance(value, str) or not value.strip():
        return NO, "no model"
    text = value.strip()
    if is_unresolved(text) and not text.lower().startswith("azureml:"):
        return UNKNOWN, f"the model {text}, known only at run time"
    if parse_asset_ref(text) is not None or text.startswith("models:/"):
        return YES, f"the registered model {text}"
    return NO, f"the model file {text}, not a registered model"


def deployed_model(repo: RepoEvidence, action: CiAction) -> tuple[str, str]:
    """(verdict, what) for: does this deployment step deploy a registered model?"""
    if action.kind is K.RUN_PYTHON:
        return _script_model(repo, action)
    if action.target_kind == "registered-model":  # an action that deploys only registered models
        return YES, f"deploys the registered model {action.options.get('--model', '')}".rstrip()
    files = deployment_files(repo, action)
    if files:
        asset = repo.azureml.at(files[0])
        value = _set_value(action, "model") or (deployment_model_ref(asset) if asset else None)
        verdict, what = model_verdict(value)
        return verdict, f"deploys {files[0]} with {what}"
    option = next((name for name in _V1_MODEL_OPTIONS if action.options.get(name)), None)
    if option in ("--model-metadata-file", "--model-file"):
        return YES, "deploys the model a registration step recorded (--model-metadata-file)"
    if option:
        verdict, what = model_verdict(_v1_model(action.options[option]))
        return verdict, f"deploys {what}"
    unresolved = [f for f in action.files if is_unresolved(f)]
    if unresolved:
        return UNKNOWN, f"deploys {unresolved[0]}, a file only known at run time"
    targets = ", ".join(action.files) or "no --file"
    return NO, f"deploys {targets}, which is not an online or batch deployment YAML of this repository"


def _v1_model(value: str) -> str:
    """CLI v1 `-m name:version` (or `name`) names a registered model: written here as azureml:name:version."""
    return value if value.startswith(("azureml:", "models:/", "$")) else f"azureml:{value}"


def _set_value(action: CiAction, key: str) -> str | None:
    """The value CI passes for *key* with `--set key=value` (pairs split only before `name=`: a value
    may hold an expression with spaces)."""
    for pair in re.split(r"\s+(?=['\"]?[A-Za-z_][\w.\[\]-]*=)", action.options.get("--set", "").strip()):
        name, sep, value = pair.strip().strip("'\"").partition("=")
        if sep and name == key:
            return value.strip().strip("'\"")
    return None


def _script_model(repo: RepoEvidence, action: CiAction) -> tuple[str, str]:
    module = module_of(repo, action)
    modules = reachable_modules(repo, module) if module else []
    script = action.files[0] if action.files else "a script"
    if calls_in(modules, "Model.deploy") or _updates_webservice(modules):
        return YES, f"{script} deploys registered models with the SDK v1 (Model.deploy, Webservice.update)"
    names = [text for m in modules for call in m.calls for text in call.string_args]
    if calls_in(modules, "models.get") or any(t.startswith(("azureml:", "models:/")) for t in names):
        return YES, f"{script} deploys a registered model"
    return UNKNOWN, f"{script} deploys a model with an SDK; whether it is registered is decided at run time"
