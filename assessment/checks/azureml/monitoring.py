"""Checks of production monitoring: inference data collected, a model monitor, alerts, telemetry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.common import (
    DEPLOY_ACTIONS,
    ONLINE_DEPLOYMENT_CLASSES,
    call_refs,
    label_of,
    listed,
    location_at,
    looked_at,
    python_calls,
    values_at_deploy,
)
from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.repo.azureml.assets import (
    data_collector_collections,
    deployment_scoring_script,
    monitor_alert_emails,
    monitor_alerts_azure_monitor,
    monitor_signals,
    monitor_target,
)
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import is_true

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

MONITOR_CLASSES = ("MonitorSchedule", "MonitorDefinition")
ALERT_RULE_TYPES = frozenset({"microsoft.insights/metricalerts", "microsoft.insights/scheduledqueryrules"})
DEFAULT_MONITOR_SIGNALS = "data drift, prediction drift and data quality"


def _no_online_deployments(repo: RepoEvidence, what: str) -> CheckResult:
    python = python_calls(repo, *ONLINE_DEPLOYMENT_CLASSES)
    if python:
        return unknown(f"online deployments are built in Python code; their {what} cannot be read",
                       call_refs(python))
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
    evidence = refs((location_at(d, "data_collector"), how) for d, _, how in results)
    missing = [(d, how) for d, ok, how in results if ok is False]
    if missing:
        return failed("online deployments that do not collect inputs and outputs: "
                      + listed(f"{d.path}: {how}" for d, how in missing), evidence)
    undecided = [(d, how) for d, ok, how in results if ok is None]
    if undecided:
        return unknown(listed(f"{d.path}: {how}" for d, how in undecided), evidence)
    return passed(
        "every online deployment collects inputs and outputs: "
        + listed(f"{label_of(d)}: {how}" for d, _, how in results),
        evidence,
    )


def defines_model_monitor(repo: RepoEvidence) -> CheckResult:
    """Is an Azure ML model monitor (monitor schedule with signals) defined?"""
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    for monitor in monitors:
        signals = monitor_signals(monitor)
        if signals:
            return passed(
                f"monitor schedule {label_of(monitor)} has {plural(len(signals), 'signal')} "
                f"({listed(f'{name}: {kind}' if kind else name for name, kind in signals.items())})",
                refs([(location_at(monitor, "create_monitor"), ", ".join(signals))]),
            )
    for monitor in monitors:
        target = monitor_target(monitor)
        if target:
            return passed(
                f"monitor schedule {label_of(monitor)} watches {target} with Azure ML's default signals "
                f"({DEFAULT_MONITOR_SIGNALS})",
                refs([(location_at(monitor, "create_monitor"), f"target {target}, default signals")]),
            )
    python = python_calls(repo, *MONITOR_CLASSES)
    if python:
        module, call = python[0]
        return passed(f"model monitor built with azure-ai-ml in {module.path}:{call.line}",
                      call_refs(python))
    if monitors:
        return failed(
            "monitor schedules declare no signals and no target deployment: "
            + listed(m.path for m in monitors),
            refs((m.location, "no monitoring_signals") for m in monitors),
        )
    return failed(f"no Azure ML monitor schedule (create_monitor) YAML; {looked_at(repo)}")


def monitoring_raises_alerts(repo: RepoEvidence) -> CheckResult:
    """Does monitoring raise alerts (monitor notifications, or metric / log alert rules in IaC)?"""
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    for monitor in monitors:
        emails = monitor_alert_emails(monitor)
        if emails or monitor_alerts_azure_monitor(monitor):
            to = listed(emails) if emails else "Azure Monitor"
            return passed(f"monitor schedule {label_of(monitor)} sends alerts to {to}",
                          refs([(location_at(monitor, "create_monitor"), f"alert_notification: {to}")]))
    resources = repo.resources
    rules = [r for r in resources if r.type_lower in ALERT_RULE_TYPES and not r.existing]
    if rules:
        return passed(
            f"infrastructure code declares {plural(len(rules), 'alert rule')} "
            f"({listed(r.name for r in rules)})",
            refs((r.location, r.type) for r in rules),
        )
    monitors_part = (f"{plural(len(monitors), 'monitor schedule')} without alert_notification emails"
                     if monitors else "no monitor schedule")
    return failed(
        f"{monitors_part}, and no metric or log alert rules (Microsoft.Insights/metricAlerts, "
        f"scheduledQueryRules) among {plural(len(resources), 'declared resource')}",
        refs((m.location, "no alert_notification") for m in monitors),
    )


def endpoints_send_telemetry(repo: RepoEvidence) -> CheckResult:
    """Does every online deployment send telemetry to Application Insights (app_insights_enabled)?"""
    online = repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT)
    if not online:
        return _no_online_deployments(repo, "telemetry settings")
    enabled, disabled = [], []
    for deployment in online:
        for value, where, how in values_at_deploy(repo, deployment, "app_insights_enabled", DEPLOY_ACTIONS):
            (enabled if is_true(value) else disabled).append((deployment, value, where, how))
    if disabled:
        return failed(
            "online deployments without app_insights_enabled: true: "
            + listed(f"{d.path} ({'not set' if v is None else f'app_insights_enabled: {v}'})"
                     for d, v, _, _ in disabled),
            refs((where, f"app_insights_enabled: {'not set' if v is None else v}; {how}")
                 for _, v, where, how in disabled),
        )
    return passed(
        "every online deployment enables Application Insights: "
        + listed(label_of(d) for d, _, _, _ in enabled),
        refs((where, f"app_insights_enabled: {v}; {how}") for _, v, where, how in enabled),
    )


CHECKS = (
    collects_inference_data,
    defines_model_monitor,
    monitoring_raises_alerts,
    endpoints_send_telemetry,
)
