"""Databricks asset bundles: jobs, clusters, schedules, serving and monitors declared as code.

A bundle is a `databricks.yml` (or `.yaml`) with a `bundle:` mapping; its `include:` globs add
resource files (only included files count: a resource file left out of `include` is not
deployed), and `targets:` name where it can be deployed. Paths in a resource file are
relative to that file.

* `resources.jobs.<key>` is a PlatformJob: its code is what the tasks run (`notebook_task`
  notebook, `spark_python_task` python file); its environment the
  `spark_version` of its job or task clusters, or its serverless `environments`; its schedule
  `schedule.quartz_cron_expression` (not paused), `trigger` or `continuous`.
* Task parameters that name a table (`catalog.schema.table`), a storage path (`dbfs:/`,
  `/Volumes/`, `abfss://`, `s3://`, `gs://`, `/databricks-datasets/`) or a query are data sources.
* A job whose code scores with a registered model (`score_batch`, `spark_udf`, `load_model`) and
  trains nothing is a batch deployment; `model_serving_endpoints` are online ones
  (`auto_capture_config` or an AI gateway `inference_table_config` collects their inputs and outputs).
* `quality_monitors` are monitors (scheduled with a `schedule`; their `notifications` with
  recipients are alerts).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import Any

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.platforms import databricks_data
from mlops_ladder.assessment.evidence.repo.platforms.code import (
    SCORING_CALLS,
    calls_ending,
    closure,
    training_calls,
)
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    Bundle,
    FactKind,
    Platform,
    PlatformEvidence,
    PlatformFact,
    PlatformJob,
)
from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence
from mlops_ladder.assessment.evidence.yamlfile import YamlError, line_of, load_yaml

BUNDLE_FILES = ("databricks.yml", "databricks.yaml")
_NOTEBOOK_SUFFIXES = ("", ".py", ".ipynb", ".sql", ".scala", ".r")
_TABLE = re.compile(r"^[\w${}.-]+\.[\w${}-]+\.[\w${}-]+$")
_STORAGE = re.compile(r"^(dbfs:/|/dbfs/|/Volumes/|/databricks-datasets/|abfss://|wasbs://|s3a?://|gs://)")
_QUERY = re.compile(r"\bFROM\s+\S+", re.I)
P = Platform.DATABRICKS


def collect(files: RepoFiles, python: PythonEvidence, evidence: PlatformEvidence) -> None:
    for repo_file in files.named(*BUNDLE_FILES):
        config = _load(files, repo_file.path)
        if config is None or not isinstance(config.get("bundle"), dict):
            continue
        included = [repo_file.path, *_included(files, repo_file.path, config.get("include"))]
        targets: list[str] = []
        data_pipelines: list[str] = []  # jobs and pipelines that write data (databricks_data.py)
        for path in included:
            data = config if path == repo_file.path else _load(files, path)
            if data is None:
                continue
            target_map = data.get("targets") if isinstance(data.get("targets"), dict) else {}
            targets.extend(str(t) for t in target_map if str(t) not in targets)
            sections = [data.get("resources")] + [
                t.get("resources") for t in target_map.values() if isinstance(t, dict)
            ]
            for resources in sections:
                if isinstance(resources, dict):
                    _resources(files, python, path, repo_file.path, resources, evidence, data_pipelines)
        evidence.bundles.append(
            Bundle(
                repo_file.path,
                tuple(targets),
                tuple(included),
                tuple(dict.fromkeys(data_pipelines)),
                _target_modes(config.get("targets")),
            )
        )


def _load(files: RepoFiles, path: str) -> dict | None:
    text = files.read_text(path)
    if not text:
        return None
    try:
        data = load_yaml(text)
    except YamlError as exc:
        files.note(path, f"malformed YAML: {exc}")
        return None
    return data if isinstance(data, dict) else None


def _included(files: RepoFiles, config: str, patterns: Any) -> list[str]:
    folder = posixpath.dirname(config)
    found: list[str] = []
    candidates = [f.path for f in (files.under(folder) if folder else files.files)]
    for pattern in patterns if isinstance(patterns, list) else []:
        if not isinstance(pattern, str):
            continue
        full = posixpath.normpath(posixpath.join(folder, pattern))
        found.extend(p for p in candidates if fnmatch.fnmatchcase(p, full) and p not in found)
    return found


def _resources(
    files: RepoFiles,
    python: PythonEvidence,
    path: str,
    bundle: str,
    resources: dict,
    evidence: PlatformEvidence,
    data_pipelines: list[str],
) -> None:
    jobs = resources.get("jobs") if isinstance(resources.get("jobs"), dict) else {}
    for key, job in jobs.items():
        if isinstance(job, dict) and _job(files, python, path, bundle, str(key), job, evidence):
            data_pipelines.append(f"job {key}")
    pipelines = resources.get("pipelines")
    for key, pipeline in pipelines.items() if isinstance(pipelines, dict) else []:
        where = line_of(pipelines, key)
        if isinstance(pipeline, dict) and databricks_data.pipeline_facts(
            files, python, path, str(key), pipeline, where, evidence
        ):
            data_pipelines.append(f"pipeline {key}")
    endpoints = resources.get("model_serving_endpoints")
    for key, endpoint in endpoints.items() if isinstance(endpoints, dict) else []:
        config = endpoint.get("config") if isinstance(endpoint, dict) else None
        capture = isinstance(config, dict) and bool(config.get("auto_capture_config"))
        gateway = endpoint.get("ai_gateway") if isinstance(endpoint, dict) else None
        capture = capture or (isinstance(gateway, dict) and bool(gateway.get("inference_table_config")))
        where = Location(path, line_of(endpoints, key))
        evidence.facts.append(
            PlatformFact(P, FactKind.DEPLOYMENT, where, f"model serving endpoint {key}", (path,), online=True)
        )
        if capture:
            evidence.facts.append(
                PlatformFact(
                    P,
                    FactKind.DATA_CAPTURE,
                    where,
                    f"serving endpoint {key} logs to an inference table",
                    (path,),
                )
            )
    monitors = resources.get("quality_monitors")
    for key, monitor in monitors.items() if isinstance(monitors, dict) else []:
        if not isinstance(monitor, dict):
            continue
        where = Location(path, line_of(monitors, key))
        schedule = monitor.get("schedule") if isinstance(monitor.get("schedule"), dict) else {}
        cron = (
            schedule.get("quartz_cron_expression")
            if str(schedule.get("pause_status", "")) != "PAUSED"
            else None
        )
        what = f"quality monitor {key} on {monitor.get('table_name', 'a table')}"
        evidence.facts.append(
            PlatformFact(
                P,
                FactKind.MONITOR,
                where,
                what + (f", scheduled {cron}" if cron else ", not scheduled"),
                (path,),
                scheduled=bool(cron),
            )
        )
        if _recipients(monitor.get("notifications")):
            evidence.facts.append(
                PlatformFact(P, FactKind.ALERT, where, f"{what} notifies on failure", (path,))
            )


def _recipients(value: Any) -> bool:
    """Whether a notifications block names someone (email addresses, destinations)."""
    if isinstance(value, dict):
        return any(_recipients(v) for v in value.values())
    if isinstance(value, list):
        return any((isinstance(v, str) and v.strip()) or _recipients(v) for v in value)
    return False


def _job(
    files: RepoFiles,
    python: PythonEvidence,
    path: str,
    bundle: str,
    key: str,
    job: dict,
    evidence: PlatformEvidence,
) -> bool:
    """Read bundle job *key*; True when one of its tasks is a data pipeline (databricks_data.py)."""
    folder = posixpath.dirname(path)
    tasks = [t for t in job.get("tasks") or [] if isinstance(t, dict)]
    code = [c for task in tasks if (c := _task_code(files, folder, task))]
    environment = _environment(job, tasks)
    schedule = _schedule(job)
    location = Location(path, line_of(job, "tasks") or line_of(job))
    evidence.jobs.append(
        PlatformJob(P, key, location, path, tuple(dict.fromkeys(code)), environment, schedule, bundle)
    )
    if environment:
        evidence.facts.append(
            PlatformFact(P, FactKind.ENVIRONMENT, location, f"job {key} runs on {environment}", (path,))
        )
    for task in tasks:
        for name, value, line in _parameters(task):
            if _is_data_source(name, value):
                evidence.facts.append(
                    PlatformFact(
                        P,
                        FactKind.DATA_SOURCE,
                        Location(path, line),
                        f"job {key} task {task.get('task_key', '?')} reads {name}: {value}",
                        (path,),
                    )
                )
    modules = closure(python, code)
    scoring = calls_ending(modules, *SCORING_CALLS)
    if scoring and not training_calls(modules):  # a training job that loads a model validates it
        module, call = scoring[0]
        evidence.facts.append(
            PlatformFact(
                P,
                FactKind.DEPLOYMENT,
                location,
                f"batch job {key} scores with a registered model ({module.path}:{call.line} {call.name})",
                (path, *code),
                scheduled=bool(schedule),
            )
        )
    data = [
        databricks_data.task_facts(files, python, path, key, t, _task_code(files, folder, t), evidence)
        for t in tasks
    ]
    return any(data)


def _target_modes(targets: Any) -> tuple[tuple[str, str], ...]:
    """(target, mode) of the root configuration's targets that set `mode` (development, production)."""
    return tuple(
        (str(name), str(spec["mode"]))
        for name, spec in (targets.items() if isinstance(targets, dict) else [])
        if isinstance(spec, dict) and isinstance(spec.get("mode"), str)
    )


