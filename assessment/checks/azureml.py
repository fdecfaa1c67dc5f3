"""Checks over the Azure ML YAML of a repository (data, pipelines, environments, deployments, monitors).

Each check reads AmlAssets through the helpers of evidence/repo/azureml/assets.py and, where CI
completes the YAML at deploy time (`az ml online-deployment create --file X --set model=...`),
the CiActions that target that file: a value CI sets for a file replaces the file's value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import (
    data_collector_collections,
    deployment_endpoint,
    deployment_model_ref,
    deployment_scoring_script,
    endpoint_mirror_traffic,
    endpoint_traffic,
    inline_environment,
    inline_environments,
    monitor_alert_emails,
    monitor_alerts_azure_monitor,
    monitor_signals,
    monitor_target,
    pipeline_data_inputs,
    pipeline_steps,
    step_components,
)
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import is_expression, is_true, parse_asset_ref
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
MONITOR_CLASSES = ("MonitorSchedule", "MonitorDefinition")
ALERT_RULE_TYPES = frozenset({"microsoft.insights/metricalerts", "microsoft.insights/scheduledqueryrules"})
DEPLOY_ACTIONS = (ActionKind.DEPLOY_MODEL,)
DEFAULT_MONITOR_SIGNALS = "data drift, prediction drift and data quality"


# -- small helpers -------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _names(items: Iterable[str], limit: int = 3) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _looked_at(repo: RepoEvidence) -> str:
    return f"looked at {_plural(repo.azureml.yaml_files_read, 'YAML file')}"


def _at(asset: AmlAsset, key: str | None = None) -> Location:
    line = asset.data.key_line(key) if key is not None and hasattr(asset.data, "key_line") else asset.line
    return Location(asset.path, line or asset.line)


def _label(asset: AmlAsset) -> str:
    return f"{asset.path} ({asset.name})" if asset.name else asset.path


def _python_calls(repo: RepoEvidence, *suffixes: str) -> list[tuple[PythonModule, Call]]:
    return repo.python.calls_ending(*suffixes, include_tests=False)


def _call_refs(calls: list[tuple[PythonModule, Call]]) -> tuple:
    return refs((Location(m.path, c.line), c.name) for m, c in calls)


def _clean(value: str) -> str:
    return value.strip().strip("'\"").strip()


def _set_values(action: CiAction) -> dict[str, str]:
    """`--set key=value` pairs of a CI action (the option may be repeated: values joined by newlines).

    Several pairs may share one line (`--set a=1 b=2`); a value may contain spaces inside an
    expression (`model=azureml:m:${{ inputs.v }}`), so pairs split only before `key=`."""
    raw = action.options.get("--set", "")
    pairs: dict[str, str] = {}
    for line in raw.splitlines():
        for token in re.split(r"\s+(?=['\"]?[A-Za-z_][\w.\[\]-]*=)", line.strip()):
            key, sep, value = _clean(token).partition("=")
            if sep and key:
                pairs[key.strip()] = _clean(value)
    return pairs


def _values_at_deploy(
    repo: RepoEvidence, asset: AmlAsset, key: str, kinds: tuple[ActionKind, ...]
) -> list[tuple[Any, Location, str]]:
    """The value of *key* each time the file is used: per CI action that targets the file, the
    `--set key=...` it passes or else the file's own value; the file's value when no CI action uses it.
    Returns (value, where, how) triples."""
    actions = [a for a in repo.ci.of_kind(*kinds) if asset.path in a.files]
    if not actions:
        return [(asset.data.get(key), _at(asset, key), "as written")]
    values = []
    for action in actions:
        overrides = _set_values(action)
        if key in overrides:
            values.append((overrides[key], action.location, f"set by CI (job {action.job})"))
        else:
            values.append((asset.data.get(key), _at(asset, key), "as written; CI deploys it without --set"))
    unique: dict[tuple[str, Location, str], tuple[Any, Location, str]] = {}
    for value, where, how in values:  # several plain deploys of one file are one finding
        unique.setdefault((repr(value), where, how), (value, where, how))
    return list(unique.values())


def _dvc_files(repo: RepoEvidence) -> list[str]:
    files = repo.files
    found = [f.path for f in files.with_suffix(".dvc")]
    found += [f.path for f in files.named("dvc.yaml", "dvc.lock")]
    if files.exists(".dvc/config"):
        found.append(".dvc/config")
    return sorted(found)


# -- MLL-104, MLL-112: data --------------------------------------------------------------------


def declares_data_sources(repo: RepoEvidence) -> CheckResult:
    """Are the data sources declared as code (data assets, datastores, MLTable files, or DVC)?"""
    assets = repo.azureml.of_kind(AmlKind.DATA, AmlKind.DATASTORE, AmlKind.MLTABLE)
    dvc = _dvc_files(repo)
    if not assets and not dvc:
        return failed(
            "no Azure ML data asset, datastore or MLTable YAML and no DVC files "
            f"(*.dvc, dvc.yaml, .dvc/config); {_looked_at(repo)}"
        )
    counts = defaultdict(int)
    for asset in assets:
        counts[KIND_LABELS[asset.kind]] += 1
    parts = [_plural(n, label) for label, n in counts.items()]
    if dvc:
        parts.append(f"DVC ({_names(dvc)})")
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
        found = f"DVC tracks data ({_names(sorted(tracked))})"
        if unversioned:
            found += f"; {_plural(len(unversioned), 'data asset')} without a version"
        return passed(found, refs((path, "DVC-tracked") for path in sorted(tracked)))
    if unversioned:
        return failed(
            f"{_plural(len(unversioned), 'data asset')} without an explicit version: "
            + _names(_label(a) for a in unversioned)
            + ("" if not versioned else f" ({len(versioned)} other(s) versioned)"),
            refs((a.location, "no version") for a in unversioned),
        )
    if versioned:
        return passed(
            "every data asset has an explicit version: "
            + _names(f"{a.name or a.path}:{_data_version(a)}" for a in versioned),
            refs((_at(a, "version"), f"version {_data_version(a)}") for a in versioned),
        )
    others = repo.azureml.of_kind(AmlKind.DATASTORE, AmlKind.MLTABLE)
    detail = f" (only {_plural(len(others), 'datastore or MLTable file')}: no version)" if others else ""
    return failed(
        f"no DVC-tracked data (*.dvc, dvc.lock) and no Azure ML data asset YAML{detail}; " + _looked_at(repo),
        refs((a.location, KIND_LABELS[a.kind]) for a in others),
    )


# -- MLL-201, MLL-202, MLL-211: training -----------------------------------------------------


def _step_count(repo: RepoEvidence, asset: AmlAsset, seen: frozenset[str] = frozenset()) -> int:
    """Steps of a pipeline, counting the steps of local pipeline components it calls."""
    components = step_components(asset)
    total = 0
    for step in pipeline_steps(asset):
        target = repo.azureml.at(components.get(step, ""))
        nested = target is not None and target.kind in (AmlKind.PIPELINE_COMPONENT, AmlKind.PIPELINE_JOB)
        if nested and target.path not in seen and target.path != asset.path:
            total += max(1, _step_count(repo, target, seen | {asset.path}))
        else:
            total += 1
    return total


def defines_training_pipeline(repo: RepoEvidence, min_steps: int = 2) -> CheckResult:
    """Is training an Azure ML pipeline (YAML with >= min_steps steps, or an azure-ai-ml @pipeline)?"""
    pipelines = repo.azureml.of_kind(AmlKind.PIPELINE_JOB)
    counted = [(p, _step_count(repo, p)) for p in pipelines]
    good = [(p, n) for p, n in counted if n >= min_steps]
    if good:
        pipeline, steps = good[0]
        found = f"pipeline job {pipeline.path} has {steps} steps ({_names(pipeline_steps(pipeline), 5)})"
        if len(good) > 1:
            found += f"; {len(good) - 1} more pipeline job(s)"
        return passed(found, refs((_at(p, "jobs"), f"{n} steps") for p, n in good))
    dsl = _python_calls(repo, "dsl.pipeline")
    if dsl:
        module, call = dsl[0]
        return passed(f"azure-ai-ml @pipeline function in {module.path}:{call.line}", _call_refs(dsl))
    if pipelines:
        return failed(
            "pipeline job(s) with fewer than "
            f"{min_steps} steps: " + _names(f"{p.path} ({_plural(n, 'step')})" for p, n in counted),
            refs((_at(p, "jobs"), _plural(n, "step")) for p, n in counted),
        )
    return failed(
        f"no pipeline job YAML and no azure-ai-ml @pipeline function; {_looked_at(repo)} "
        f"and {_plural(len(repo.python.code_modules), 'Python module')}"
    )


def defines_training_environment(repo: RepoEvidence) -> CheckResult:
    """Is the training environment defined as code (environment YAML or an inline job environment)?"""
    environments = repo.azureml.of_kind(AmlKind.ENVIRONMENT)
    defined = [(e, how) for e in environments if (how := inline_environment(e.data))]
    if defined:
        env, how = defined[0]
        return passed(
            f"environment {_label(env)} is built from {how}"
            + (f"; {len(defined) - 1} more environment(s)" if len(defined) > 1 else ""),
            refs((e.location, how) for e, how in defined),
        )
    kinds = (AmlKind.COMMAND_JOB, AmlKind.COMMAND_COMPONENT, AmlKind.SWEEP_JOB, AmlKind.PIPELINE_JOB,
             AmlKind.PIPELINE_COMPONENT)
    inline = [(a, *found) for a in repo.azureml.of_kind(*kinds) for found in inline_environments(a)]
    if inline:
        asset, where, how, _ = inline[0]
        return passed(
            f"{asset.path} defines its environment in place ({where}: {how})",
            refs((Location(a.path, line), f"{where}: {how}") for a, where, how, line in inline),
        )
    if environments:
        return failed(
            "environment YAML names only an image, with no conda file or build context: "
            + _names(_label(e) for e in environments),
            refs((e.location, "image only") for e in environments),
        )
    return failed(
        "no Azure ML environment YAML and no job or component with an inline environment (image + conda file "
        f"or build context); {_looked_at(repo)}"
    )


def pipeline_uses_versioned_data(repo: RepoEvidence) -> CheckResult:
    """Do pipeline jobs read data assets by explicit version (azureml:<name>:<version>)?"""
    pipelines = repo.azureml.of_kind(AmlKind.PIPELINE_JOB)
    if not pipelines:
        return not_applicable(f"no pipeline job YAML; {_looked_at(repo)}")
    pinned, unpinned, by_path = [], [], []
    for pipeline in pipelines:
        for data_input in pipeline_data_inputs(pipeline):
            if data_input.asset is None:
                by_path.append((pipeline, data_input))
                continue
            for value, where, how in _input_values(repo, pipeline, data_input.name, data_input.path,
                                                   Location(pipeline.path, data_input.line)):
                ref = parse_asset_ref(value)
                entry = (pipeline, data_input.name, str(value), where, how)
                (pinned if ref is not None and ref.is_pinned else unpinned).append(entry)
    if unpinned:
        return failed(
            "pipeline inputs read data assets without a version: "
            + _names(f"{name} = {value} in {p.path}" for p, name, value, _, _ in unpinned),
            refs((where, f"{name}: {value}") for _, name, value, where, _ in unpinned),
        )
    if pinned:
        return passed(
            "pipeline inputs read versioned data assets: "
            + _names(f"{name} = {value}" for _, name, value, _, _ in pinned),
            refs((where, f"{name}: {value} ({how})") for _, name, value, where, how in pinned),
        )
    if by_path:
        return unknown(
            "pipelines read data by path, not through data assets, so the data version cannot be told: "
            + _names(f"{d.name} = {d.path}" for _, d in by_path),
            refs((Location(p.path, d.line), d.path) for p, d in by_path),
        )
    return unknown(
        "no pipeline job declares a data input with a path: "
        + _names(p.path for p in pipelines),
        refs((p.location, "pipeline job") for p in pipelines),
    )


def _input_values(
    repo: RepoEvidence, pipeline: AmlAsset, name: str, path: str, where: Location
) -> list[tuple[str, Location, str]]:
    """The data path an input has at each CI submission (`--set inputs.x.path=...`), or as written."""
    actions = [a for a in repo.ci.of_kind(ActionKind.SUBMIT_JOB) if pipeline.path in a.files]
    values = []
    for action in actions:
        override = _set_values(action).get(f"{name}.path")
        if override is not None:
            values.append((override, action.location, f"set by CI in {action.pipeline}"))
        else:
            values.append((path, where, "as written"))
    return values or [(path, where, "as written")]


# -- MLL-301, MLL-305, MLL-306: deployment ---------------------------------------------------


def _deployments(repo: RepoEvidence) -> list[AmlAsset]:
    return repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)


def defines_model_deployment(repo: RepoEvidence) -> CheckResult:
    """Is there an online or batch deployment, as code, that names its endpoint and model?"""
    deployments = _deployments(repo)
    complete, incomplete = [], []
    for deployment in deployments:
        models = [v for v, _, _ in _values_at_deploy(repo, deployment, "model", DEPLOY_ACTIONS)]
        has_model = all(v is not None for v in models) or (
            deployment.kind is AmlKind.BATCH_DEPLOYMENT and "component" in deployment.data
        )
        present = {"endpoint_name": deployment_endpoint(deployment) is not None, "model": has_model}
        missing = [what for what, ok in present.items() if not ok]
        (incomplete if missing else complete).append((deployment, missing))
    if complete:
        deployment, _ = complete[0]
        return passed(
            f"{KIND_LABELS[deployment.kind]} {_label(deployment)} deploys "
            f"{_describe_model(deployment)} to endpoint {deployment_endpoint(deployment)}"
            + (f"; {len(complete) - 1} more deployment(s)" if len(complete) > 1 else ""),
            refs((d.location, f"{KIND_LABELS[d.kind]} -> {deployment_endpoint(d)}") for d, _ in complete),
        )
    python = _python_calls(repo, *DEPLOYMENT_CLASSES)
    if python:
        module, call = python[0]
        return passed(f"deployment built with azure-ai-ml in {module.path}:{call.line} ({call.name})",
                      _call_refs(python))
    if incomplete:
        return failed(
            "deployment YAML without an endpoint or a model: "
            + _names(f"{d.path} (no {' or '.join(missing)})" for d, missing in incomplete),
            refs((d.location, "missing " + ", ".join(missing)) for d, missing in incomplete),
        )
    return failed(
        f"no online or batch deployment YAML and no azure-ai-ml deployment code; {_looked_at(repo)}"
    )


def _describe_model(deployment: AmlAsset) -> str:
    model = deployment_model_ref(deployment)
    if isinstance(model, str):
        return model
    if isinstance(model, dict):
        return "an inline model"
    return "a pipeline component" if "component" in deployment.data else "its model"


def _traffic_entries(action: CiAction) -> list[str]:
    """Deployment names in a `--traffic "blue=90 green=10"` option (names may be expressions)."""
    value = action.options.get("--traffic", "")
    value = re.sub(r"\$\{\{.*?\}\}", lambda m: m.group(0).replace(" ", ""), value)
    entries = []
    for token in re.split(r"[\s,]+", _clean(value)):
        name, sep, _ = _clean(token).partition("=")
        if sep and name:
            entries.append(name)
    return entries


def _shifts_traffic_of(action: CiAction, endpoint: str, deployments: set[str]) -> bool:
    """Does a traffic-shifting step target *endpoint*? A computed name (expression) is taken to match."""
    options = ("--name", "-n", "--endpoint-name", "-e")
    name = _clean(next((action.options[o] for o in options if action.options.get(o)), ""))
    if name and not is_expression(name):
        return name == endpoint
    entries = set(_traffic_entries(action))
    return not entries or bool(entries & deployments) or any(is_expression(e) for e in entries)


def uses_safe_rollout(repo: RepoEvidence) -> CheckResult:
    """Does online rollout shift traffic between deployments (blue/green split, or CI traffic shifts)?"""
    online = repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT)
    endpoints = repo.azureml.of_kind(AmlKind.ONLINE_ENDPOINT)
    shifts = [  # a batch endpoint's `--set defaults.deployment_name=...` switches deployments, not traffic
        a for a in repo.ci.actions
        if "--traffic" in a.options
        or (a.kind is ActionKind.SHIFT_TRAFFIC and "batch-endpoint" not in a.command)
    ]
    for endpoint in endpoints:
        split = {**endpoint_mirror_traffic(endpoint), **endpoint_traffic(endpoint)}
        if len(split) >= 2:
            shares = " ".join(f"{k}={v}" for k, v in endpoint_traffic(endpoint).items())
            mirror = " ".join(f"{k}={v}" for k, v in endpoint_mirror_traffic(endpoint).items())
            return passed(
                f"online endpoint {_label(endpoint)} splits traffic across {len(split)} deployments"
                f" ({shares}{'; mirror ' + mirror if mirror else ''})",
                refs([(_at(endpoint, "traffic"), f"traffic: {shares}")]),
            )
    by_endpoint: dict[str, list[AmlAsset]] = defaultdict(list)
    for deployment in online:
        by_endpoint[deployment_endpoint(deployment) or "?"].append(deployment)
    for endpoint_name, deployments in by_endpoint.items():
        names = {d.name for d in deployments if d.name}
        related = [s for s in shifts if _shifts_traffic_of(s, endpoint_name, names)]
        if len(deployments) >= 2 and related:
            return passed(
                f"{len(deployments)} deployments ({_names(sorted(names))}) of endpoint {endpoint_name}, "
                f"and CI shifts traffic between them at {related[0].location}",
                refs([(d.location, f"deployment {d.name}") for d in deployments]
                     + [(s.location, s.command or s.step) for s in related]),
            )
    for shift in shifts:
        entries = _traffic_entries(shift)
        if len(entries) >= 2:
            return passed(
                f"CI shifts traffic across {len(entries)} deployments ({' '.join(entries)}) "
                f"at {shift.location}",
                refs([(shift.location, shift.command or shift.step)]),
            )
    if not online and not endpoints:
        python = _python_calls(repo, *ONLINE_CLASSES)
        if python:
            return unknown("online endpoints are built in Python code; their traffic split cannot be read",
                           _call_refs(python))
        return not_applicable("no online endpoint or deployment (batch-only or nothing deployed online)")
    return failed(_rollout_gap(endpoints, by_endpoint, shifts), _rollout_refs(endpoints, online, shifts))


def _rollout_gap(endpoints: list[AmlAsset], by_endpoint: dict[str, list[AmlAsset]], shifts: list) -> str:
    parts = []
    for endpoint in endpoints:
        traffic = endpoint_traffic(endpoint)
        parts.append(
            f"endpoint {_label(endpoint)} sends all traffic to {next(iter(traffic))}" if len(traffic) == 1
            else f"endpoint {_label(endpoint)} declares no traffic split"
        )
    for endpoint_name, deployments in by_endpoint.items():
        parts.append(f"endpoint {endpoint_name} has {_plural(len(deployments), 'deployment')} "
                     f"({_names(d.name or d.path for d in deployments)})")
    ci = (f"{_plural(len(shifts), 'CI traffic shift')} with fewer than two deployments or another endpoint"
          if shifts else "no CI step shifts traffic (az ml online-endpoint update --traffic)")
    return "; ".join([*parts, ci])


def _rollout_refs(endpoints: list[AmlAsset], online: list[AmlAsset], shifts: list[CiAction]) -> tuple:
    return refs(
        [(_at(e, "traffic"), "online endpoint traffic") for e in endpoints]
        + [(d.location, f"online deployment {d.name or ''}".strip()) for d in online]
        + [(s.location, s.command or s.step) for s in shifts]
    )


def _model_pin(value: Any) -> tuple[bool, str]:
    """Whether a deployment's model value names one registered version, and why not."""
    if value is None:
        return False, "no model"
    if isinstance(value, dict):
        return False, "an inline model from a local path" if value.get("path") else "an inline model"
    ref = parse_asset_ref(value)
    if ref is None:
        return False, f"{value} (a local path, not a registered model)"
    if ref.label:
        return False, f"{value} (label @{ref.label}, not a version)"
    if not ref.is_pinned:
        return False, f"{value} (no version)"
    return True, f"{value}" + (" (version supplied at deploy time)" if ref.version_is_expression else "")


