"""Checks that data sources are declared as code and versioned (data assets, datastores, MLTable,
DVC)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.common import (
    KIND_LABELS,
    label_of,
    listed,
    location_at,
    looked_at,
)
from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs
from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

def _dvc_files(repo: RepoEvidence) -> list[str]:
    files = repo.files
    found = [f.path for f in files.with_suffix(".dvc")]
    found += [f.path for f in files.named("dvc.yaml", "dvc.lock")]
    if files.exists(".dvc/config"):
        found.append(".dvc/config")
    return sorted(found)


def declares_data_sources(repo: RepoEvidence) -> CheckResult:
    """Are the data sources declared as code (data assets, datastores, MLTable files, or DVC)?"""
    assets = repo.azureml.of_kind(AmlKind.DATA, AmlKind.DATASTORE, AmlKind.MLTABLE)
    dvc = _dvc_files(repo)
    if not assets and not dvc:
        return failed(
            "no Azure ML data asset, datastore or MLTable YAML and no DVC files "
            f"(*.dvc, dvc.yaml, .dvc/config); {looked_at(repo)}"
        )
    counts = defaultdict(int)
    for asset in assets:
        counts[KIND_LABELS[asset.kind]] += 1
    parts = [plural(n, label) for label, n in counts.items()]
    if dvc:
        parts.append(f"DVC ({listed(dvc)})")
    evidence = [(a.location, f"{KIND_LABELS[a.kind]} {a.name or ''}".strip()) for a in assets]
    evidence += [(path, "DVC") for path in dvc]
    return passed(f"data sources declared as code: {', '.join(parts)}", refs(evidence))


def _data_version(asset: AmlAsset) -> str | None:
    version = asset.data.get("version")
    if version is None or isinstance(version, bool | dict | list) or not str(version).strip():
        return None
    return None if str(version).strip().lower() == "latest" else str(version).strip()


def versions_data(repo: RepoEvidence) -> CheckResult:
    """Is the training data versioned (DVC-tracked, or data assets with an explicit version)?"""
    tracked = [f.path for f in repo.files.with_suffix(".dvc")]
    tracked += [f.path for f in repo.files.named("dvc.lock")]
    data = repo.azureml.of_kind(AmlKind.DATA)
    unversioned = [a for a in data if _data_version(a) is None]
    versioned = [a for a in data if _data_version(a) is not None]
    if tracked:
        found = f"DVC tracks data ({listed(sorted(tracked))})"
        if unversioned:
            found += f"; {plural(len(unversioned), 'data asset')} without a version"
        return passed(found, refs((path, "DVC-tracked") for path in sorted(tracked)))
    if unversioned:
        return failed(
            f"{plural(len(unversioned), 'data asset')} without an explicit version: "
            + listed(label_of(a) for a in unversioned)
            + ("" if not versioned else f" ({len(versioned)} other(s) versioned)"),
            refs((a.location, "no version") for a in unversioned),
        )
    if versioned:
        return passed(
            "every data asset has an explicit version: "
            + listed(f"{a.name or a.path}:{_data_version(a)}" for a in versioned),
            refs((location_at(a, "version"), f"version {_data_version(a)}") for a in versioned),
        )
    others = repo.azureml.of_kind(AmlKind.DATASTORE, AmlKind.MLTABLE)
    detail = f" (only {plural(len(others), 'datastore or MLTable file')}: no version)" if others else ""
    return failed(
        f"no DVC-tracked data (*.dvc, dvc.lock) and no Azure ML data asset YAML{detail}; " + looked_at(repo),
        refs((a.location, KIND_LABELS[a.kind]) for a in others),
    )


CHECKS = (
    declares_data_sources,
    versions_data,
)
