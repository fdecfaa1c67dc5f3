"""What an Azure ML job or component YAML runs and reads: its data inputs (for any job, not only
pipelines), the code it runs (`code:` folder and the scripts or modules its `command:` names),
its model outputs, and the steps of a pipeline with the component each one uses.

Pure helpers over one AmlAsset; paths are repo paths, resolved relative to the YAML file.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import (
    AssetRef,
    node_line,
    parse_asset_ref,
    resolve_local_path,
)

MODEL_TYPES = frozenset({"mlflow_model", "custom_model", "triton_model"})
JOB_KINDS = (
    AmlKind.COMMAND_JOB, AmlKind.SWEEP_JOB, AmlKind.PIPELINE_JOB, AmlKind.SPARK_JOB, AmlKind.AUTOML_JOB,
)
# Top-level keys of an AutoML job that read data (besides `inputs`).
_AUTOML_DATA_KEYS = ("training_data", "validation_data", "test_data")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
_NOT_MODULES = re.compile(r"\.(?:ya?ml|json|csv|txt|parquet|sh|cfg|ini|toml|pkl|md)$", re.IGNORECASE)


# -- data inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DataInput:
    """A job input that reads data by path (job-level, a pipeline step's, an AutoML job's data)."""

    name: str  # "inputs.raw_data", "jobs.prep.inputs.raw_data", "training_data"
    path: str
    line: int

    @property
    def asset(self) -> AssetRef | None:
        return parse_asset_ref(self.path)


def job_data_inputs(asset: AmlAsset) -> list[DataInput]:
    """Inputs of a job (and of a pipeline's steps, a sweep's trial) declared with a `path:`: registered
    data assets, datastore paths, URLs and local paths alike (see data_source_kind)."""
    found = _data_inputs(asset.data.get("inputs"), "inputs")
    for key in _AUTOML_DATA_KEYS:
        spec = asset.data.get(key)
        if isinstance(spec, dict) and isinstance(spec.get("path"), str):
            found.append(DataInput(key, spec["path"].strip(), node_line(spec, "path")))
    jobs = asset.data.get("jobs")
    if isinstance(jobs, dict):
        for step_name, step in jobs.items():
            if isinstance(step, dict):
                found.extend(_data_inputs(step.get("inputs"), f"jobs.{step_name}.inputs"))
    return found


def _data_inputs(inputs: Any, prefix: str) -> list[DataInput]:
    if not isinstance(inputs, dict):
        return []
    found = []
    for name, spec in inputs.items():
        if isinstance(spec, dict) and isinstance(spec.get("path"), str):
            found.append(DataInput(f"{prefix}.{name}", spec["path"].strip(), node_line(spec, "path")))
    return found


_CLOUD_URI = re.compile(r"^(?:https?|wasbs?|abfss?|adl|s3[an]?|gs|gcs|hdfs|dbfs)://", re.IGNORECASE)


def data_source_kind(path: str) -> str | None:
    """What kind of declared source an input path is: "data asset" (`azureml:name:version`,
    `azureml:name@latest`, a registry URI), "datastore path" (`azureml://datastores/<ds>/paths/...`,
    `azureml://subscriptions/.../datastores/...`), "URI" (web and cloud storage). None for local
    paths (files copied into the repository), job outputs and expressions."""
    text = path.strip()
    lowered = text.lower()
    if lowered.startswith("azureml:"):
        if "/datastores/" in lowered:
            return "datastore path"
        if "/jobs/" in lowered:
            return None  # another job's output
        return "data asset" if parse_asset_ref(text) is not None else None
    if _CLOUD_URI.match(text):
        return "URI"
    return None


# -- code a job runs -------------------------------------------------------------------------


@dataclass(frozen=True)
class JobCode:
    """The code a command runs: its `code:` folder (a repo path, or None with the reason) and the entry
    points its command names (repo paths of the Python files they can be, most likely first)."""

    folder: str | None
    entry_files: tuple[str, ...]
    command: str
    missing: str = ""  # why the code cannot be read ("code is azureml:...", "no code folder")


def job_code(asset: AmlAsset) -> JobCode | None:
    """The code a command job, command component, sweep trial or Spark job runs; None for other kinds."""
    node: Any = asset.data
    if asset.kind is AmlKind.SWEEP_JOB:
        node = asset.data.get("trial")
    elif asset.kind not in (AmlKind.COMMAND_JOB, AmlKind.COMMAND_COMPONENT, AmlKind.SPARK_JOB):
        return None
    return code_of(asset.path, node) if isinstance(node, dict) else None


def code_of(yaml_path: str, node: dict) -> JobCode:
    """The code of a job, trial, component or inline pipeline step written in *yaml_path*."""
    command = node.get("command")
    entry = node.get("entry")  # a Spark job: entry: {file: x.py}
    if not isinstance(command, str):
        command = str(entry.get("file", "")) if isinstance(entry, dict) else ""
    code = node.get("code")
    if isinstance(code, dict) and isinstance(code.get("local_path"), str):
        code = code["local_path"]  # the CLI v2 preview's form (2021): `code: {local_path: ../src}`
    if code is None:
        folder = posixpath.dirname(yaml_path)  # no code uploaded: scripts next to the YAML, if any
        missing = ""
    else:
        folder = resolve_local_path(yaml_path, code)
        missing = "" if folder is not None else f"its code is {str(code).strip()}, not a repository folder"
    if folder is None:
        return JobCode(None, (), command, missing)
    return JobCode(folder, tuple(_entry_files(folder, command)), command, missing)


def _entry_files(folder: str, command: str) -> list[str]:
    scripts, modules = command_entry_points(command)
    found = [_join(folder, script) for script in scripts]
    for module in modules:
        stem = _join(folder, module.replace(".", "/"))
        found += [f"{stem}.py", f"{stem}/__main__.py", f"{stem}/__init__.py"]
    return [path for path in dict.fromkeys(found) if not path.startswith("../")]


def _join(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path.replace("\\", "/")))


def command_entry_points(command: str) -> tuple[list[str], list[str]]:
    """(Python files, dotted modules) a command names: `python src/train.py ...`, `python -m pkg.train`,
    and a tool given a module (`jobtools pkg.train.trainer fit`). Expressions (`${{inputs.x}}`) and
    options are not entry points."""
    try:
        tokens = shlex.split(command, comments=False, posix=True)
    except ValueError:  # an unbalanced quote: fall back to blanks
        tokens = command.split()
    scripts, modules = [], []
    for index, token in enumerate(tokens):
        if "$" in token or token.startswith("-"):
            continue
        if token.endswith(".py"):
            scripts.append(token)
        elif (index and tokens[index - 1] == "-m") or _is_module_name(token):
            modules.append(token)
    return scripts, modules


def _is_module_name(token: str) -> bool:
    """`pkg.train.trainer` (a dotted name), not a file name such as `params.yml`."""
    return bool(_DOTTED.match(token)) and not _NOT_MODULES.search(token)


# -- outputs and steps -----------------------------------------------------------------------


def model_outputs(node: Any) -> list[str]:
    """Names of the outputs of a job, component or step mapping that are models (mlflow_model...)."""
    outputs = node.get("outputs") if isinstance(node, dict) else None
    if not isinstance(outputs, dict):
        return []
    return [
        str(name) for name, spec in outputs.items()
        if isinstance(spec, dict) and str(spec.get("type", "")).strip().lower() in MODEL_TYPES
    ]


@dataclass(frozen=True)
class Step:
    """One step of a pipeline: its component (a repo path for local files, the reference as written for
    registered ones) or, for a step defined in place, the step mapping itself."""

    name: str
    component: str | None  # "mlops/components/train.yml", "azureml:train@latest", or None (inline)
    inline: dict | None  # an inline component or an inline command step


def pipeline_steps_of(asset: AmlAsset) -> list[Step]:
    jobs = asset.data.get("jobs")
    if not isinstance(jobs, dict):
        return []
    steps = []
    for name, step in jobs.items():
        if not isinstance(step, dict):
            continue
        component = step.get("component")
        if isinstance(component, str) and component.strip():
            local = resolve_local_path(asset.path, component)
            steps.append(Step(str(name), local if local is not None else component.strip(), None))
        elif isinstance(component, dict):
            steps.append(Step(str(name), None, component))
        else:
            steps.append(Step(str(name), None, step))  # an inline command or sweep step
    return steps


def component_name(reference: str) -> str | None:
    """The name a registered component reference points at: `azureml:train@latest` -> train,
    `azureml://registries/r/components/train/labels/latest` -> train."""
    ref = parse_asset_ref(reference)
    if ref is not None:
        return ref.name
    match = re.search(r"/components/([^/]+)", reference)
    return match.group(1) if match else None
