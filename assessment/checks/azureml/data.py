"""Checks that data sources are declared as code or config (data_sources.py lists what counts) and that
the training data is versioned (DVC, data assets with an explicit version, job inputs and run
configurations that pin a data asset version, Data Factory / Synapse pipelines that create a data asset
version per run, Databricks jobs that read a Delta table at a pinned version; an SDK v1 pipeline YAML's
datasets have none)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.common import label_of, listed, location_at, looked_at
from mlops_ladder.assessment.checks.azureml.data_sources import (
    FILE_KIND_LABELS,
    declared_sources,
    local_file_reads,
)
from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs
from mlops_ladder.assessment.checks.text import name_list, plural
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.jobs import JOB_KINDS, job_data_inputs
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import run_config_data
from mlops_ladder.assessment.evidence.repo.azureml.v1pipeline import v1_pipeline_data
from mlops_ladder.assessment.evidence.repo.platforms.model import FactKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence


def declares_data_sources(repo: RepoEvidence) -> CheckResult:
    """Are the data sources declared as code or config (data assets, datastores, MLTable, DVC, job inputs
    that name a data asset, datastore path or URI, run configuration datasets, loaders in code)?"""
    sources = declared_sources(repo)
    if sources:
        counts = Counter(s.kind for s in sources)
        first = sources[0]
        kinds = ", ".join(f"{kind} x{n}" if n > 1 else kind for kind, n in counts.items())
        return passed(
            f"data sources declared: {kinds}, e.g. {first.detail} ({first.location})",
            refs((s.location, f"{s.kind}: {s.detail}") for s in sources),
        )
    local = local_file_reads(repo)
    committed = ""
    if local:
        files = listed(s.detail for s in local)
        committed = f"; code reads {files} from the repository by a relative path: a copied file, no source"
    return failed(
        "no data asset, datastore, MLTable or DVC file, no job input that names a data asset, datastore path "
        f"or URI, and no module that loads data from a named source{committed}; {looked_at(repo)} and "
        f"{plural(len(repo.python.code_modules), 'Python module')}",
        refs((s.location, f"reads {s.detail} from the repository") for s in local),
    )


def _data_version(asset: AmlAsset) -> str | None:
    version = asset.data.get("version")
    if version is None or isinstance(version, bool | dict | list) or not str(version).strip():
        return None
    return None if str(version).strip().lower() == "latest" else str(version).strip()


def _versions(repo: RepoEvidence) -> tuple[list[tuple[Location, str]], list[tuple[Location, str]]]:
    """(versioned, unversioned) data: data asset YAML by its `version`, job inputs and run configuration
    datasets by the version they read (`azureml:name:3` is versioned, `@latest` is not)."""
    versioned, unversioned = [], []
    for asset in repo.azureml.of_kind(AmlKind.DATA):
        version = _data_version(asset)
        if version is None:
            unversioned.append((asset.location, f"data asset {label_of(asset)} has no version"))
        else:
            versioned.append((location_at(asset, "version"), f"{asset.name or asset.path}:{version}"))
    for job in repo.azureml.of_kind(*JOB_KINDS):
        for data_input in job_data_inputs(job):
            ref = data_input.asset
            if ref is None:
                continue
            where = Location(job.path, data_input.line)
            (versioned if ref.is_pinned else unversioned).append((where, f"{data_input.name} = {ref.text}"))
    for pipeline in repo.azureml.of_kind(AmlKind.V1_PIPELINE):
        for reference in v1_pipeline_data(pipeline):  # this YAML names datasets without a version
            if reference.dataset is not None:
                where = Location(pipeline.path, reference.line)
                unversioned.append((where, f"dataset {reference.dataset} without a version"))
    for config in repo.azureml.of_kind(AmlKind.RUN_CONFIG):
        for data in run_config_data(config):
            if data.dataset is None:
                continue
            where = Location(config.path, data.line)
            if data.version and data.version.lower() != "latest":
                versioned.append((where, f"dataset {data.dataset} version {data.version}"))
            else:
                unversioned.append((where, f"dataset {data.dataset} without a version"))
    return versioned, unversioned


def versions_data(repo: RepoEvidence) -> CheckResult:
    """Is the training data versioned (DVC-tracked, data assets with an explicit version, jobs that read a
    pinned data asset version, a data pipeline that creates a data asset version per run, a Databricks job
    that reads a Delta table at a pinned version)?"""
    tracked = [f.path for f in repo.files.with_suffix(".dvc")]
    tracked += [f.path for f in repo.files.named("dvc.lock")]
    versioned, unversioned = _versions(repo)
    if tracked:
        found = f"DVC tracks data ({listed(sorted(tracked))})"
        if unversioned:
            found += f"; {plural(len(unversioned), 'data asset reference')} without a version"
        return passed(found, refs((path, "DVC-tracked") for path in sorted(tracked)))
    if unversioned:
        return failed(
            "data read or declared without a version: " + name_list(what for _, what in unversioned)
            + ("" if not versioned else f" ({len(versioned)} other(s) versioned)"),
            refs((where, what) for where, what in unversioned),
        )
    if versioned:
        names = name_list(what for _, what in versioned)
        return passed(f"data assets are versioned: {names}", refs(versioned))
    # A data pipeline (Data Factory, Synapse) that creates a data asset version per run versions the data
    # it hands to training, even when no data asset YAML is committed; so does training code that reads
    # a Delta table at a pinned version (Databricks).
    pipelines = repo.platforms.of_kind(FactKind.DATA_VERSION)
    if pipelines:
        first = pipelines[0]
        more = f" and {len(pipelines) - 1} more" if len(pipelines) > 1 else ""
        return passed(
            f"the data platform versions the training data: {first.detail} ({first.location}){more}",
            refs((f.location, f"{f.platform}: {f.detail}") for f in pipelines),
        )
    others = repo.azureml.of_kind(AmlKind.DATASTORE, AmlKind.MLTABLE)
    detail = f" (only {plural(len(others), 'datastore or MLTable file')}: no version)" if others else ""
    return failed(
        "no DVC-tracked data (*.dvc, dvc.lock), no Azure ML data asset YAML, no job that reads a data "
        f"asset version, no data pipeline that versions its output and no job that reads a Delta table "
        f"at a pinned version{detail}; " + looked_at(repo),
        refs((a.location, FILE_KIND_LABELS[a.kind]) for a in others),
    )


CHECKS = (
    declares_data_sources,
    versions_data,
)
