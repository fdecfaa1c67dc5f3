"""What an SDK v1 / CLI v1 pipeline YAML says: its steps (the script each one runs, its run
configuration) and the data it reads.

The file is the one `Pipeline.load_yaml`, `az ml run submit-pipeline --pipeline-yaml` and
`az ml pipeline create --pipeline-yaml` read (and the Azure/aml-run action's `pipeline_yaml_file`):

    pipeline:
      name: training
      data_references:
        raw: {datastore: workspaceblobstore, path_on_datastore: credit/raw}   # a datastore path
        curated: {dataset_name: credit-curated}                               # a registered dataset
      steps:
        Train:
          type: PythonScriptStep
          name: train
          script_name: train.py
          source_directory: src/train
          runconfig: src/train/run_config.yml
          inputs: {raw: {source: raw}}

Paths are relative to the YAML file's folder, else to the repository root (where the CLI and the
actions run); a path written from `/` is relative to the repository root. Candidates are returned in
that order: a check takes the first that exists.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset
from mlops_ladder.assessment.evidence.repo.azureml.v1files import candidate_paths
from mlops_ladder.assessment.evidence.repo.azureml.values import node_line


@dataclass(frozen=True)
class V1Step:
    """One step of a pipeline YAML."""

    key: str  # its key under `steps:`
    name: str  # its `name:`, else the key
    type: str  # PythonScriptStep, ParallelRunStep, DataTransferStep, DatabricksStep...
    scripts: tuple[str, ...]  # candidate repo paths of the script it runs (none for steps without one)
    script: str | None  # the script as written
    runconfig: tuple[str, ...]  # candidate repo paths of its run configuration YAML
    line: int


@dataclass(frozen=True)
class V1DataReference:
    """A `data_references:` entry: a registered dataset by name, or a path on a datastore."""

    name: str
    dataset: str | None
    datastore: str | None
    path: str | None
    line: int


def _pipeline(asset: AmlAsset) -> dict:
    pipeline = asset.data.get("pipeline")
    return pipeline if isinstance(pipeline, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def v1_pipeline_steps(asset: AmlAsset) -> list[V1Step]:
    """The steps of the pipeline YAML *asset*, in file order."""
    steps = _pipeline(asset).get("steps")
    if not isinstance(steps, dict):
        return []
    folders = [posixpath.dirname(asset.path), ""]
    found = []
    for key, spec in steps.items():
        if not isinstance(spec, dict):
            continue
        # A ParallelRunStep names its script in its parallel_run_config.
        parallel = spec.get("parallel_run_config")
        source = parallel if isinstance(parallel, dict) and "entry_script" in parallel else spec
        script = _text(source.get("script_name")) or _text(source.get("entry_script"))
        directory = _text(source.get("source_directory"))
        bases = candidate_paths(directory, folders) if directory else folders
        scripts = [p for base in bases for p in candidate_paths(script, [base])] if script else []
        runconfig = _text(spec.get("runconfig"))
        found.append(
            V1Step(
                key=str(key),
                name=_text(spec.get("name")) or str(key),
                type=_text(spec.get("type")) or "",
                scripts=tuple(dict.fromkeys(scripts)),
                script=script,
                runconfig=tuple(candidate_paths(runconfig, folders)) if runconfig else (),
                line=node_line(steps, key),
            )
        )
    return found


def v1_pipeline_data(asset: AmlAsset) -> list[V1DataReference]:
    """The `data_references:` of the pipeline YAML *asset* that name a dataset or a datastore path."""
    references = _pipeline(asset).get("data_references")
    if not isinstance(references, dict):
        return []
    found = []
    for name, spec in references.items():
        if not isinstance(spec, dict):
            continue
        dataset, datastore = _text(spec.get("dataset_name")), _text(spec.get("datastore"))
        if dataset or datastore:
            path = _text(spec.get("path_on_datastore"))
            found.append(V1DataReference(str(name), dataset, datastore, path, node_line(references, name)))
    return found
