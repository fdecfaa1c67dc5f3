"""Every data source a repository declares, in config or in code, for the data checks (data.py).

- Azure ML data asset, datastore and MLTable files; DVC (`*.dvc`, `dvc.yaml`, `.dvc/config`).
- Job inputs of Azure ML job YAML (command, sweep, AutoML, Spark and pipeline jobs and their steps)
  whose `path` is a registered data asset (`azureml:name:version`, `azureml:name@latest`), a
  datastore path (`azureml://datastores/<ds>/paths/...`, `azureml://subscriptions/.../datastores/...`)
  or a web or cloud URI (`https://...csv`, `wasbs://`, `abfss://`, `s3://`, `gs://`).
- `data:` inputs of SDK v1 run configurations (a registered dataset by name, or a datastore path).
- `data_references:` of SDK v1 pipeline YAML (a registered dataset, or a datastore path).
- Sources that project code names (evidence/repo/python/data_sources.py): loaders given a URI,
  database queries, dataset libraries, Azure ML datasets, data assets and datastores.
- A URI a script, CI step or job command passes to a module it runs (`--dataset-loc https://...`,
  `export DATASET_LOC=s3://...`; evidence/repo/python/run_arguments.py) when that module, or a
  project module it imports, gives a loader what its caller passes under that name.

A file committed to the repository and read by a relative path is not a declared source, and a
notebook is not code in a module (notebooks run by hand are manual work).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.code.modules import code_modules, module_index
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.jobs import JOB_KINDS, data_source_kind, job_data_inputs
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import run_config_data
from mlops_ladder.assessment.evidence.repo.azureml.v1pipeline import V1DataReference, v1_pipeline_data
from mlops_ladder.assessment.evidence.repo.python.data_sources import CALLER_GIVEN, LOCAL_FILE

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

FILE_KIND_LABELS = {AmlKind.DATA: "data asset", AmlKind.DATASTORE: "datastore", AmlKind.MLTABLE: "MLTable"}


@dataclass(frozen=True)
class DeclaredSource:
    """One declared data source: where, what kind of declaration, and what it names."""

    location: Location
    kind: str  # "data asset", "DVC", "job input", "run configuration dataset", "code: uri"...
    detail: str


def dvc_files(repo: RepoEvidence) -> list[str]:
    files = repo.files
    found = [f.path for f in files.with_suffix(".dvc")]
    found += [f.path for f in files.named("dvc.yaml", "dvc.lock")]
    if files.exists(".dvc/config"):
        found.append(".dvc/config")
    return sorted(found)


def declared_sources(repo: RepoEvidence) -> list[DeclaredSource]:
    """Every declared data source, files first, then job inputs, run configurations and code."""
    found = [
        DeclaredSource(a.location, FILE_KIND_LABELS[a.kind], a.name or a.path)
        for a in repo.azureml.of_kind(AmlKind.DATA, AmlKind.DATASTORE, AmlKind.MLTABLE)
    ]
    found += [DeclaredSource(Location(path), "DVC", path) for path in dvc_files(repo)]
    for job in repo.azureml.of_kind(*JOB_KINDS):
        for data_input in job_data_inputs(job):
            kind = data_source_kind(data_input.path)
            if kind is not None:
                what = f"{data_input.name}: {data_input.path}"
                found.append(DeclaredSource(Location(job.path, data_input.line), f"job input ({kind})", what))
    for config in repo.azureml.of_kind(AmlKind.RUN_CONFIG):
        for data in run_config_data(config):
            what = (f"dataset {data.dataset}" + (f" version {data.version}" if data.version else "")
                    if data.dataset else f"datastore {data.datastore}")
            found.append(DeclaredSource(Location(config.path, data.line), "run configuration input", what))
    for pipeline in repo.azureml.of_kind(AmlKind.V1_PIPELINE):
        for reference in v1_pipeline_data(pipeline):
            found.append(DeclaredSource(Location(pipeline.path, reference.line), "pipeline data reference",
                                        _reference_text(reference)))
    for module in code_modules(repo):
        for source in module.data_sources:
            if source.kind not in (LOCAL_FILE, CALLER_GIVEN):
                found.append(DeclaredSource(Location(module.path, source.line), f"code ({source.kind})",
                                            source.detail))
    found += _passed_to_modules(repo)
    return found


def _reference_text(reference: V1DataReference) -> str:
    if reference.dataset:
        return f"{reference.name}: dataset {reference.dataset}"
    return f"{reference.name}: datastore {reference.datastore} {reference.path or ''}".rstrip()


def _passed_to_modules(repo: RepoEvidence) -> list[DeclaredSource]:
    """URIs that scripts pass to a module that reads what its caller gives under that name."""
    found = []
    for argument in repo.run_arguments:
        module = repo.python.module_at(argument.module)
        if module is None or module.is_test:
            continue
        for candidate in [module, *module_index(repo).closure(module).values()]:
            reader = next((s for s in candidate.data_sources
                           if s.kind == CALLER_GIVEN and s.detail == argument.name), None)
            if reader is not None:
                via = f"{candidate.path}:{reader.line}"
                what = f"{argument.option} {argument.uri} passed to {argument.module}, read at {via}"
                found.append(DeclaredSource(argument.location, "run argument (URI)", what))
                break
    return found


def local_file_reads(repo: RepoEvidence) -> list[DeclaredSource]:
    """Files of the repository that project code reads by a relative path (not declared sources)."""
    return [
        DeclaredSource(Location(module.path, source.line), LOCAL_FILE, source.detail)
        for module in code_modules(repo)
        for source in module.data_sources
        if source.kind == LOCAL_FILE
    ]
