"""Find the Azure ML CLI v2 YAML files of a repository and say what each one is.

A YAML file is recognised first by its `$schema` (any Azure ML schema address: the
azuremlschemas CDN, versioned folders, `http://azureml/sdk-2-0/...`), then by its shape
(`type: pipeline` with `jobs:`, `endpoint_name:` with `model:`, `trigger:` with
`create_job:`...). Files named `MLTable` and `FeaturesetSpec.yaml` are recognised by name.
CI files, well-known tool configurations and conda environment files are never read here.

The pure helper functions below (pipeline_steps, deployment_model_ref, schedule_job_ref...)
read one AmlAsset; checks use them instead of digging into the YAML themselves. Paths that
an asset points at are resolved relative to the asset's folder and returned as repo paths.

Only files with a top-level key that an asset could have (`$schema:`, `endpoint_name:`,
`type: pipeline`...) are parsed, which keeps large repositories fast. Such a file that does
not parse is noted ("malformed YAML: ..."); other YAML files belong to other tools.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml_model import AmlAsset, AmlKind, AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import YamlError, load_yaml

# -- which files are read ------------------------------------------------------------------

YAML_SUFFIXES = (".yml", ".yaml")
NAMED_FILES = {"MLTable": AmlKind.MLTABLE, "FeaturesetSpec.yaml": AmlKind.FEATURESET_SPEC}

# Folders and file names that hold CI definitions or other tools' configuration, never Azure ML assets.
_SKIPPED_FOLDERS = (
    ".github/", ".gitlab/", ".azure-pipelines/", ".azuredevops/", ".circleci/", ".devcontainer/",
)
_SKIPPED_NAMES = frozenset(
    {
        ".gitlab-ci.yml", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "dependabot.yml", "mkdocs.yml",
        ".readthedocs.yml", ".readthedocs.yaml", "codecov.yml", ".codecov.yml", "compose.yml", "compose.yaml",
        "Chart.yaml", "pnpm-lock.yaml", "conda-lock.yml", ".travis.yml", "appveyor.yml",
        "bitbucket-pipelines.yml", "action.yml", "action.yaml", ".yamllint.yml", ".yamllint.yaml",
    }
)
_SKIPPED_PREFIXES = ("azure-pipelines", "docker-compose")

# A file is parsed only when a top-level key (at the start of a line) could make it an asset: this cheap
# test keeps the many other YAML files of a large repository (Kubernetes, Helm, configs) out of the parser.
# Every shape rule of _kind_by_shape needs one of these keys.
_ASSET_KEYS = "|".join(
    (
        r"\$schema", "endpoint_name", "auth_mode", "create_job", "create_monitor", "conda_file", "build",
        "paths",
    )
)
_ASSET_TYPES = "|".join(
    (
        "pipeline", "command", "sweep", "spark", "uri_file", "uri_folder", "mltable", "mlflow_model",
        "custom_model", "triton_model", "model", "amlcompute", "computeinstance", "kubernetes", "azure_blob",
        "azure_data_lake_gen1", "azure_data_lake_gen2", "azure_file", "one_lake",
    )
)
_MAY_BE_ASSET = re.compile(
    rf"""^['"]?(?:{_ASSET_KEYS})['"]?[ \t]*:|^type:[ \t]*['"]?(?:{_ASSET_TYPES})\b""", re.MULTILINE
)


def _is_candidate(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name in NAMED_FILES:
        return True
    if not name.lower().endswith(YAML_SUFFIXES):
        return False
    if name in _SKIPPED_NAMES or name.startswith(_SKIPPED_PREFIXES):
        return False
    return not any(path.startswith(folder) or f"/{folder}" in path for folder in _SKIPPED_FOLDERS)


def collect(files: RepoFiles) -> AzureMLEvidence:
    """Every Azure ML asset YAML of the repository, in path order. Never raises on bad input."""
    evidence = AzureMLEvidence()
    for repo_file in files.files:
        if not _is_candidate(repo_file.path):
            continue
        text = files.read_text(repo_file.path)
        if text is None:
            continue
        evidence.yaml_files_read += 1
        asset = _read_asset(files, repo_file.path, text)
        if asset is not None:
            evidence.assets.append(asset)
    return evidence


def _read_asset(files: RepoFiles, path: str, text: str) -> AmlAsset | None:
    named = path.rsplit("/", 1)[-1] in NAMED_FILES
    if not named and _MAY_BE_ASSET.search(text) is None:
        return None
    try:
        data = load_yaml(text)
    except (ValueError, RecursionError) as exc:  # YamlError is a ValueError
        reason = str(exc) if isinstance(exc, YamlError) else "nested too deeply"
        files.note(path, f"malformed YAML: {reason}")
        return None
    if not isinstance(data, dict):
        return None
    kind = kind_of(path, data)
    if kind is None:
        return None
    line = _line(data, "$schema") if "$schema" in data else _line(data)
    name = data.get("name")
    return AmlAsset(
        kind=kind,
        path=path,
        line=line or 1,
        name=str(name) if isinstance(name, str | int) and not isinstance(name, bool) else None,
        data=data,
    )


# -- what a file is -------------------------------------------------------------------------

_SCHEMA_KINDS: dict[str, AmlKind] = {
    "commandjob": AmlKind.COMMAND_JOB,
    "pipelinejob": AmlKind.PIPELINE_JOB,
    "sweepjob": AmlKind.SWEEP_JOB,
    "sparkjob": AmlKind.SPARK_JOB,
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
    return None


def _inputs_have_paths(data: dict) -> bool:
    inputs = data.get("inputs")
    return isinstance(inputs, dict) and any(isinstance(v, dict) and "path" in v for v in inputs.values())


def _is_mltable_paths(paths: Any) -> bool:
    return (
        isinstance(paths, list)
        and bool(paths)
        and all(isinstance(p, dict) and {"file", "folder", "pattern"} & p.keys() for p in paths)
    )


# -- values and references -----------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{|\$\(|\{\{|\$[A-Za-z_]|#\{|%[A-Za-z_]+%")


def is_expression(value: str) -> bool:
    """True when *value* holds a template or shell expression (`${{ inputs.v }}`, `$VERSION`, `{{ v }}`)."""
    return bool(_EXPRESSION.search(value))


def is_true(value: Any) -> bool:
    """A YAML flag that Azure ML reads as true (`true`, `"True"`, `yes`...)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str | int) and str(value).strip().lower() in {"true", "t", "yes", "y", "on", "1"}


