"""Conda files that Azure ML environment definitions name, wherever they live and whatever their name
(`core/environments/conda/train.yml`): the project collector reads them as dependency declarations.

- `conda_file:` of an environment YAML, and of an environment written in place in a job or
  component (also a sweep's trial and a pipeline's steps), relative to the YAML file;
- `condaDependenciesFile` of a run configuration and of an SDK v1 environment folder
  (`azureml_environment.json`, with the `conda_dependencies.yml` beside it);
- Python code: SDK v1 `Environment.from_conda_specification(name, file_path)` and
  `CondaDependencies(conda_dependencies_file_path=...)`, azure-ai-ml `Environment(conda_file=...)`,
  relative to the module's folder or the repository root (both are returned).
"""

from __future__ import annotations

import posixpath
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind, AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.azureml.v1files import (
    candidate_paths,
    run_config_environment,
    v1_environment_files,
)
from mlops_ladder.assessment.evidence.repo.azureml.values import resolve_local_path
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence

_USING_KINDS = (AmlKind.COMMAND_JOB, AmlKind.COMMAND_COMPONENT, AmlKind.SWEEP_JOB, AmlKind.PIPELINE_JOB,
                AmlKind.PIPELINE_COMPONENT, AmlKind.SPARK_JOB)
_CODE = ("Environment.from_conda_specification", "CondaDependencies", "Environment")
_CODE_KEYWORDS = ("file_path", "conda_dependencies_file_path", "conda_file")


def referenced_conda_files(azureml: AzureMLEvidence, python: PythonEvidence) -> list[str]:
    """Repo paths the environment definitions name as conda files (candidates: some may not exist)."""
    found: list[str] = []
    for asset in azureml.of_kind(AmlKind.ENVIRONMENT):
        found += _conda_of(asset, asset.data)
    for asset in azureml.of_kind(*_USING_KINDS):
        jobs = asset.data.get("jobs")
        steps = list(jobs.values()) if isinstance(jobs, dict) else []
        nodes: list[Any] = [asset.data, asset.data.get("trial"), *steps]
        for node in nodes:
            if isinstance(node, dict):
                found += _conda_of(asset, node.get("environment"))
    for asset in azureml.of_kind(AmlKind.RUN_CONFIG):
        environment = run_config_environment(asset)
        found += list(environment.conda_files) if environment else []
    for asset in azureml.of_kind(AmlKind.V1_ENVIRONMENT):
        found += v1_environment_files(asset)[0]
    for module, call in python.calls_ending(*_CODE, include_tests=False):
        path = _code_conda_file(call)
        if path is not None:
            found += candidate_paths(path, [posixpath.dirname(module.path), ""])
    return list(dict.fromkeys(found))


def _conda_of(asset: AmlAsset, environment: Any) -> list[str]:
    if not isinstance(environment, dict):
        return []
    path = resolve_local_path(asset.path, environment.get("conda_file"))
    return [path] if path else []


def _code_conda_file(call: Call) -> str | None:
    """The conda file an environment-building call names (SDK v1 or azure-ai-ml), else None."""
    if not call.name.startswith(("azureml.", "azure.ai.ml")):
        return None
    named = next((value for key in _CODE_KEYWORDS if (value := call.keyword(key))), None)
    named = named or next((a for a in call.string_args if a.endswith((".yml", ".yaml"))), None)
    return named if named and named.endswith((".yml", ".yaml")) else None
