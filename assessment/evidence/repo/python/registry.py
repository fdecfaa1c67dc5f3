"""Calls that touch the model registry: reads of registered models (SDK v1 `Model(ws, name)` too) or of
a registered version's run, registrations and promotions (MLflow, Azure ML SDK v1 and v2)."""

from __future__ import annotations

from collections.abc import Iterable

from mlops_ladder.assessment.evidence.repo.python.model import Call

REGISTRY_READS = (
    "search_model_versions", "get_latest_versions", "get_model_version", "get_registered_model",
    "get_model_version_by_alias", "models.get", "models.list",
    "Model.list",  # Azure ML SDK v1 (azureml.core.Model)
)
RUN_READS = ("get_run", "get_metric_history")
REGISTRATIONS = (
    "register_model", "create_model_version", "models.create_or_update", "models.begin_create_or_update",
    "Model.register",  # Azure ML SDK v1 (azureml.core.Model.register)
)
PROMOTIONS = (
    "transition_model_version_stage", "set_registered_model_alias", "copy_model_version", "models.share",
    "online_deployments.begin_create_or_update", "batch_deployments.begin_create_or_update",
)


def _last(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.rpartition(".")[2] for name in names)


# A set lookup on a call's last name segment rules out almost every call before the precise tests.
_REGISTER_LAST = _last((*REGISTRATIONS, "log_model", "autolog"))
# Every call registers_model() accepts ends with one of these (for PythonEvidence.calls_ending).
REGISTRATION_LAST_NAMES = tuple(sorted(_REGISTER_LAST))
_PROMOTE_LAST = _last((*REGISTRATIONS, *PROMOTIONS, "log_model", "autolog"))
_READ_LAST = _last((*REGISTRY_READS, "load_model", "Model"))


def registers_model(call: Call) -> bool:
    """mlflow.register_model, create_model_version, ml_client.models.create_or_update, or
    log_model(..., registered_model_name=...) and autolog(registered_model_name=...)."""
    if call.name.rpartition(".")[2] not in _REGISTER_LAST:
        return False
    # Dotted only: a bare `register_model(...)` is a local function or a pipeline component, not the API.
    if any(call.name.endswith("." + s) for s in REGISTRATIONS):
        return True
    logs = call.endswith("log_model") or (call.endswith("autolog") and call.name.startswith("mlflow."))
    return logs and "registered_model_name" in call.keywords


def promotes_model(call: Call) -> bool:
    if call.name.rpartition(".")[2] not in _PROMOTE_LAST:
        return False
    return registers_model(call) or any(call.endswith(s) for s in PROMOTIONS)


def reads_registry(call: Call) -> bool:
    if call.name.rpartition(".")[2] not in _READ_LAST:
        return False
    if any(call.endswith(s) for s in REGISTRY_READS):
        return True
    if call.name.startswith("azureml.") and call.name.endswith(".Model"):
        return True  # SDK v1 Model(ws, name): the latest registered version
    return call.endswith("load_model") and any(a.startswith("models:/") for a in call.string_args)


# Last name segments of every call above: a set lookup rules out almost all calls cheaply.
_LAST_SEGMENTS = frozenset(
    name.rpartition(".")[2]
    for name in (
        *REGISTRY_READS, *RUN_READS, *REGISTRATIONS, *PROMOTIONS,
        "load_model", "log_model", "autolog", "Model",
    )
)


def needs_analysis(calls: Iterable[Call]) -> bool:
    return any(
        c.name.rpartition(".")[2] in _LAST_SEGMENTS
        and (reads_registry(c) or promotes_model(c) or any(c.endswith(s) for s in RUN_READS))
        for c in calls
    )
