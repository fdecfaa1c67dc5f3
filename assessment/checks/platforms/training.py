"""Checks of levels 1 and 2 on other ML platforms, one per core capability, in their own idioms.

They read the platform facts (evidence/repo/platforms/), the CI actions and the Python facts:
DVC pipelines and remotes, Databricks bundle jobs, SageMaker and Kubeflow / Vertex AI pipelines,
and plain Python training that CI runs itself (`python -m src.train`, `dvc repro`). Whether a
job really trains is asked of the Python facts: its code (with the repository modules it
imports) fits a model and keeps it (saved, logged or registered). alternatives.py composes each
check with its Azure ML counterpart; the release checks are in release.py, the
monitoring checks in monitoring.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.platforms.wiring import wired_schedule
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction
from mlops_ladder.assessment.evidence.repo.platforms import sagemaker, vertex
from mlops_ladder.assessment.evidence.repo.platforms.code import closure, model_outputs, training_calls
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    FactKind,
    Platform,
    PlatformFact,
    PlatformJob,
)

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

K = ActionKind
F = FactKind
Verdict = tuple[str, str]  # ("yes" | "no" | "unknown", why)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _names(items: Iterable[str], limit: int = 3) -> str:
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def where(action: CiAction) -> str:
    return f"{action.pipeline} (job {action.job})"


def looked_at(repo: RepoEvidence) -> str:
    platforms = repo.platforms.platforms
    found = (
        f"platforms: {_names(p.value for p in platforms)}"
        if platforms
        else "no DVC, Databricks, SageMaker or Vertex AI project files"
    )
    pipelines = [p for p in repo.ci.pipelines if not p.is_template]
    return f"{found}; {_plural(len(pipelines), 'CI pipeline')}"


def fact_refs(facts: Iterable[PlatformFact]) -> tuple:
    return refs((f.location, f"{f.platform.value}: {f.detail}") for f in facts)


def _facts_result(repo: RepoEvidence, kind: FactKind, what: str, missing: str) -> CheckResult:
    facts = repo.platforms.of_kind(kind)
    if facts:
        first = facts[0]
        more = f" ({_plural(len(facts) - 1, 'more place')})" if len(facts) > 1 else ""
        return passed(f"{first.platform.value}: {first.detail} at {first.location}{more}", fact_refs(facts))
    return failed(f"no {what} on another ML platform ({missing}); {looked_at(repo)}")


# -- does this code train? -------------------------------------------------------------------------


def trains(repo: RepoEvidence, paths: Iterable[str]) -> Verdict:
    """Whether the code at *paths* (with the modules it imports) fits a model and keeps it."""
    paths = [p for p in paths if p]
    if not paths:
        return "no", "it runs no file of this repository"
    modules = closure(repo.python, paths)
    fits, keeps = training_calls(modules), model_outputs(modules)
    if fits and keeps:
        (module, fit), (kept_in, keep) = fits[0], keeps[0]
        return (
            "yes",
            f"{module.path}:{fit.line} trains ({fit.name}) and {kept_in.path}:{keep.line} keeps the model",
        )
    unread = sorted({n.path for n in repo.files.notes} & set(paths))
    if unread:
        return "unknown", f"{_names(unread)} could not be read ({_note(repo, unread[0])})"
    if fits:
        module, fit = fits[0]
        return (
            "no",
            f"{module.path}:{fit.line} fits a model ({fit.name}) but never saves, logs or registers it",
        )
    return (
        "no",
        f"{_names(paths)} fits no model (no fit, train or backward call in it or the modules it imports)",
    )


def _note(repo: RepoEvidence, path: str) -> str:
    return next((n.reason for n in repo.files.notes if n.path == path), "not read")


def job_trains(repo: RepoEvidence, job: PlatformJob) -> Verdict:
    if job.platform is Platform.SAGEMAKER:
        module = repo.python.module_at(job.definition)
        steps = module.calls_ending(*sagemaker.TRAINING_CALLS) if module else []
        if steps:
            return "yes", f"{job.definition}:{steps[0].line} {steps[0].name.rpartition('.')[2]}"
        return "no", f"the pipeline in {job.definition} has no training step"
    if job.platform is Platform.VERTEX:
        modules = closure(repo.python, job.code or (job.definition,))
        jobs = [(m, c) for m in modules for c in m.calls_ending(*vertex.TRAINING_CALLS)]
        if jobs:
            module, call = jobs[0]
            return "yes", f"its component {module.path}:{call.line} runs {call.name.rpartition('.')[2]}"
        return trains(repo, job.code)
    return trains(repo, job.code)


def training_jobs(repo: RepoEvidence) -> list[tuple[PlatformJob, str, str]]:
    """(job, verdict, why) for every platform job; computed once per assessment."""
    return repo.python.derived(
        "platforms.training_jobs", lambda _: [(j, *job_trains(repo, j)) for j in repo.platforms.jobs]
    )


def _bundle_jobs(repo: RepoEvidence, config: str) -> list[tuple[PlatformJob, str, str]]:
    return [(j, v, why) for j, v, why in training_jobs(repo) if j.bundle == config]


def ci_training(repo: RepoEvidence) -> list[tuple[CiAction, str, str]]:
    """(action, verdict, why) for every CI step that may run training: a script, dvc repro, a bundle
    job, a bundle deploy that schedules a training job, a script that starts a platform pipeline."""
    found = []
    jobs = training_jobs(repo)
    kinds = (K.RUN_PYTHON, K.RUN_DVC_PIPELINE, K.RUN_BUNDLE_JOB, K.DEPLOY_BUNDLE, K.START_PLATFORM_JOB)
    for action in repo.ci.of_kind(*kinds):
        if action.kind is K.RUN_PYTHON:
            verdict = _script_trains(repo, action, jobs)
        elif action.kind is K.RUN_DVC_PIPELINE:
            verdict = _dvc_trains(repo, action, jobs)
        elif action.kind is K.START_PLATFORM_JOB:
            verdict = _start_trains(action, jobs)
        else:
            verdict = _bundle_trains(repo, action)
        if verdict:
            found.append((action, *verdict))
    return found


def _script_trains(repo: RepoEvidence, action: CiAction, jobs: list) -> Verdict | None:
    verdict = trains(repo, action.files[:1])
    if verdict[0] == "yes":
        return "yes", f"runs {action.files[0]}: {verdict[1]}"
    modules = {m.path for m in closure(repo.python, action.files)}
    starts = [f for f in repo.platforms.of_kind(F.SUBMISSION) if f.location.path in modules]
    pipelines = [
        (j, v, why) for j, v, why in jobs if j.definition in modules and j.platform is not Platform.DVC
    ]
    if starts and any(v == "yes" for _, v, _ in pipelines):
        job = next(j for j, v, _ in pipelines if v == "yes")
        return (
            "yes",
            f"runs {action.files[0]}, which starts the {job.platform.value} pipeline of {job.definition}",
        )
    # A script that submits a compiled pipeline by its file (template_path="training.json") names no
    # module: it counts when the repository defines a training pipeline on that platform.
    compiled = [j for j, v, _ in jobs if v == "yes" and j.platform in {f.platform for f in starts}]
    if compiled:
        return (
            "yes",
            f"runs {action.files[0]}, which submits {compiled[0].platform.value} pipelines; the repository's "
            f"training pipeline is {compiled[0].definition}",
        )
    if verdict[0] == "unknown":
        return "unknown", f"runs {action.files[0]}, but {verdict[1]}"
    return None  # a script that does not train: not a training step, nothing to report


def _dvc_trains(repo: RepoEvidence, action: CiAction, jobs: list) -> Verdict:
    pipelines = [
        (j, v, why) for j, v, why in jobs if j.platform is Platform.DVC and j.definition in action.files
    ]
    for job, verdict, why in pipelines:
        if verdict == "yes":
            return "yes", f"runs {action.command} of {job.definition}, whose stages train: {why}"
    if pipelines:
        job, verdict, why = pipelines[0]
        return verdict, f"runs {job.definition}, but {why}"
    return (
        "no",
        f"runs `{action.command}`, but {_names(action.files) or 'its dvc.yaml'} is not a pipeline here",
    )


_STARTED_BY = {"aws": Platform.SAGEMAKER, "gcloud": Platform.VERTEX, "databricks": Platform.DATABRICKS}


def _start_trains(action: CiAction, jobs: list) -> Verdict:
    """`aws sagemaker start-pipeline-execution --pipeline-name X` and the like name the job only by a
    name given at run time: it counts when the repository defines a training job on that platform."""
    platform = _STARTED_BY.get(action.command.split(" ", 1)[0])
    trained = [j for j, v, _ in jobs if v == "yes" and j.platform is platform]
    if trained:
        return (
            "yes",
            f"starts a {platform.value} run (`{action.command}`); the repository's training job is "
            f"{trained[0].name}",
        )
    return (
        "unknown",
        f"starts a job by name (`{action.command}`), which no training job of the repository defines",
    )


def _bundle_trains(repo: RepoEvidence, action: CiAction) -> Verdict | None:
    config = action.files[0] if action.files else ""
    jobs = _bundle_jobs(repo, config)
    if action.kind is K.RUN_BUNDLE_JOB:
        key = action.options.get("job", "")
        named = [(j, v, why) for j, v, why in jobs if j.name == key]
        if not named:
            return (
                "unknown",
                f"runs the job {key}, which is not declared in the bundle {config or '(not found)'}",
            )
        job, verdict, why = named[0]
        return verdict, f"runs the bundle job {key} ({job.definition}): {why}"
    scheduled = [(j, why) for j, v, why in jobs if v == "yes" and j.schedule]
    if scheduled:
        job, why = scheduled[0]
        return (
            "yes",
            f"deploys the bundle {config}, whose job {job.name} trains on its {job.schedule} ({why})",
        )
    return None


# -- the checks --------------------------------------------------------------------------------------


def platform_declares_data_sources(repo: RepoEvidence) -> CheckResult:
    """Is the training data's source declared: a DVC remote, a table or bucket named in job config or code?"""
    return _facts_result(
        repo,
        F.DATA_SOURCE,
        "declared data source",
        "DVC data with a remote, tables or storage paths in job parameters, S3 / GCS / BigQuery sources",
    )


