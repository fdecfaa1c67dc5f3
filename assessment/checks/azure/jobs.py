"""The jobs a workspace ran, as the scan read them (its newest jobs): who submitted the training
(MLL-205).

A training job is a pipeline, sweep, AutoML or fine-tuning job, or a command job whose names do not
say it does something else (evaluate, score, prepare data...: azureml/job_names.py). A job was
submitted by automation when a service principal or managed identity created it, or when a
schedule of its workspace started it (Azure ML names the jobs a schedule starts after the
schedule, which is how `az ml job list` finds them)."""

from __future__ import annotations

from typing import Any

from mlops_ladder.assessment.checks.azure.common import (
    JOB,
    SCHEDULE,
    count,
    items,
    maker,
    prop,
    undecided,
    workspace_of,
    workspaces,
)
from mlops_ladder.assessment.checks.azureml.job_names import says_it_trains
from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.evidence.common import Resource

TRAINING_JOB_TYPES = {"pipeline", "sweep", "automl", "finetuning"}


def is_training_job(job: Resource) -> bool:
    kind = str(prop(job, "properties.jobType") or "").lower()
    if kind in TRAINING_JOB_TYPES:
        return True
    if kind != "command":
        return False
    names = " ".join(
        str(v)
        for v in (job.name, prop(job, "properties.displayName"), prop(job, "properties.experimentName"))
        if v
    )
    return says_it_trains(names) is not False


def training_jobs(azure: Any) -> list[Resource]:
    return [j for j in items(azure, JOB) if is_training_job(j)]


def _job_label(job: Resource) -> str:
    shown = prop(job, "properties.displayName")
    kind = prop(job, "properties.jobType") or "job"
    return f"{kind} job '{job.name}'" + (f" ({shown})" if shown and shown != job.name else "")


def _scheduled_by(job: Resource, schedules: list[Resource]) -> Resource | None:
    shown = str(prop(job, "properties.displayName") or "").lower()
    if not shown:
        return None
    workspace = workspace_of(job)
    return next(
        (s for s in schedules if workspace_of(s) == workspace and s.name.lower() in shown),
        None,
    )


def _trigger_text(schedule: Resource) -> str:
    kind = prop(schedule, "properties.trigger.triggerType") or "trigger"
    expression = prop(schedule, "properties.trigger.expression") or prop(
        schedule, "properties.trigger.frequency"
    )
    return f"{kind} {expression}" if expression else str(kind)


def training_is_submitted_by_automation(azure: Any) -> CheckResult:
    """Was a training job of the workspace submitted by a service principal or managed identity, or
    started by one of its schedules (or is a job schedule enabled)? FAIL when people submitted every
    training job read, or none ran; UNKNOWN when jobs could not be read or ARM does not record who
    submitted them."""
    jobs = training_jobs(azure)
    schedules = [
        s
        for s in items(azure, SCHEDULE)
        if str(prop(s, "properties.action.actionType") or "").lower() == "createjob"
    ]
    automated, by_hand, unrecorded = [], [], []
    for job in jobs:
        schedule = _scheduled_by(job, schedules)
        made = maker(job, modified=False)
        if schedule is not None:
            automated.append((job, f"started by the schedule '{schedule.name}'"))
        elif made.automation:
            automated.append((job, made.text.replace("created", "submitted", 1)))
        else:
            target = by_hand if made.automation is False else unrecorded
            target.append((job, made.text))
    if automated:
        job, detail = automated[0]
        more = f" (and {len(automated) - 1} more)" if len(automated) > 1 else ""
        return passed(
            f"{_job_label(job)} was {detail}{more}",
            refs((j.location, f"{_job_label(j)}: {d}") for j, d in automated),
        )
    enabled = [s for s in schedules if str(prop(s, "properties.isEnabled")).lower() != "false"]
    if enabled:  # no run of it among the jobs read yet, but it submits the training from now on
        schedule = enabled[0]
        kind = prop(schedule, "properties.action.jobDefinition.jobType") or "a job"
        return passed(
            f"the schedule '{schedule.name}' submits {kind} ({_trigger_text(schedule)})",
            refs((s.location, f"schedule '{s.name}': {_trigger_text(s)}") for s in enabled),
        )
    blind = undecided(azure, JOB, "who submits training")
    if blind is not None:
        return blind
    if unrecorded:
        job, detail = unrecorded[0]
        return unknown(
            f"{_job_label(job)}: {detail}; cannot tell whether automation submitted it",
            refs((j.location, f"{_job_label(j)}: {d}") for j, d in unrecorded),
        )
    if not jobs:
        read = count(len(items(azure, JOB)), "job")
        return failed(
            f"no training job among the {read} read in the "
            f"{count(len(workspaces(azure)), 'Azure ML workspace')} (newest first)"
        )
    job, detail = by_hand[0]
    return failed(
        f"people submitted all {count(len(jobs), 'training job')} read, none a service principal, managed"
        f" identity or schedule: {_job_label(job)} was {detail}",
        refs((j.location, f"{_job_label(j)}: {d}") for j, d in by_hand),
    )


CHECKS = (training_is_submitted_by_automation,)