def deployments_pin_model_version(repo: RepoEvidence) -> CheckResult:
    """Does every deployment reference a registered model version (azureml:<name>:<version>)?"""
    pinned, loose = [], []
    for deployment in _deployments(repo):
        if deployment_model_ref(deployment) is None and "component" in deployment.data:
            continue  # a pipeline-component batch deployment: no model to pin
        for value, where, how in _values_at_deploy(repo, deployment, "model", DEPLOY_ACTIONS):
            ok, detail = _model_pin(value)
            (pinned if ok else loose).append((deployment, detail, where, how))
    if loose:
        return failed(
            "deployments that do not pin a model version: "
            + _names(f"{d.path} uses {detail}" for d, detail, _, _ in loose),
            refs((where, f"{detail}; {how}") for _, detail, where, how in loose),
        )
    if pinned:
        return passed(
            "every deployment pins a registered model version: "
            + _names(f"{d.name or d.path} -> {detail}" for d, detail, _, _ in pinned),
            refs((where, f"{detail}; {how}") for _, detail, where, how in pinned),
        )
    python = _python_calls(repo, *DEPLOYMENT_CLASSES)
    if python:
        return unknown("deployments are built in Python code; their model references cannot be read",
                       _call_refs(python))
    return not_applicable(f"no deployment YAML with a model; {_looked_at(repo)}")