def platform_defines_training_job(repo: RepoEvidence) -> CheckResult:
    """Is training a job or pipeline defined as code (dvc.yaml, a bundle job, a SageMaker or KFP pipeline,
    or a training script that CI runs)?"""
    jobs = training_jobs(repo)
    runs = ci_training(repo)
    good = [(j.location, f"{j.platform.value} {j.name}: {why}") for j, v, why in jobs if v == "yes"]
    good += [(a.location, f"{where(a)} {why}") for a, v, why in runs if v == "yes"]
    if good:
        location, detail = good[0]
        return passed(f"{detail} ({location})", refs(good))
    maybe = [(j.location, why) for j, v, why in jobs if v == "unknown"]
    maybe += [(a.location, why) for a, v, why in runs if v == "unknown"]
    if maybe:
        return unknown(f"cannot tell whether the job trains: {maybe[0][1]}", refs(maybe))
    if jobs or runs:
        reasons = [(j.location, f"{j.platform.value} {j.name}: {why}") for j, _, why in jobs]
        reasons += [(a.location, f"{where(a)}: {why}") for a, _, why in runs]
        return failed(
            "jobs are defined, but none trains a model: " + "; ".join(r for _, r in reasons[:3]),
            refs(reasons),
        )
    return failed(f"no training job on another platform and no CI step that runs training; {looked_at(repo)}")