@dataclass(frozen=True)
class AssetRef:
    """A reference to a registered asset: `azureml:name:version`, `azureml:name@label`, `azureml:name`,
    or an `azureml://registries/.../models/<name>/versions/<v>` / ARM id form."""

    text: str
    name: str
    version: str | None = None
    label: str | None = None

    @property
    def is_pinned(self) -> bool:
        """Names one version (a literal, or an expression CI fills in), not a label or "latest"."""
        return bool(self.version) and self.version.lower() != "latest"

    @property
    def version_is_expression(self) -> bool:
        return bool(self.version) and is_expression(self.version)


_URI_ASSET = re.compile(
    r"/(?:models|data|environments|components)/(?P<name>[^/]+)"
    r"(?:/versions/(?P<version>[^/]+)|/labels/(?P<label>[^/]+))?/?$"
)


def parse_asset_ref(value: Any) -> AssetRef | None:
    """The registered asset *value* points at; None for local paths, URLs, datastore paths, job outputs."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.lower().startswith("azureml:"):
        return None
    rest = text[len("azureml:"):]
    if rest.startswith("/"):  # azureml://registries/..., azureml://datastores/..., azureml:/subscriptions/...
        lowered = rest.lower()
        if "/datastores/" in lowered or "/jobs/" in lowered:
            return None
        match = _URI_ASSET.search(rest)
        return AssetRef(text, match["name"], match["version"], match["label"]) if match else None
    if "@" in rest:
        name, _, label = rest.partition("@")
        return AssetRef(text, name, label=label or None) if name else None
    name, _, version = rest.partition(":")
    return AssetRef(text, name, version=version or None) if name else None


def resolve_local_path(base_file: str, ref: Any) -> str | None:
    """The repo path of a local file reference (`./x.yml`, `file:../x.yml`) written in *base_file*.

    None for registered assets (`azureml:`), URLs, absolute paths and paths leaving the repository."""
    if not isinstance(ref, str):
        return None
    text = ref.strip()
    if text.startswith("file:"):
        text = text[len("file:"):]
    has_scheme = re.match(r"^[A-Za-z][\w+.-]*:", text) is not None  # azureml:, https:, abfss:, C:
    if not text or text.startswith(("/", "\\")) or has_scheme or is_expression(text):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), text.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _line(node: Any, key: Any = None) -> int:
    if key is not None and hasattr(node, "key_line"):
        return node.key_line(key)
    return getattr(node, "line", 0) or 0


# -- pipelines -----------------------------------------------------------------------------


def pipeline_steps(asset: AmlAsset) -> list[str]:
    """Names of the steps (`jobs:` keys) of a pipeline job or pipeline component."""
    jobs = asset.data.get("jobs")
    return [str(name) for name in jobs] if isinstance(jobs, dict) else []


def step_components(asset: AmlAsset) -> dict[str, str]:
    """Step name -> the component it uses: a repo path for local files (`file:./x.yml`, `../c/x.yml`),
    the reference as written for registered components (`azureml:prep@latest`, `azureml:prep:1`).
    Steps with an inline component (a mapping) or an inline command have no entry."""
    jobs = asset.data.get("jobs")
    if not isinstance(jobs, dict):
        return {}
    found = {}
    for name, step in jobs.items():
        component = step.get("component") if isinstance(step, dict) else None
        if isinstance(component, str) and component.strip():
            local = resolve_local_path(asset.path, component)
            found[str(name)] = local if local is not None else component.strip()
    return found


def step_component_refs(asset: AmlAsset) -> list[str]:
    """The components a pipeline's steps use, in step order (see step_components)."""
    return list(step_components(asset).values())


