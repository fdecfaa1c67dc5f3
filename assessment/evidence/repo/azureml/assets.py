"""What one Azure ML asset says: pipeline steps and their components, inline environments, a
deployment's model, endpoint and scoring script, an endpoint's traffic, a schedule's job, a
monitor's signals, target and alerts (a job's data inputs and the code it runs are in jobs.py).

These pure helpers read one AmlAsset; checks use them instead of digging into the YAML
themselves. Paths that an asset points at are resolved relative to the asset's folder and
returned as repo paths.
"""

from __future__ import annotations

import posixpath
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml.jobs import pipeline_steps_of
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset
from mlops_ladder.assessment.evidence.repo.azureml.values import is_true, node_line, resolve_local_path

# -- pipelines -----------------------------------------------------------------------------


def pipeline_steps(asset: AmlAsset) -> list[str]:
    """Names of the steps (`jobs:` keys) of a pipeline job or pipeline component."""
    jobs = asset.data.get("jobs")
    return [str(name) for name in jobs] if isinstance(jobs, dict) else []


def step_components(asset: AmlAsset) -> dict[str, str]:
    """Step name -> the component it uses: a repo path for local files (`file:./x.yml`, `../c/x.yml`),
    the reference as written for registered components (`azureml:prep@latest`, `azureml:prep:1`).
    Steps with an inline component (a mapping) or an inline command have no entry."""
    return {step.name: step.component for step in pipeline_steps_of(asset) if step.component}


def step_component_refs(asset: AmlAsset) -> list[str]:
    """The components a pipeline's steps use, in step order (see step_components)."""
    return list(step_components(asset).values())


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
        found.append(("environment", how, node_line(asset.data, "environment")))
    trial = asset.data.get("trial")  # a sweep job's trial
    if isinstance(trial, dict) and (how := inline_environment(trial.get("environment"))):
        found.append(("trial.environment", how, node_line(trial, "environment")))
    jobs = asset.data.get("jobs")
    if isinstance(jobs, dict):
        for name, step in jobs.items():
            if isinstance(step, dict) and (how := inline_environment(step.get("environment"))):
                found.append((f"jobs.{name}.environment", how, node_line(step, "environment")))
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