def platform_defines_training_environment(repo: RepoEvidence) -> CheckResult:
    """Is the environment of the training defined as code: the job's cluster or image, or the
    dependencies the CI job installs from the project's files before it trains?"""
    good: list[tuple[Location, str]] = []
    for job, verdict, _ in training_jobs(repo):
        if verdict != "yes":
            continue
        modules = set(job.code) | {job.definition}
        envs = [f for f in repo.platforms.of_kind(F.ENVIRONMENT) if f.location.path in modules]
        if job.environment:
            good.append((job.location, f"{job.platform.value} job {job.name} runs on {job.environment}"))
        elif envs:
            good.append((envs[0].location, f"{job.platform.value} {job.name}: {envs[0].detail}"))
    # Only where CI itself trains: a script that trains, dvc repro (not a script that starts a platform job).
    trained = [
        (a, why)
        for a, v, why in ci_training(repo)
        if v == "yes" and (a.kind is K.RUN_DVC_PIPELINE or trains(repo, a.files[:1])[0] == "yes")
    ]
    installs = repo.ci.of_kind(K.INSTALL_DEPENDENCIES)
    bare = []
    for action, _ in trained:
        before = [
            i
            for i in installs
            if repo.ci.runs_after(action, i) and any(repo.files.exists(f) for f in i.files)
        ]
        if before:
            good.append(
                (before[0].location, f"{where(action)} installs {_names(before[0].files)} before it trains")
            )
        else:
            bare.append(action)
    if good:
        location, detail = good[0]
        return passed(f"{detail} ({location})", refs(good))
    if bare:
        return failed(
            f"{where(bare[0])} trains, but installs no dependencies from the project's files before it "
            "(pip install -r, uv sync, poetry install, conda env create -f)",
            refs((a.location, "training without a declared environment") for a in bare),
        )
    return failed(
        f"no training job defines its environment (cluster runtime, image, base image); {looked_at(repo)}"
    )