# -- MLL-401, MLL-402, MLL-404, MLL-405: monitoring ------------------------------------------


def _no_online_deployments(repo: RepoEvidence, what: str) -> CheckResult:
    python = _python_calls(repo, *ONLINE_DEPLOYMENT_CLASSES)
    if python:
        return unknown(f"online deployments are built in Python code; their {what} cannot be read",
                       _call_refs(python))
    return not_applicable("no online deployment YAML (batch-only or nothing deployed online)")


def _collects(repo: RepoEvidence, deployment: AmlAsset) -> tuple[bool | None, str]:
    """(True, how) when the deployment collects inputs and outputs, (False, why not), (None, why unknown)."""
    collections = data_collector_collections(deployment)
    if collections.get("model_inputs") and collections.get("model_outputs"):
        return True, "data_collector collects model_inputs and model_outputs"
    disabled = [name for name in ("model_inputs", "model_outputs") if collections.get(name) is False]
    gap = (f"collections {', '.join(disabled)} disabled" if disabled
           else "no data_collector with model_inputs and model_outputs")
    script = deployment_scoring_script(deployment)
    if script is None:
        config = deployment.data.get("code_configuration")
        if isinstance(config, dict) and config.get("scoring_script"):
            return None, f"{gap}; its code ({config.get('code')}) is not in the repository"
        return False, gap  # no scoring script: only the data collector could collect
    module = repo.python.module_at(script)
    if module is None:
        where = "is not in the repository" if not repo.files.exists(script) else "could not be parsed"
        return None, f"{gap}; scoring script {script} {where}"
    if module.calls_ending("Collector") and module.calls_ending("collect"):
        return True, f"scoring script {script} logs with Collector.collect"
    return False, f"{gap}, and {script} does not use Collector"


