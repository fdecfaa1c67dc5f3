"""What an Azure ML YAML file is (an AmlKind), or None when it is not one.

A YAML file is recognised first by its `$schema` (any Azure ML schema address: the
azuremlschemas CDN, versioned folders, `http://azureml/sdk-2-0/...`), then by its shape
(`type: pipeline` with `jobs:`, `endpoint_name:` with `model:`, `trigger:` with
`create_job:`...). Files named `MLTable` and `FeaturesetSpec.yaml` are recognised by name.

SDK v1 / CLI v1 files: `*.runconfig` (a run configuration) and `azureml_environment.json` (an
environment folder) by name; deployment configurations by `computeType: ACI|AKS|...` and
inference configurations by `entryScript:`. Whatever their name, a run configuration by its shape
(`script:` with `target:` or `framework:` and an `environment:` with `python:
condaDependenciesFile` or `docker:`) and a pipeline YAML by its `pipeline:` mapping with `steps:`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind

NAMED_FILES = {
    "MLTable": AmlKind.MLTABLE,
    "FeaturesetSpec.yaml": AmlKind.FEATURESET_SPEC,
    "azureml_environment.json": AmlKind.V1_ENVIRONMENT,
}
RUN_CONFIG_SUFFIX = ".runconfig"
# computeType values of CLI v1 deployment configurations (`az ml model deploy --dc ...`)
_V1_COMPUTE_TYPES = frozenset({"aci", "aks", "local", "akscompute", "aciwebservice", "akswebservice"})

_SCHEMA_KINDS: dict[str, AmlKind] = {
    "commandjob": AmlKind.COMMAND_JOB,
    "pipelinejob": AmlKind.PIPELINE_JOB,
    "sweepjob": AmlKind.SWEEP_JOB,
    "sparkjob": AmlKind.SPARK_JOB,
    "automljob": AmlKind.AUTOML_JOB,
    "commandcomponent": AmlKind.COMMAND_COMPONENT,
    "pipelinecomponent": AmlKind.PIPELINE_COMPONENT,
    "environment": AmlKind.ENVIRONMENT,
    "data": AmlKind.DATA,
    "model": AmlKind.MODEL,
    "managedonlineendpoint": AmlKind.ONLINE_ENDPOINT,
    "kubernetesonlineendpoint": AmlKind.ONLINE_ENDPOINT,
    "managedonlinedeployment": AmlKind.ONLINE_DEPLOYMENT,
    "kubernetesonlinedeployment": AmlKind.ONLINE_DEPLOYMENT,
    "batchendpoint": AmlKind.BATCH_ENDPOINT,
    "batchdeployment": AmlKind.BATCH_DEPLOYMENT,
    "modelbatchdeployment": AmlKind.BATCH_DEPLOYMENT,
    "pipelinecomponentbatchdeployment": AmlKind.BATCH_DEPLOYMENT,
    "schedule": AmlKind.JOB_SCHEDULE,  # or MONITOR_SCHEDULE, decided by create_monitor
    "monitorschedule": AmlKind.MONITOR_SCHEDULE,  # the published schema of monitor schedules
    "amlcompute": AmlKind.COMPUTE,
    "computeinstance": AmlKind.COMPUTE,
    "kubernetescompute": AmlKind.COMPUTE,
    "azureblob": AmlKind.DATASTORE,
    "azuredatalakegen1": AmlKind.DATASTORE,
    "azuredatalakegen2": AmlKind.DATASTORE,
    "azurefile": AmlKind.DATASTORE,
    "onelake": AmlKind.DATASTORE,
    "registry": AmlKind.REGISTRY,
    "workspace": AmlKind.WORKSPACE,
    "featuresetspec": AmlKind.FEATURESET_SPEC,
    "mltable": AmlKind.MLTABLE,
}

_DATA_TYPES = frozenset({"uri_file", "uri_folder", "mltable"})
_MODEL_TYPES = frozenset({"mlflow_model", "custom_model", "triton_model"})
_DATASTORE_TYPES = frozenset(
    {"azure_blob", "azure_data_lake_gen1", "azure_data_lake_gen2", "azure_file", "one_lake"}
)
_COMPUTE_TYPES = frozenset({"amlcompute", "computeinstance", "kubernetes"})
_BATCH_DEPLOYMENT_KEYS = frozenset(
    {"mini_batch_size", "output_action", "output_file_name", "max_concurrency_per_instance",
     "error_threshold", "retry_settings", "compute", "component", "job_definition"}
)
_COMMAND_JOB_KEYS = frozenset({"compute", "experiment_name", "resources", "distribution", "limits"})


def schema_name(data: dict) -> str | None:
    """The schema name of an Azure ML `$schema` address ("pipelinejob"), or None when there is none."""
    schema = data.get("$schema")
    if not isinstance(schema, str) or "azureml" not in schema.lower():
        return None
    last = re.split(r"[?#]", schema.strip().rstrip("/"))[0].rsplit("/", 1)[-1].lower()
    for suffix in (".schema.json", ".json", ".yaml", ".yml"):
        if last.endswith(suffix):
            return last[: -len(suffix)]
    return last


def kind_of(path: str, data: dict) -> AmlKind | None:
    """What Azure ML asset *data* (loaded from *path*) is, or None when it is not one."""
    name = posixpath.basename(path)
    if name in NAMED_FILES:
        return NAMED_FILES[name]
    if name.endswith(RUN_CONFIG_SUFFIX):
        return AmlKind.RUN_CONFIG
    schema = data.get("$schema")
    if isinstance(schema, str) and schema.strip():
        by_schema = schema_name(data)
        if by_schema is None:
            return None  # some other tool's schema
        kind = _SCHEMA_KINDS.get(by_schema)
        if kind is AmlKind.JOB_SCHEDULE and "create_monitor" in data:
            return AmlKind.MONITOR_SCHEDULE
        return kind  # an Azure ML schema this module does not model (autoMLJob, connection...) -> None
    if "dependencies" in data:
        return None  # conda environment file
    return _kind_by_shape(data)


def _kind_by_shape(data: dict) -> AmlKind | None:
    if _is_v1_run_config(data):
        return AmlKind.RUN_CONFIG
    pipeline = data.get("pipeline")
    if isinstance(pipeline, dict) and isinstance(pipeline.get("steps"), dict):
        return AmlKind.V1_PIPELINE
    kind_type = data.get("type")
    type_name = kind_type.lower() if isinstance(kind_type, str) else None
    if type_name == "pipeline" and isinstance(data.get("jobs"), dict):
        return AmlKind.PIPELINE_JOB
    if type_name == "command" and "command" in data:
        # A versioned command without job settings (compute, experiment...) or input paths is a component.
        looks_like_job = bool(_COMMAND_JOB_KEYS & data.keys()) or _inputs_have_paths(data)
        if data.get("version") is not None and not looks_like_job:
            return AmlKind.COMMAND_COMPONENT
        if {"inputs", "outputs", "code", "environment", "compute"} & data.keys():
            return AmlKind.COMMAND_JOB
    if type_name == "sweep" and "trial" in data:
        return AmlKind.SWEEP_JOB
    if type_name == "automl" and "task" in data:
        return AmlKind.AUTOML_JOB
    if "endpoint_name" in data and ("model" in data or "component" in data):
        is_batch = bool(_BATCH_DEPLOYMENT_KEYS & data.keys()) or type_name in ("model", "pipeline") or (
            isinstance(data.get("settings"), dict) and "mini_batch_size" in data["settings"]
        )
        return AmlKind.BATCH_DEPLOYMENT if is_batch else AmlKind.ONLINE_DEPLOYMENT
    if "trigger" in data and "create_monitor" in data:
        return AmlKind.MONITOR_SCHEDULE
    if "trigger" in data and "create_job" in data:
        return AmlKind.JOB_SCHEDULE
    if "auth_mode" in data and "name" in data:
        return AmlKind.BATCH_ENDPOINT if "defaults" in data else AmlKind.ONLINE_ENDPOINT
    if "path" in data and type_name in _DATA_TYPES:
        return AmlKind.DATA
    if "path" in data and type_name in _MODEL_TYPES:
        return AmlKind.MODEL
    if "image" in data and "conda_file" in data:
        return AmlKind.ENVIRONMENT
    if isinstance(data.get("build"), dict) and "path" in data["build"]:
        return AmlKind.ENVIRONMENT  # docker build context (docker-compose uses `context`, not `path`)
    if type_name in _COMPUTE_TYPES:
        return AmlKind.COMPUTE
    if type_name in _DATASTORE_TYPES:
        return AmlKind.DATASTORE
    if _is_mltable_paths(data.get("paths")):
        return AmlKind.MLTABLE
    compute_type = data.get("computeType")
    if isinstance(compute_type, str) and compute_type.strip().lower() in _V1_COMPUTE_TYPES:
        return AmlKind.V1_DEPLOYMENT_CONFIG
    if isinstance(data.get("entryScript"), str):
        return AmlKind.V1_INFERENCE_CONFIG
    return None


def _is_v1_run_config(data: dict) -> bool:
    """The YAML form of an SDK v1 RunConfiguration (`RunConfiguration.load`, the Azure/aml-run action):
    the script it runs, where (`target`) or how (`framework`), and an environment built from a conda
    file or a Docker image."""
    environment = data.get("environment")
    if not isinstance(data.get("script"), str) or not isinstance(environment, dict):
        return False
    if not {"target", "framework"} & data.keys():
        return False
    python = environment.get("python")
    return (isinstance(python, dict) and "condaDependenciesFile" in python) or isinstance(
        environment.get("docker"), dict
    )


def _inputs_have_paths(data: dict) -> bool:
    inputs = data.get("inputs")
    return isinstance(inputs, dict) and any(isinstance(v, dict) and "path" in v for v in inputs.values())


def _is_mltable_paths(paths: Any) -> bool:
    return (
        isinstance(paths, list)
        and bool(paths)
        and all(isinstance(p, dict) and {"file", "folder", "pattern"} & p.keys() for p in paths)
    )