def platform_tracks_runs(repo: RepoEvidence) -> CheckResult:
    """Does the platform track training metrics (DVC metrics, SageMaker metric definitions or evaluation
    reports, KFP Metrics or Vertex model evaluations)?"""
    return _facts_result(
        repo,
        F.TRACKING,
        "tracked training metrics",
        "DVC metrics or plots, SageMaker metric definitions or PropertyFile, KFP Metrics, model evaluations",
    )


def platform_registers_models(repo: RepoEvidence) -> CheckResult:
    """Is the model registered from code in the platform's registry (SageMaker model packages, Vertex
    Model Registry)?"""
    return _facts_result(
        repo,
        F.REGISTRATION,
        "model registration",
        "SageMaker RegisterModel or model.register, Vertex Model.upload or a training job that uploads "
        "its model",
    )


def platform_submits_training(repo: RepoEvidence) -> CheckResult:
    """Is training started by automation: a CI step that runs it (a training script, dvc repro, a bundle
    job, a script that starts the platform's pipeline, a bundle deploy that schedules it) or a schedule
    declared as code that starts the training pipeline?"""
    runs = ci_training(repo)
    yes = [(a, why) for a, v, why in runs if v == "yes"]
    if yes:
        action, why = yes[0]
        triggers = (
            ", ".join(sorted(str(t) for t in action.triggers | action.possible_triggers)) or "no trigger"
        )
        return passed(f"{where(action)} {why} ({triggers})", refs((a.location, why) for a, why in yes))
    wired = wired_schedule(repo)
    trained = [
        j for j, v, _ in training_jobs(repo) if v == "yes" and wired and j.platform is wired[0].platform
    ]
    if wired and trained:
        schedule, applying = wired
        return passed(
            f"{schedule.detail} ({schedule.location}), applied by {where(applying)}; it starts the "
            f"pipelines of the repository, among them the training pipeline {trained[0].definition}",
            fact_refs([schedule]),
        )
    maybe = [(a, why) for a, v, why in runs if v == "unknown"]
    if maybe:
        action, why = maybe[0]
        return unknown(f"{where(action)} {why}", refs((a.location, why) for a, why in maybe))
    pulls = repo.ci.of_kind(K.PULL_DATA)
    if pulls:
        return failed(
            f"{where(pulls[0])} only downloads data (`{pulls[0].command}`); no CI step runs the training "
            "(python train.py, dvc repro, a bundle job, a pipeline start)",
            refs((a.location, a.command) for a in pulls),
        )
    if runs:
        return failed(
            "CI runs jobs, but none trains: " + "; ".join(f"{where(a)}: {why}" for a, _, why in runs[:3]),
            refs((a.location, why) for a, _, why in runs),
        )
    return failed(f"no CI step or declared schedule starts training on another platform; {looked_at(repo)}")


CHECKS = (
    platform_declares_data_sources,
    platform_defines_training_job,
    platform_defines_training_environment,
    platform_tracks_runs,
    platform_registers_models,
    platform_submits_training,
)