def collects_inference_data(repo: RepoEvidence) -> CheckResult:
    """Do online deployments collect production inputs and outputs?"""
    online = repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT)
    if not online:
        return _no_online_deployments(repo, "data collection")
    results = [(d, *_collects(repo, d)) for d in online]
    evidence = refs((_at(d, "data_collector"), how) for d, _, how in results)
    missing = [(d, how) for d, ok, how in results if ok is False]
    if missing:
        return failed("online deployments that do not collect inputs and outputs: "
                      + _names(f"{d.path}: {how}" for d, how in missing), evidence)
    undecided = [(d, how) for d, ok, how in results if ok is None]
    if undecided:
        return unknown(_names(f"{d.path}: {how}" for d, how in undecided), evidence)
    return passed(
        "every online deployment collects inputs and outputs: "
        + _names(f"{_label(d)}: {how}" for d, _, how in results),
        evidence,
    )


def defines_model_monitor(repo: RepoEvidence) -> CheckResult:
    """Is an Azure ML model monitor (monitor schedule with signals) defined?"""
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    for monitor in monitors:
        signals = monitor_signals(monitor)
        if signals:
            return passed(
                f"monitor schedule {_label(monitor)} has {_plural(len(signals), 'signal')} "
                f"({_names(f'{name}: {kind}' if kind else name for name, kind in signals.items())})",
                refs([(_at(monitor, "create_monitor"), ", ".join(signals))]),
            )
    for monitor in monitors:
        target = monitor_target(monitor)
        if target:
            return passed(
                f"monitor schedule {_label(monitor)} watches {target} with Azure ML's default signals "
                f"({DEFAULT_MONITOR_SIGNALS})",
                refs([(_at(monitor, "create_monitor"), f"target {target}, default signals")]),
            )
    python = _python_calls(repo, *MONITOR_CLASSES)
    if python:
        module, call = python[0]
        return passed(f"model monitor built with azure-ai-ml in {module.path}:{call.line}",
                      _call_refs(python))
    if monitors:
        return failed(
            "monitor schedules declare no signals and no target deployment: "
            + _names(m.path for m in monitors),
            refs((m.location, "no monitoring_signals") for m in monitors),
        )
    return failed(f"no Azure ML monitor schedule (create_monitor) YAML; {_looked_at(repo)}")


