"""Checks that automation submits the training of this repository (MLL-205), on a schedule or an event
(MLL-206, MLL-407), and fails when the job fails (MLL-207). What counts as submitting training is
decided in submissions.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci import submissions
from mlops_ladder.assessment.checks.ci.common import (
    K,
    T,
    action_ref,
    looked_at,
    module_of,
    trigger_names,
    where_of,
)
from mlops_ladder.assessment.checks.ci.submissions import Submission
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import schedule_job_ref
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction, RemoteCall, Trigger

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

SDK_SCHEDULES = ("JobSchedule", "Schedule.create")  # azure-ai-ml JobSchedule, SDK v1 pipeline Schedule.create
SDK_WAITS = ("jobs.stream", "wait_for_completion")


def _unknown_remote(repo: RepoEvidence, *triggers: Trigger) -> list[RemoteCall]:
    """Unknown remote workflows or templates (under *triggers*, when given): each could submit training."""
    calls = submissions.remote_submitters(repo)
    return [c for c in calls if not triggers or set(triggers) & c.triggers]


def _remote_text(calls: list[RemoteCall], what: str) -> str:
    call = calls[0]
    where = f"{call.pipeline}, job {call.job}"
    return f"{what} by an unknown remote workflow `{call.reference}` ({where}): cannot tell"


def ci_submits_training_pipeline(repo: RepoEvidence) -> CheckResult:
    """Is training submitted by automation: a CI step (even one started by hand) that submits a training
    job or pipeline of this repository?"""
    found = submissions.submissions(repo)
    yes = [s for s in found if s.verdict == submissions.YES]
    if yes:
        first = yes[0]
        return passed(
            f"{where_of(first.action)} {first.why} ({trigger_names(first.action.triggers)})",
            refs(action_ref(s.action, s.why) for s in yes),
        )
    maybe = [s for s in found if s.verdict == submissions.UNKNOWN]
    if maybe:
        first = maybe[0]
        return unknown(
            f"{where_of(first.action)} submits a job, but {first.why}: cannot tell whether it is training",
            refs(action_ref(s.action, s.why) for s in maybe),
        )
    remote = _unknown_remote(repo)
    if remote:
        return unknown(
            _remote_text(remote, "training may be submitted"), refs((c.location, c.reference) for c in remote)
        )
    if found:
        return failed(
            "CI submits jobs, but none is a training job of this repository: "
            + "; ".join(f"{where_of(s.action)}: {s.why}" for s in found[:3]),
            refs(action_ref(s.action, s.why) for s in found),
        )
    return failed(
        "no CI step submits a training job (az ml job create --file, az ml run submit-script, or a script "
        f"that submits with azure-ai-ml or the SDK v1); {looked_at(repo)}"
    )


def _training_schedules(repo: RepoEvidence) -> list[tuple[str, str, Location, bool]]:
    """(schedule, what it runs, where, created by CI) for recurring training defined as code: Azure ML job
    schedules whose job trains, and CI scripts that create schedules with the SDK."""
    created = {path: action for action in repo.ci.of_kind(K.CREATE_SCHEDULE) for path in action.files}
    found = []
    for schedule in repo.azureml.of_kind(AmlKind.JOB_SCHEDULE):
        target = schedule_job_ref(schedule)
        create_job = schedule.data.get("create_job")
        if target:
            trains = submissions.job_file_verdict(repo, target)[0] == submissions.YES
        else:
            trains = isinstance(create_job, dict) and str(create_job.get("type", "")).lower() in (
                "pipeline",
                "sweep",
                "command",
            )
        if trains:
            action = created.get(schedule.path)
            where = action.location if action else schedule.location
            found.append((schedule.path, target or "an inline job", where, action is not None))
    for action in repo.ci.of_kind(K.RUN_PYTHON):
        module = module_of(repo, action)
        modules = submissions.reachable_modules(repo, module) if module else []
        if submissions.calls_in(modules, *SDK_SCHEDULES):
            found.append((action.files[0], "a job or pipeline it builds", action.location, True))
    return found


def training_is_scheduled(repo: RepoEvidence) -> CheckResult:
    """Does training run on a schedule: a scheduled CI pipeline that submits it, or an Azure ML schedule
    for a training job that automation creates?"""
    found = submissions.submissions(repo)
    scheduled = [s for s in found if s.verdict == submissions.YES and T.SCHEDULE in s.action.triggers]
    if scheduled:
        first = scheduled[0]
        return passed(f"{where_of(first.action)} {first.why}, on a schedule", _refs(scheduled))
    schedules = _training_schedules(repo)
    wired = [item for item in schedules if item[3]]
    if wired:
        path, job, where, _ = wired[0]
        return passed(
            f"the schedule {path} runs {job}, and CI creates it ({where})",
            refs((w, f"creates the schedule {p} for {j}") for p, j, w, _ in wired),
        )
    unresolved = [a for a in repo.ci.of_kind(K.CREATE_SCHEDULE) if any(is_unresolved(f) for f in a.files)]
    maybe = [s.action for s in found if s.verdict == submissions.UNKNOWN and T.SCHEDULE in s.action.triggers]
    if maybe or (schedules and unresolved):
        action = (maybe or unresolved)[0]
        return unknown(
            f"{where_of(action)} runs on a schedule or creates a schedule, but its file is only known at "
            "run time",
            refs(action_ref(a) for a in maybe + unresolved),
        )
    remote = _unknown_remote(repo, T.SCHEDULE)
    if remote:
        return unknown(_remote_text(remote, "scheduled training may be submitted"), _remote_refs(remote))
    trained = [s.action for s in found if s.verdict == submissions.YES]
    if schedules:
        path, job, where, _ = schedules[0]
        return failed(
            f"the Azure ML schedule {path} runs {job}, but no CI step creates it (az ml schedule create)",
            refs((w, f"schedule for {j}") for _, j, w, _ in schedules),
        )
    if trained:
        return failed(
            "CI submits training only under "
            f"{trigger_names(set().union(*(a.triggers for a in trained)))}"
            " (no schedule trigger), and no Azure ML schedule runs it",
            refs(action_ref(a) for a in trained),
        )
    return failed(
        f"no scheduled CI pipeline submits training and no Azure ML schedule runs it; {looked_at(repo)}"
    )


def _wait(repo: RepoEvidence, action: CiAction) -> str | None:
    """How CI waits for a submitted job, or None when it returns once the job is queued."""
    if "--stream" in action.options:
        return "--stream"
    v1_run = any(verb in action.command for verb in ("run submit-script", "run submit-hyperdrive"))
    if v1_run and "--async" not in action.options:
        return "CLI v1 run streaming (no --async)"
    if action.kind is K.RUN_PYTHON and submissions.publishes(repo, action):
        runs = repo.ci.of_kind(K.RUN_PUBLISHED_PIPELINE)  # the run of the published pipeline is what waits
        return next((how for run in runs if (how := _wait(repo, run))), None)
    if action.kind is K.RUN_PYTHON:
        module = module_of(repo, action)
        modules = submissions.reachable_modules(repo, module) if module else []
        waits = [name for name in submissions.calls_in(modules, *SDK_WAITS) if _waits_for_a_run(name)]
        return waits[0] if waits else None
    for other in repo.ci.running_after(repo.ci.of_kind(K.WAIT_JOB), action):  # steps of other runs skipped
        if not other.continue_on_error and other.job == action.job:
            return f"{other.command} ({other.location})"
    return None


def _waits_for_a_run(call: str) -> bool:
    """`run.wait_for_completion()`, not a compute target's or a web service's."""
    receiver = call.rpartition(".")[0].lower()
    return not any(word in receiver for word in ("compute", "service", "deployment", "endpoint"))


def ci_waits_for_training_job(repo: RepoEvidence) -> CheckResult:
    """Does CI fail when the training job fails: it waits for the job and does not ignore its failure?"""
    training = [s.action for s in submissions.training(repo)]
    if not training:
        if any(s.verdict == submissions.UNKNOWN for s in submissions.submissions(repo)) or _unknown_remote(
            repo
        ):
            return unknown(
                "CI submits a job it cannot tell is training; cannot tell whether it is waited for"
            )
        return failed(f"no CI step submits training, so none waits for it; {looked_at(repo)}")
    waiting: list[tuple[CiAction, str]] = []
    hidden: list[tuple[CiAction, str]] = []
    for action in training:
        how = _wait(repo, action)
        if action.continue_on_error:
            hidden.append((action, "continues on error"))
        elif how is None:
            queued = (
                "returns as soon as the job is queued (no --stream, az ml job stream, jobs.stream or polling)"
            )
            hidden.append((action, queued))
        else:
            waiting.append((action, f"waits with {how}"))
    if waiting:
        action, how = waiting[0]
        return passed(
            f"{where_of(action)} submits training and {how}", refs(action_ref(a, w) for a, w in waiting)
        )
    action, why = hidden[0]
    return failed(
        f"{where_of(action)} submits training but {why}, so a failed job does not fail CI",
        refs(action_ref(a, why) for a, why in hidden),
    )


def _workspace_events(repo: RepoEvidence) -> list:
    """Event Grid topics and subscriptions on the Azure ML workspace's events, declared in IaC."""
    found = []
    for resource in repo.resources:
        kind = resource.type_lower
        properties = (
            resource.body.get("properties") if isinstance(resource.body.get("properties"), dict) else {}
        )
        if kind == "microsoft.eventgrid/systemtopics":
            topic = str(properties.get("topicType", "")).lower()
            if (
                topic == "microsoft.machinelearningservices.workspaces"
                or "workspace" in str(properties.get("source", "")).lower()
            ):
                found.append(resource)
        elif kind in (
            "microsoft.eventgrid/systemtopics/eventsubscriptions",
            "microsoft.eventgrid/eventsubscriptions",
        ):
            scope = str(resource.body.get("scope", "")).lower()
            if "microsoft.machinelearningservices" in repr(resource.body).lower() or "workspace" in scope:
                found.append(resource)
    return found


