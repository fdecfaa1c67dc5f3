"""What the Azure ML checks share: labels and locations of assets, Python calls that build Azure ML
objects, and the values CI sets for a file at deploy time (`--set key=value`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import refs
from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonModule

KIND_LABELS = {
    AmlKind.DATA: "data asset",
    AmlKind.DATASTORE: "datastore",
    AmlKind.MLTABLE: "MLTable",
    AmlKind.ONLINE_DEPLOYMENT: "online deployment",
    AmlKind.BATCH_DEPLOYMENT: "batch deployment",
}

# Call names (resolved through imports) that build Azure ML objects in Python code.
ONLINE_DEPLOYMENT_CLASSES = ("ManagedOnlineDeployment", "KubernetesOnlineDeployment")
ONLINE_CLASSES = (*ONLINE_DEPLOYMENT_CLASSES, "ManagedOnlineEndpoint", "KubernetesOnlineEndpoint")
DEPLOYMENT_CLASSES = (
    *ONLINE_DEPLOYMENT_CLASSES, "BatchDeployment", "ModelBatchDeployment", "PipelineComponentBatchDeployment",
)
DEPLOY_ACTIONS = (ActionKind.DEPLOY_MODEL,)


def listed(items: Iterable[str], limit: int = 3) -> str:
    """At most *limit* names as given (repeats kept, unlike checks.text.name_list), then "and N more"."""
    items = list(items)
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def looked_at(repo: RepoEvidence) -> str:
    return f"looked at {plural(repo.azureml.yaml_files_read, 'YAML file')}"


def location_at(asset: AmlAsset, key: str | None = None) -> Location:
    line = asset.data.key_line(key) if key is not None and hasattr(asset.data, "key_line") else asset.line
    return Location(asset.path, line or asset.line)


def label_of(asset: AmlAsset) -> str:
    return f"{asset.path} ({asset.name})" if asset.name else asset.path


def python_calls(repo: RepoEvidence, *suffixes: str) -> list[tuple[PythonModule, Call]]:
    return repo.python.calls_ending(*suffixes, include_tests=False)


def call_refs(calls: list[tuple[PythonModule, Call]]) -> tuple:
    return refs((Location(m.path, c.line), c.name) for m, c in calls)


def unquoted(value: str) -> str:
    return value.strip().strip("'\"").strip()


def set_values(action: CiAction) -> dict[str, str]:
    """`--set key=value` pairs of a CI action (the option may be repeated: values joined by newlines).

    Several pairs may share one line (`--set a=1 b=2`); a value may contain spaces inside an
    expression (`model=azureml:m:${{ inputs.v }}`), so pairs split only before `key=`."""
    raw = action.options.get("--set", "")
    pairs: dict[str, str] = {}
    for line in raw.splitlines():
        for token in re.split(r"\s+(?=['\"]?[A-Za-z_][\w.\[\]-]*=)", line.strip()):
            key, sep, value = unquoted(token).partition("=")
            if sep and key:
                pairs[key.strip()] = unquoted(value)
    return pairs


def values_at_deploy(
    repo: RepoEvidence, asset: AmlAsset, key: str, kinds: tuple[ActionKind, ...]
) -> list[tuple[Any, Location, str]]:
    """The value of *key* each time the file is used: per CI action that targets the file, the
    `--set key=...` it passes or else the file's own value; the file's value when no CI action uses it.
    Returns (value, where, how) triples."""
    actions = repo.ci.using_file(asset.path, *kinds)
    if not actions:
        return [(asset.data.get(key), location_at(asset, key), "as written")]
    values = []
    for action in actions:
        overrides = set_values(action)
        if key in overrides:
            values.append((overrides[key], action.location, f"set by CI (job {action.job})"))
        else:
            how = "as written; CI deploys it without --set"
            values.append((asset.data.get(key), location_at(asset, key), how))
    unique: dict[tuple[str, Location, str], tuple[Any, Location, str]] = {}
    for value, where, how in values:  # several plain deploys of one file are one finding
        unique.setdefault((repr(value), where, how), (value, where, how))
    return list(unique.values())