def monitoring_raises_alerts(repo: RepoEvidence) -> CheckResult:
    """Does monitoring raise alerts (monitor notifications, or metric / log alert rules in IaC)?"""
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    for monitor in monitors:
        emails = monitor_alert_emails(monitor)
        if emails or monitor_alerts_azure_monitor(monitor):
            to = _names(emails) if emails else "Azure Monitor"
            return passed(f"monitor schedule {_label(monitor)} sends alerts to {to}",
                          refs([(_at(monitor, "create_monitor"), f"alert_notification: {to}")]))
    resources = repo.resources
    rules = [r for r in resources if r.type_lower in ALERT_RULE_TYPES and not r.existing]
    if rules:
        return passed(
            f"infrastructure code declares {_plural(len(rules), 'alert rule')} "
            f"({_names(r.name for r in rules)})",
            refs((r.location, r.type) for r in rules),
        )
    monitors_part = (f"{_plural(len(monitors), 'monitor schedule')} without alert_notification emails"
                     if monitors else "no monitor schedule")
    return failed(
        f"{monitors_part}, and no metric or log alert rules (Microsoft.Insights/metricAlerts, "
        f"scheduledQueryRules) among {_plural(len(resources), 'declared resource')}",
        refs((m.location, "no alert_notification") for m in monitors),
    )


