"""Load an Azure ML CLI v2 YAML file with the azure-ai-ml loader its `$schema` names (offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def _loaders() -> dict[str, Any]:
    from azure.ai.ml import (
        load_batch_deployment,
        load_batch_endpoint,
        load_component,
        load_compute,
        load_data,
        load_datastore,
        load_environment,
        load_job,
        load_model,
        load_online_deployment,
        load_online_endpoint,
    )
    from azure.ai.ml.entities._load_functions import load_model_batch_deployment, load_schedule

    return {
        "commandJob": load_job,
        "pipelineJob": load_job,
        "sweepJob": load_job,
        "commandComponent": load_component,
        "pipelineComponent": load_component,
        "environment": load_environment,
        "data": load_data,
        "model": load_model,
        "managedOnlineEndpoint": load_online_endpoint,
        "kubernetesOnlineEndpoint": load_online_endpoint,
        "managedOnlineDeployment": load_online_deployment,
        "kubernetesOnlineDeployment": load_online_deployment,
        "batchEndpoint": load_batch_endpoint,
        "batchDeployment": load_batch_deployment,
        "modelBatchDeployment": load_model_batch_deployment,
        "schedule": load_schedule,
        "monitorSchedule": load_schedule,
        "amlCompute": load_compute,
        "azureBlob": load_datastore,
    }


def schema_name(path: Path) -> str | None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = data.get("$schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.endswith(".schema.json"):
        return None
    return schema.rsplit("/", 1)[-1].removesuffix(".schema.json")


def load_azureml_yaml(path: Path) -> Any:
    """Load and validate *path*; raises on any schema or loader error. Monitor schedules raise a bare
    NotImplementedError whose real error is in __context__ (azure-ai-ml quirk): surface that."""
    name = schema_name(path)
    if name is None:
        raise ValueError(f"{path}: no Azure ML $schema")
    loader = _loaders().get(name)
    if loader is None:
        raise ValueError(f"{path}: no loader known for schema {name}")
    try:
        entity = loader(source=str(path))
    except NotImplementedError as exc:
        raise (exc.__context__ or exc) from None
    validate = getattr(entity, "_validate", None)
    if callable(validate) and name in ("pipelineJob", "commandJob"):
        result = validate()
        if hasattr(result, "passed") and not result.passed:
            raise ValueError(f"{path}: {result.error_messages}")
    return entity