@dataclass(frozen=True)
class DataInput:
    """A pipeline input that reads data by path (pipeline-level or step-level)."""

    name: str  # "inputs.raw_data" or "jobs.prep.inputs.raw_data"
    path: str
    line: int

    @property
    def asset(self) -> AssetRef | None:
        return parse_asset_ref(self.path)


def pipeline_data_inputs(asset: AmlAsset) -> list[DataInput]:
    """Inputs of a pipeline (and of its steps) declared with a `path:` (data assets, URLs, local paths)."""
    found = _data_inputs(asset.data.get("inputs"), "inputs")
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
            found.append(DataInput(f"{prefix}.{name}", spec["path"].strip(), _line(spec, "path")))
    return found


def inline_environment(node: Any) -> str | None:
    """How an environment mapping is built ("image + conda file", "build context"), or None when *node*
    is not an environment defined in place (a reference such as `azureml:env@latest`, or an image only)."""
    if not isinstance(node, dict):
        return None
    if isinstance(node.get("build"), dict) and node["build"].get("path"):
        return "build context"
    if node.get("image") and node.get("conda_file"):
        return "image + conda file"
    return None


def inline_environments(asset: AmlAsset) -> list[tuple[str, str, int]]:
    """Environments defined in place in a job or component (and in a pipeline's steps):
    (where, how, line), e.g. ("jobs.train.environment", "image + conda file", 12)."""
    found = []
    how = inline_environment(asset.data.get("environment"))
    if how:
        found.append(("environment", how, _line(asset.data, "environment")))
    trial = asset.data.get("trial")  # a sweep job's trial
    if isinstance(trial, dict) and (how := inline_environment(trial.get("environment"))):
        found.append(("trial.environment", how, _line(trial, "environment")))
    jobs = asset.data.get("jobs")
    if isinstance(jobs, dict):
        for name, step in jobs.items():
            if isinstance(step, dict) and (how := inline_environment(step.get("environment"))):
                found.append((f"jobs.{name}.environment", how, _line(step, "environment")))
    return found


# -- deployments and endpoints -------------------------------------------------------------


def deployment_model_ref(asset: AmlAsset) -> str | dict | None:
    """The `model:` of a deployment as written: a reference string, an inline model mapping, or None."""
    model = asset.data.get("model")
    return model if isinstance(model, str | dict) else None


def deployment_endpoint(asset: AmlAsset) -> str | None:
    endpoint = asset.data.get("endpoint_name")
    return str(endpoint) if isinstance(endpoint, str | int) and not isinstance(endpoint, bool) else None