def endpoints_send_telemetry(repo: RepoEvidence) -> CheckResult:
    """Does every online deployment send telemetry to Application Insights (app_insights_enabled)?"""
    online = repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT)
    if not online:
        return _no_online_deployments(repo, "telemetry settings")
    enabled, disabled = [], []
    for deployment in online:
        for value, where, how in _values_at_deploy(repo, deployment, "app_insights_enabled", DEPLOY_ACTIONS):
            (enabled if is_true(value) else disabled).append((deployment, value, where, how))
    if disabled:
        return failed(
            "online deployments without app_insights_enabled: true: "
            + _names(f"{d.path} ({'not set' if v is None else f'app_insights_enabled: {v}'})"
                     for d, v, _, _ in disabled),
            refs((where, f"app_insights_enabled: {'not set' if v is None else v}; {how}")
                 for _, v, where, how in disabled),
        )
    return passed(
        "every online deployment enables Application Insights: "
        + _names(_label(d) for d, _, _, _ in enabled),
        refs((where, f"app_insights_enabled: {v}; {how}") for _, v, where, how in enabled),
    )


CHECKS = (
    declares_data_sources,
    versions_data,
    defines_training_pipeline,
    defines_training_environment,
    pipeline_uses_versioned_data,
    defines_model_deployment,
    uses_safe_rollout,
    deployments_pin_model_version,
    collects_inference_data,
    defines_model_monitor,
    monitoring_raises_alerts,
    endpoints_send_telemetry,
)
