"""Checks that training is a job or pipeline defined as code (training_jobs.py: Azure ML YAML and SDK
v1 run configurations; sdk_jobs.py: the Python SDKs) and that training jobs read versioned data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.common import listed, looked_at, set_values
from mlops_ladder.assessment.checks.azureml.sdk_jobs import sdk_training_jobs
from mlops_ladder.assessment.checks.azureml.training_jobs import Trainer, TrainingJob, yaml_training_jobs
from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.text import name_list, plural
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.jobs import job_data_inputs
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import run_config_data
from mlops_ladder.assessment.evidence.repo.azureml.v1pipeline import v1_pipeline_data
from mlops_ladder.assessment.evidence.repo.azureml.values import parse_asset_ref
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence


def training_jobs(repo: RepoEvidence) -> list[TrainingJob]:
    """Every job defined as code (YAML, run configurations, SDK code) with whether it trains."""
    trainer = Trainer(repo)
    return yaml_training_jobs(repo, trainer) + sdk_training_jobs(repo, trainer)


def defines_training_pipeline(repo: RepoEvidence) -> CheckResult:
    """Is training a job or pipeline defined as code (a YAML job, a run configuration or SDK code) that
    trains a model?"""
    jobs = training_jobs(repo)
    training = [j for j in jobs if j.verdict.trains]
    if training:
        job = training[0]
        found = f"{job.what} trains: {job.verdict.why}"
        if len(training) > 1:
            found += f"; {plural(len(training) - 1, 'more training job')}"
        return passed(found, refs((j.verdict.where or j.location, j.what) for j in training))
    undecided = [j for j in jobs if j.verdict.trains is None]
    if undecided:
        return unknown(
            "cannot tell whether the jobs defined as code train: "
            + "; ".join(j.verdict.why for j in undecided[:3]),
            refs((j.location, j.verdict.why) for j in undecided),
        )
    if jobs:
        return failed(
            f"{plural(len(jobs), 'job')} defined as code, but none trains a model: "
            + "; ".join(j.verdict.why for j in jobs[:3]),
            refs((j.location, j.verdict.why) for j in jobs),
        )
    return failed(
        "no training job defined as code (Azure ML command, sweep or pipeline job YAML, an SDK v1 run "
        f"configuration, azure-ai-ml command() or @dsl.pipeline, SDK v1 ScriptRunConfig or pipeline steps); "
        f"{looked_at(repo)} and {plural(len(repo.python.code_modules), 'Python module')}"
    )


_DATA_JOB_KINDS = (AmlKind.COMMAND_JOB, AmlKind.SWEEP_JOB, AmlKind.AUTOML_JOB, AmlKind.PIPELINE_JOB)


def pipeline_uses_versioned_data(repo: RepoEvidence) -> CheckResult:
    """Do training jobs read data assets by explicit version (azureml:<name>:<version>, or a run
    configuration's dataset with a version)? An SDK v1 pipeline YAML names its datasets without one."""
    jobs = repo.azureml.of_kind(*_DATA_JOB_KINDS)
    run_configs = repo.azureml.of_kind(AmlKind.RUN_CONFIG, AmlKind.V1_PIPELINE)
    if not jobs and not run_configs:
        return not_applicable(f"no job YAML or run configuration; {looked_at(repo)}")
    pinned, unpinned, by_path = [], [], []
    for job in jobs:
        for data_input in job_data_inputs(job):
            if data_input.asset is None:
                by_path.append((Location(job.path, data_input.line), data_input.name, data_input.path))
                continue
            for value, where, how in _input_values(repo, job, data_input.name, data_input.path,
                                                   Location(job.path, data_input.line)):
                ref = parse_asset_ref(value)
                entry = (job, data_input.name, str(value), where, how)
                (pinned if ref is not None and ref.is_pinned else unpinned).append(entry)
    for pipeline in repo.azureml.of_kind(AmlKind.V1_PIPELINE):
        for reference in v1_pipeline_data(pipeline):  # this YAML names datasets without a version
            where = Location(pipeline.path, reference.line)
            name = f"data_references.{reference.name}"
            if reference.dataset is None:
                by_path.append((where, name, f"datastore {reference.datastore}"))
            else:
                unpinned.append((pipeline, name, f"dataset {reference.dataset}", where, "as written"))
    for config in repo.azureml.of_kind(AmlKind.RUN_CONFIG):
        for data in run_config_data(config):
            where = Location(config.path, data.line)
            if data.dataset is None:
                by_path.append((where, f"data.{data.name}", f"datastore {data.datastore}"))
                continue
            value = f"dataset {data.dataset}" + (f" version {data.version}" if data.version else "")
            is_pinned = data.version is not None and data.version.lower() != "latest"
            entry = (config, f"data.{data.name}", value, where, "as written")
            (pinned if is_pinned else unpinned).append(entry)
    if unpinned:
        return failed(
            "training jobs read data assets without a version: "
            + name_list(f"{name} = {value} in {job.path}" for job, name, value, _, _ in unpinned),
            refs((where, f"{name}: {value}") for _, name, value, where, _ in unpinned),
        )
    if pinned:
        return passed(
            "training jobs read versioned data assets: "
            + name_list(f"{name} = {value}" for _, name, value, _, _ in pinned),
            refs((where, f"{name}: {value} ({how})") for _, name, value, where, how in pinned),
        )
    if by_path:
        return unknown(
            "jobs read data by path, not through data assets, so the data version cannot be told: "
            + listed(f"{name} = {path}" for _, name, path in by_path),
            refs((where, path) for where, _, path in by_path),
        )
    return unknown(
        "no job declares a data input with a path: " + listed(a.path for a in [*jobs, *run_configs]),
        refs((a.location, a.kind.value.replace("_", " ")) for a in [*jobs, *run_configs]),
    )


def _input_values(
    repo: RepoEvidence, job: AmlAsset, name: str, path: str, where: Location
) -> list[tuple[str, Location, str]]:
    """The data path an input has at each CI submission (`--set inputs.x.path=...`), or as written."""
    actions = repo.ci.using_file(job.path, ActionKind.SUBMIT_JOB)
    values = []
    for action in actions:
        override = set_values(action).get(f"{name}.path")
        if override is not None:
            values.append((override, action.location, f"set by CI in {action.pipeline}"))
        else:
            values.append((path, where, "as written"))
    return values or [(path, where, "as written")]


CHECKS = (
    defines_training_pipeline,
    pipeline_uses_versioned_data,
)