def retraining_is_event_triggered(repo: RepoEvidence) -> CheckResult:
    """Is retraining triggered without a person: by an event (a workflow run, a pipeline resource, an Event
    Grid subscription on the workspace) or a schedule (a scheduled CI run, an Azure ML schedule)?"""
    found = submissions.submissions(repo)
    automatic = [
        s for s in found if s.verdict == submissions.YES and {T.EVENT, T.SCHEDULE} & s.action.triggers
    ]
    if automatic:
        first = automatic[0]
        return passed(
            f"{where_of(first.action)} {first.why} when an event arrives or on a schedule "
            f"({trigger_names(first.action.triggers)})",
            _refs(automatic),
        )
    wired = [item for item in _training_schedules(repo) if item[3]]
    if wired:
        path, job, where, _ = wired[0]
        return passed(
            f"the schedule {path} retrains ({job}), and CI creates it ({where})", refs([(where, path)])
        )
    events = _workspace_events(repo)
    if events:
        resource = events[0]
        return passed(
            f"Event Grid {resource.type.split('/', 1)[1]} {resource.name} listens to the Azure ML "
            "workspace's events",
            refs((r.location, f"{r.type} {r.name}") for r in events),
        )
    maybe = [
        s.action
        for s in found
        if s.verdict == submissions.UNKNOWN and {T.EVENT, T.SCHEDULE} & s.action.triggers
    ]
    if maybe:
        return unknown(
            f"{where_of(maybe[0])} runs on an event or a schedule and submits a job that may not be training",
            refs(action_ref(a) for a in maybe),
        )
    remote = _unknown_remote(repo, T.EVENT, T.SCHEDULE)
    if remote:
        return unknown(_remote_text(remote, "retraining may be triggered"), _remote_refs(remote))
    trained = [s.action for s in found if s.verdict == submissions.YES]
    if trained:
        return failed(
            "CI submits training only under "
            f"{trigger_names(set().union(*(a.triggers for a in trained)))}, not on an event or a "
            "schedule, no Azure ML schedule retrains, and no Event Grid subscription listens to the "
            "workspace",
            refs(action_ref(a) for a in trained),
        )
    return failed(
        "no CI pipeline triggered by an event or a schedule submits training, no Azure ML schedule retrains "
        f"and no Event Grid subscription listens to the workspace; {looked_at(repo)}"
    )


def _refs(found: list[Submission]) -> tuple:
    return refs(action_ref(s.action, s.why) for s in found)


def _remote_refs(calls: list[RemoteCall]) -> tuple:
    return refs((c.location, c.reference) for c in calls)


CHECKS = (
    ci_submits_training_pipeline,
    training_is_scheduled,
    ci_waits_for_training_job,
    retraining_is_event_triggered,
)