def _task_code(files: RepoFiles, folder: str, task: dict) -> str | None:
    for section, key in (("notebook_task", "notebook_path"), ("spark_python_task", "python_file")):
        spec = task.get(section)
        target = spec.get(key) if isinstance(spec, dict) else None
        if isinstance(target, str) and "${" not in target and "://" not in target:
            base = posixpath.normpath(posixpath.join(folder, target))
            for suffix in _NOTEBOOK_SUFFIXES:
                if files.exists(base + suffix):
                    return base + suffix
    return None


def _environment(job: dict, tasks: list[dict]) -> str | None:
    clusters = [c.get("new_cluster") for c in job.get("job_clusters") or [] if isinstance(c, dict)]
    clusters += [t.get("new_cluster") for t in tasks]
    versions = [str(c["spark_version"]) for c in clusters if isinstance(c, dict) and c.get("spark_version")]
    if versions:
        return f"a cluster with spark_version {versions[0]}"
    environments = job.get("environments")
    if isinstance(environments, list) and environments:
        return "a serverless environment spec"
    return None


def _schedule(job: dict) -> str | None:
    schedule = job.get("schedule")
    paused = isinstance(schedule, dict) and str(schedule.get("pause_status", "")).upper() == "PAUSED"
    if isinstance(schedule, dict) and schedule.get("quartz_cron_expression") and not paused:
        return f"schedule {schedule['quartz_cron_expression']}"
    trigger = job.get("trigger")
    if isinstance(trigger, dict) and str(trigger.get("pause_status", "")).upper() != "PAUSED":
        kinds = [k for k in ("periodic", "file_arrival", "table_update", "table") if k in trigger]
        if kinds:
            return f"{kinds[0]} trigger"
    return "continuous" if isinstance(job.get("continuous"), dict) else None


def _parameters(task: dict) -> list[tuple[str, str, int]]:
    found = []
    for section in ("notebook_task", "spark_python_task", "python_wheel_task"):
        spec = task.get(section)
        if not isinstance(spec, dict):
            continue
        for key in ("base_parameters", "named_parameters"):
            values = spec.get(key)
            if isinstance(values, dict):
                found.extend(
                    (str(k), str(v), line_of(values, k)) for k, v in values.items() if isinstance(v, str)
                )
        parameters = spec.get("parameters")
        if isinstance(parameters, list):
            for index, value in enumerate(parameters):
                if isinstance(value, str):
                    found.append(
                        (
                            "parameter",
                            value,
                            parameters.item_line(index) if hasattr(parameters, "item_line") else 0,
                        )
                    )
    return found


def _is_data_source(name: str, value: str) -> bool:
    value = value.strip()
    lowered = name.lower()
    if _STORAGE.match(value) or (_QUERY.search(value) and value.lstrip().upper().startswith("SELECT")):
        return not lowered.startswith(("output", "destination", "target"))
    if "table" in lowered and _TABLE.match(value):
        return not lowered.startswith(("output", "destination", "target"))
    return False
