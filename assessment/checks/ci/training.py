"""Checks that CI submits the training pipeline of this repository, on a schedule or an event, and
waits for it."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import (
    K,
    T,
    action_ref,
    looked_at,
    module_of,
    trigger_names,
    where_of,
)
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import schedule_job_ref
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import PythonModule


def _pipeline_job_at(repo: RepoEvidence, path: str) -> bool:
    asset = repo.azureml.at(path)
    return asset is not None and asset.kind is AmlKind.PIPELINE_JOB


def _defines_dsl_pipeline(repo: RepoEvidence, module: PythonModule) -> bool:
    """The script builds its pipeline with @dsl.pipeline, itself or in a repo module it imports."""
    imported = (repo.python.module_named(name) for name in module.imports)
    candidates = [module] + [m for m in imported if m is not None]
    return any(call.endswith("dsl.pipeline") for m in candidates for call in m.calls)


def _pipeline_files_loaded(repo: RepoEvidence, module: PythonModule, action: CiAction) -> list[str]:
    """Pipeline job files the script names: string arguments of its calls, or files passed to it."""
    found = [path for path in action.files[1:] if _pipeline_job_at(repo, path)]
    folders = dict.fromkeys(("", posixpath.dirname(module.path), action.working_directory))
    for call in module.calls:
        for text in call.string_args:
            if text.endswith((".yml", ".yaml")):
                for folder in folders:
                    path = posixpath.normpath(posixpath.join(folder, text))
                    if _pipeline_job_at(repo, path):
                        found.append(path)
    return list(dict.fromkeys(found))


def _training_verdict(repo: RepoEvidence, action: CiAction) -> tuple[str, str]:
    """("yes" | "no" | "unknown", why) for: does this action submit a training pipeline of the repo?"""
    if not action.files:
        return "no", "no job file given"
    target = action.files[0]
    if is_unresolved(target):
        return "unknown", f"{target} is only known at run time"
    if action.kind is K.SUBMIT_JOB:
        asset = repo.azureml.at(target)
        if asset is not None and asset.kind is AmlKind.PIPELINE_JOB:
            return "yes", f"submits the pipeline job {target}"
        if asset is not None:
            return "no", f"{target} is a {asset.kind.value.replace('_', ' ')}, not a pipeline job"
        missing = "does not exist" if not repo.files.exists(target) else "is not an Azure ML pipeline job"
        return "no", f"{target} {missing}"
    module = repo.python.module_at(target)
    if module is None:
        return "no", f"{target} is not a Python module of this repository"
    if not module.calls_ending("jobs.create_or_update"):
        return "no", f"{target} submits no job (no jobs.create_or_update)"
    if _defines_dsl_pipeline(repo, module):
        return "yes", f"{target} submits a pipeline built with @dsl.pipeline"
    loaded = _pipeline_files_loaded(repo, module, action)
    if loaded:
        return "yes", f"{target} submits the pipeline job {loaded[0]}"
    if any(is_unresolved(value) for value in action.options.values()):
        return "unknown", f"{target} submits a job whose definition is passed at run time"
    return "no", f"{target} submits a job that is not a pipeline"


def _submissions(repo: RepoEvidence) -> list[tuple[CiAction, str, str]]:
    return [
        (action, *_training_verdict(repo, action))
        for action in repo.ci.of_kind(K.SUBMIT_JOB, K.RUN_PYTHON)
        if action.kind is K.SUBMIT_JOB or _scripts_submit(repo, action)
    ]


def _scripts_submit(repo: RepoEvidence, action: CiAction) -> bool:
    if action.files and is_unresolved(action.files[0]):
        return True
    module = module_of(repo, action)
    return module is not None and bool(module.calls_ending("jobs.create_or_update"))


def ci_submits_training_pipeline(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    yes = [(a, why) for a, verdict, why in submissions if verdict == "yes"]
    if yes:
        action, why = yes[0]
        return passed(
            f"{where_of(action)} {why} ({trigger_names(action.triggers)})",
            refs(action_ref(a, why) for a, why in yes),
        )
    maybe = [(a, why) for a, verdict, why in submissions if verdict == "unknown"]
    if maybe:
        action, why = maybe[0]
        return unknown(
            f"{where_of(action)} submits a job, but {why}: cannot tell whether it is the training pipeline",
            refs(action_ref(a, why) for a, why in maybe),
        )
    if submissions:
        return failed(
            "CI submits jobs, but none is a pipeline job of this repository: "
            + "; ".join(f"{where_of(a)}: {why}" for a, _, why in submissions[:3]),
            refs(action_ref(a, why) for a, _, why in submissions),
        )
    return failed(
        "no CI step submits an Azure ML pipeline job (az ml job create --file, or a script calling "
        f"jobs.create_or_update); {looked_at(repo)}"
    )


def _scheduled_pipelines(repo: RepoEvidence) -> list[tuple[str, str]]:
    """(schedule file, pipeline job it runs) for Azure ML job schedules that run a pipeline of this repo."""
    found = []
    for schedule in repo.azureml.of_kind(AmlKind.JOB_SCHEDULE):
        target = schedule_job_ref(schedule)
        create_job = schedule.data.get("create_job")
        inline = isinstance(create_job, dict) and str(create_job.get("type", "")).lower() == "pipeline"
        if inline or (target and _pipeline_job_at(repo, target)):
            found.append((schedule.path, target or "an inline pipeline job"))
    return found


def training_is_scheduled(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    scheduled = [(a, why) for a, verdict, why in submissions if verdict == "yes" and T.SCHEDULE in a.triggers]
    if scheduled:
        action, why = scheduled[0]
        return passed(
            f"{where_of(action)} {why}, on a schedule", refs(action_ref(a, why) for a, why in scheduled)
        )
    schedules = _scheduled_pipelines(repo)
    creations = repo.ci.of_kind(K.CREATE_SCHEDULE)
    created = {path: action for action in creations for path in action.files}
    wired = [(path, job, created[path]) for path, job in schedules if path in created]
    if wired:
        path, job, action = wired[0]
        return passed(
            f"the Azure ML schedule {path} runs {job}, and {where_of(action)} creates it",
            refs((a.location, f"creates the schedule {p} for {j}") for p, j, a in wired),
        )
    unresolved = [a for a in creations if any(is_unresolved(f) for f in a.files)]
    maybe = [a for a, verdict, _ in submissions if verdict == "unknown" and T.SCHEDULE in a.triggers]
    if maybe or (schedules and unresolved):
        action = (maybe or unresolved)[0]
        return unknown(
            f"{where_of(action)} runs on a schedule or creates a schedule, but its file is only known at run "
            "time",
            refs(action_ref(a) for a in maybe + unresolved),
        )
    trained = [a for a, verdict, _ in submissions if verdict == "yes"]
    if schedules:
        path, job = schedules[0]
        found = f"the Azure ML schedule {path} runs {job}, but no CI step creates it (az ml schedule create)"
        return failed(found, refs((Location(p), f"schedule for {j}") for p, j in schedules))
    if trained:
        return failed(
            "CI submits the training pipeline only under "
            f"{trigger_names(set().union(*(a.triggers for a in trained)))}"
            " (no schedule trigger), and no Azure ML job schedule runs it",
            refs(action_ref(a) for a in trained),
        )
    return failed(
        f"no scheduled CI pipeline submits a training pipeline and no Azure ML schedule runs one; "
        f"{looked_at(repo)}"
    )


def _wait(repo: RepoEvidence, action: CiAction) -> str | None:
    """How CI waits for a submitted job, or None when it returns once the job is queued."""
    if action.kind is K.SUBMIT_JOB:
        if "--stream" in action.options:
            return "--stream"
        for other in repo.ci.of_kind(K.WAIT_JOB):
            if not other.continue_on_error and repo.ci.runs_after(other, action) and other.job == action.job:
                return f"{other.command} ({other.location})"
        return None
    module = module_of(repo, action)
    return "jobs.stream" if module is not None and module.calls_ending("jobs.stream") else None


def ci_waits_for_training_job(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    training = [a for a, verdict, _ in submissions if verdict == "yes"]
    if not training:
        if any(verdict == "unknown" for _, verdict, _ in submissions):
            return unknown(
                "CI submits a job whose file is only known at run time; cannot tell whether it is waited for"
            )
        return failed(f"no CI step submits the training pipeline, so none waits for it; {looked_at(repo)}")
    waiting: list[tuple[CiAction, str]] = []
    hidden: list[tuple[CiAction, str]] = []
    for action in training:
        how = _wait(repo, action)
        if action.continue_on_error:
            hidden.append((action, "continues on error"))
        elif how is None:
            hidden.append(
                (
                    action,
                    "returns as soon as the job is queued (no --stream, az ml job stream or jobs.stream)",
                )
            )
        else:
            waiting.append((action, f"waits with {how}"))
    if hidden:
        action, why = hidden[0]
        return failed(
            f"{where_of(action)} submits the training pipeline but {why}, so a failed job does not fail CI",
            refs(action_ref(a, why) for a, why in hidden),
        )
    action, how = waiting[0]
    return passed(
        f"{where_of(action)} submits the training pipeline and {how}",
        refs(action_ref(a, w) for a, w in waiting),
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
    submissions = _submissions(repo)
    by_event = [a for a, verdict, _ in submissions if verdict == "yes" and T.EVENT in a.triggers]
    if by_event:
        action = by_event[0]
        return passed(
            f"{where_of(action)} submits the training pipeline when an event arrives "
            "(repository_dispatch, workflow_run or a pipeline resource trigger)",
            refs(action_ref(a) for a in by_event),
        )
    events = _workspace_events(repo)
    if events:
        resource = events[0]
        return passed(
            f"Event Grid {resource.type.split('/', 1)[1]} {resource.name} listens to the Azure ML "
            "workspace's events",
            refs((r.location, f"{r.type} {r.name}") for r in events),
        )
    maybe = [a for a, verdict, _ in submissions if verdict == "unknown" and T.EVENT in a.triggers]
    if maybe:
        return unknown(
            f"{where_of(maybe[0])} runs on an event and submits a job only known at run time",
            refs(action_ref(a) for a in maybe),
        )
    trained = [a for a, verdict, _ in submissions if verdict == "yes"]
    if trained:
        return failed(
            "CI submits the training pipeline only under "
            f"{trigger_names(set().union(*(a.triggers for a in trained)))}, not on an event, and no Event "
            "Grid subscription listens to the workspace",
            refs(action_ref(a) for a in trained),
        )
    return failed(
        "no event-triggered CI pipeline submits the training pipeline and no Event Grid subscription "
        "listens to "
        f"the workspace; {looked_at(repo)}"
    )


CHECKS = (
    ci_submits_training_pipeline,
    training_is_scheduled,
    ci_waits_for_training_job,
    retraining_is_event_triggered,
)
