"""Checks of level 4 on other ML platforms: inference data collected, monitors scheduled by
automation, alerts, retraining on a schedule or an event (levels 1-3: training.py,
release.py and wiring.py, which say what counts as wired)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs
from mlops_ladder.assessment.checks.platforms.training import (
    ci_training,
    fact_refs,
    looked_at,
    training_jobs,
    where,
)
from mlops_ladder.assessment.checks.platforms.wiring import (
    applied_by,
    bundle_deploys,
    in_bundle,
    wired_schedule,
)
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, Trigger
from mlops_ladder.assessment.evidence.repo.platforms.model import FactKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

K = ActionKind
F = FactKind


def platform_collects_inference_data(repo: RepoEvidence) -> CheckResult:
    """Do the platform's online endpoints collect their inputs and outputs (data capture, inference
    tables)?"""
    online = [d for d in repo.platforms.of_kind(F.DEPLOYMENT) if d.online]
    if not online:
        return not_applicable("no online endpoint on another platform (batch scoring or nothing deployed)")
    captures = repo.platforms.of_kind(F.DATA_CAPTURE)
    if captures:
        return passed(
            f"{captures[0].platform.value}: {captures[0].detail} ({captures[0].location})",
            fact_refs(captures),
        )
    return failed(
        f"{online[0].detail} ({online[0].location}) does not capture its requests and responses",
        fact_refs(online),
    )


def platform_schedules_monitor(repo: RepoEvidence) -> CheckResult:
    """Is a model monitor defined and run on a schedule by automation: a monitoring schedule in IaC that
    CI applies, a quality monitor with a schedule in a bundle CI deploys, or monitoring in a batch
    prediction that a schedule applied by CI runs?"""
    monitors = repo.platforms.of_kind(F.MONITOR)
    for monitor in monitors:
        action = applied_by(repo, monitor.location.path)
        if monitor.scheduled and action is not None:
            return passed(
                f"{where(action)} applies {monitor.location.path}: {monitor.detail}", fact_refs([monitor])
            )
        for deploy in bundle_deploys(repo):
            if monitor.scheduled and in_bundle(repo, deploy.files[0], monitor):
                return passed(
                    f"{where(deploy)} deploys {monitor.detail} ({monitor.location})", fact_refs([monitor])
                )
    wired = wired_schedule(repo)
    batch = [m for m in monitors if not m.scheduled]
    if wired and batch:
        schedule, action = wired
        return passed(
            f"{batch[0].detail} ({batch[0].location}) runs in the prediction pipeline that "
            f"{schedule.detail} starts; {where(action)} applies the schedule",
            fact_refs([batch[0], schedule]),
        )
    if monitors:
        return failed(
            f"{monitors[0].detail} ({monitors[0].location}) is defined, but nothing schedules it by "
            "automation",
            fact_refs(monitors),
        )
    return failed(f"no model monitor on another platform; {looked_at(repo)}")


def platform_monitoring_raises_alerts(repo: RepoEvidence) -> CheckResult:
    """Does monitoring raise alerts: alarms, monitor notifications or alert configuration with recipients?"""
    alerts = repo.platforms.of_kind(F.ALERT)
    if alerts:
        return passed(
            f"{alerts[0].platform.value}: {alerts[0].detail} ({alerts[0].location})", fact_refs(alerts)
        )
    return failed(
        f"no alarm, monitor notification or alert configuration on another platform; {looked_at(repo)}"
    )


def platform_retrains_on_trigger(repo: RepoEvidence) -> CheckResult:
    """Is retraining started by a schedule or an event: a CI workflow on a schedule or event that trains,
    a bundle CI deploys whose training job has a schedule, a schedule applied by CI that starts the
    training pipeline?"""
    runs = [(a, why) for a, v, why in ci_training(repo) if v == "yes"]
    timed = [(a, why) for a, why in runs if a.triggers & {Trigger.SCHEDULE, Trigger.EVENT}]
    scheduled = [(a, why) for a, why in runs if a.kind is K.DEPLOY_BUNDLE]
    if timed or scheduled:
        action, why = (timed + scheduled)[0]
        return passed(f"{where(action)} {why}", refs([(action.location, why)]))
    wired = wired_schedule(repo)
    trained = [j for j, v, _ in training_jobs(repo) if v == "yes"]
    if wired and any(j.platform is wired[0].platform for j in trained):
        schedule, action = wired
        return passed(
            f"{schedule.detail} ({schedule.location}), applied by {where(action)}, starts the training "
            "pipeline",
            fact_refs([schedule]),
        )
    if runs:
        return failed(
            "training runs only when CI is started by a push, a pull request or by hand: "
            + "; ".join(where(a) for a, _ in runs[:3]),
            refs((a.location, why) for a, why in runs),
        )
    return failed(f"no schedule or event starts training on another platform; {looked_at(repo)}")


CHECKS = (
    platform_collects_inference_data,
    platform_schedules_monitor,
    platform_monitoring_raises_alerts,
    platform_retrains_on_trigger,
)