def deployment_scoring_script(asset: AmlAsset) -> str | None:
    """Repo path of the deployment's scoring script (code_configuration.code + scoring_script), or None."""
    config = asset.data.get("code_configuration")
    if not isinstance(config, dict) or not isinstance(config.get("scoring_script"), str):
        return None
    code = config.get("code", ".")
    folder = resolve_local_path(asset.path, code if isinstance(code, str) and code.strip() else ".")
    if folder is None:
        return None
    script = posixpath.normpath(posixpath.join(folder, config["scoring_script"].strip()))
    return None if script.startswith("../") else script


def endpoint_traffic(asset: AmlAsset) -> dict[str, Any]:
    """Deployment name -> share of live traffic, from an online endpoint's `traffic:` mapping."""
    traffic = asset.data.get("traffic")
    return {str(k): v for k, v in traffic.items()} if isinstance(traffic, dict) else {}


def endpoint_mirror_traffic(asset: AmlAsset) -> dict[str, Any]:
    mirror = asset.data.get("mirror_traffic")
    return {str(k): v for k, v in mirror.items()} if isinstance(mirror, dict) else {}


def data_collector_collections(asset: AmlAsset) -> dict[str, bool]:
    """Collection name -> enabled, from an online deployment's `data_collector.collections`.

    A collection without `enabled` counts as enabled (Azure ML requires the flag; a missing one is
    a schema error the CLI reports, not a choice to switch collection off)."""
    collector = asset.data.get("data_collector")
    collections = collector.get("collections") if isinstance(collector, dict) else None
    if not isinstance(collections, dict):
        return {}
    result = {}
    for name, spec in collections.items():
        enabled = spec.get("enabled", True) if isinstance(spec, dict) else spec
        result[str(name)] = enabled is None or is_true(enabled)
    return result


# -- schedules and monitors ----------------------------------------------------------------


def schedule_job_ref(asset: AmlAsset) -> str | None:
    """Repo path of the job file a schedule runs: `create_job: ./pipeline.yml` or
    `create_job: {job: ./pipeline.yml, ...}`. None for registered jobs (`azureml:`) and inline jobs."""
    create_job = asset.data.get("create_job")
    if isinstance(create_job, dict):
        create_job = create_job.get("job")
    return resolve_local_path(asset.path, create_job) if isinstance(create_job, str) else None


def monitor_signals(asset: AmlAsset) -> dict[str, str]:
    """Signal name -> signal type (data_drift, prediction_drift...) of a monitor schedule."""
    monitor = asset.data.get("create_monitor")
    signals = monitor.get("monitoring_signals") if isinstance(monitor, dict) else None
    if not isinstance(signals, dict):
        return {}
    return {
        str(name): str(spec.get("type", "")) if isinstance(spec, dict) else ""
        for name, spec in signals.items()
    }


def monitor_target(asset: AmlAsset) -> str | None:
    """The `endpoint_deployment_id` a monitor watches (azureml:<endpoint>:<deployment>), or None."""
    monitor = asset.data.get("create_monitor")
    target = monitor.get("monitoring_target") if isinstance(monitor, dict) else None
    deployment = target.get("endpoint_deployment_id") if isinstance(target, dict) else None
    return deployment.strip() if isinstance(deployment, str) and deployment.strip() else None


def monitor_alert_emails(asset: AmlAsset) -> list[str]:
    monitor = asset.data.get("create_monitor")
    alert = monitor.get("alert_notification") if isinstance(monitor, dict) else None
    emails = alert.get("emails") if isinstance(alert, dict) else None
    if isinstance(emails, str):
        return [emails] if emails.strip() else []
    return [str(e) for e in emails if str(e).strip()] if isinstance(emails, list) else []


def monitor_alerts_azure_monitor(asset: AmlAsset) -> bool:
    """`alert_notification: azmonitoring` sends the monitor's alerts to Azure Monitor."""
    monitor = asset.data.get("create_monitor")
    alert = monitor.get("alert_notification") if isinstance(monitor, dict) else None
    return isinstance(alert, str) and alert.strip().lower() == "azmonitoring"

