"""What CI submits to Azure ML, and whether it is training: the verdict behind MLL-205, 206, 207 and 407.

A CI action submits training when it
* submits a job YAML of this repository that trains: a pipeline job or SDK v1 pipeline YAML (unless
  every step is read and none trains: a data ingestion pipeline), a sweep job, or a command job that
  is not clearly an evaluation or data-only job (its names and command say evaluate, score, prepare,
  register... and nothing says train, and it outputs no model); an SDK v1 run configuration
  (`*.runconfig` or YAML of that shape) by the same words, or a Python file that builds one (the
  Azure/aml-run action);
* runs a Python script of this repository that submits with azure-ai-ml (`jobs.create_or_update`
  of a @dsl.pipeline, a `command(...)` job or a job YAML it loads) or with SDK v1 (`submit` of an
  Experiment, a Pipeline or a PublishedPipeline built from training steps: ScriptRunConfig,
  PythonScriptStep, Estimator, AutoML, HyperDrive), following the repository modules it imports;
* publishes a training pipeline (SDK v1 `publish`, a known template) that CI also runs
  (`az ml run submit-pipeline --pipeline-id`, the published-pipeline REST task), or runs one that CI
  publishes.

UNKNOWN when the submitted file is named only at run time, a published pipeline is defined
elsewhere, or a reusable workflow or template of another repository could submit it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.job_names import other_word, says_it_trains
from mlops_ladder.assessment.checks.azureml.training_jobs import Trainer, training_verdict
from mlops_ladder.assessment.checks.ci.common import K, calls_in, module_of, reachable_modules, where_of
from mlops_ladder.assessment.evidence.repo.azureml.jobs import pipeline_steps_of
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1pipeline import v1_pipeline_steps
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction, RemoteCall

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

YES, NO, UNKNOWN = "yes", "no", "unknown"

_MODEL_OUTPUTS = frozenset({"mlflow_model", "custom_model", "triton_model"})
SDK2_SUBMIT = ("jobs.create_or_update",)
SDK1_TRAINING = (
    "ScriptRunConfig",
    "Estimator",
    "PythonScriptStep",
    "EstimatorStep",
    "AutoMLConfig",
    "AutoMLStep",
    "HyperDriveConfig",
    "HyperDriveStep",
    "CommandStep",
)
SDK1_PUBLISHED = (
    "PublishedPipeline.get",
    "PipelineEndpoint.get",
    "PublishedPipeline.submit",
    "PipelineEndpoint.submit",
)


@dataclass(frozen=True)
class Submission:
    action: CiAction
    verdict: str  # YES | NO | UNKNOWN
    why: str


def submissions(repo: RepoEvidence) -> list[Submission]:
    """Every CI action that submits (or publishes and runs) an Azure ML job, with its verdict."""
    return repo.python.derived("ci.submissions", lambda _python: _collect(repo))  # asked by four checks


def _collect(repo: RepoEvidence) -> list[Submission]:
    found = []
    trainer = Trainer(repo)  # one for every submitted file: the modules and components they share
    for action in repo.ci.of_kind(K.SUBMIT_JOB, K.RUN_PYTHON, K.PUBLISH_PIPELINE, K.RUN_PUBLISHED_PIPELINE):
        verdict = _verdict(repo, action, trainer)
        if verdict is not None:
            found.append(Submission(action, *verdict))
    return found


def training(repo: RepoEvidence) -> list[Submission]:
    return [s for s in submissions(repo) if s.verdict == YES]


def remote_submitters(repo: RepoEvidence) -> list[RemoteCall]:
    """Calls of unknown workflows or templates of other repositories: any of them could submit."""
    return repo.ci.unknown_remote_calls()


def _verdict(repo: RepoEvidence, action: CiAction, trainer: Trainer) -> tuple[str, str] | None:
    if action.kind is K.RUN_PYTHON:
        return _script_verdict(repo, action)
    if action.kind is K.PUBLISH_PIPELINE:
        return _publication_verdict(repo, action)
    if action.kind is K.RUN_PUBLISHED_PIPELINE:
        return _published_run_verdict(repo, action)
    if action.target_kind == "training-pipeline":
        return YES, "submits the training pipeline the template builds from this repository's code"
    if not action.files:
        return NO, "no job file given"
    return job_file_verdict(repo, action.files[0], trainer)


def job_file_verdict(repo: RepoEvidence, target: str, trainer: Trainer | None = None) -> tuple[str, str]:
    """Does submitting the file *target* run training? (*trainer*: answers shared with other files.)"""
    if is_unresolved(target):
        return UNKNOWN, f"{target} is only known at run time"
    if target.endswith(".runconfig"):
        if not repo.files.exists(target):
            return NO, f"{target} does not exist"
        return _by_words(posixpath.basename(target), f"the CLI v1 run configuration {target}")
    asset = repo.azureml.at(target)
    if asset is None and target.endswith(".py") and repo.files.exists(target):
        return _run_config_code_verdict(repo, target)
    if asset is None:
        missing = "does not exist" if not repo.files.exists(target) else "is not an Azure ML job"
        return NO, f"{target} {missing}"
    if asset.kind is AmlKind.RUN_CONFIG:
        script = asset.data.get("script")
        words = f"{posixpath.basename(target)} {script if isinstance(script, str) else ''}"
        return _by_words(words, f"the SDK v1 run configuration {target}")
    if asset.kind in (AmlKind.V1_PIPELINE, AmlKind.PIPELINE_JOB) and _has_steps(asset):
        # A pipeline trains unless its steps are all read and none trains (a data ingestion pipeline)
        verdict = training_verdict(repo, target, trainer)
        if verdict is not None and verdict.trains is False:
            return NO, f"the pipeline {target} trains nothing: {verdict.why}"
    if asset.kind is AmlKind.V1_PIPELINE:
        return YES, f"submits the SDK v1 pipeline YAML {target}"
    return job_verdict(asset)


def _has_steps(asset: AmlAsset) -> bool:
    steps = v1_pipeline_steps(asset) if asset.kind is AmlKind.V1_PIPELINE else pipeline_steps_of(asset)
    return bool(steps)


def _run_config_code_verdict(repo: RepoEvidence, path: str) -> tuple[str, str]:
    """A Python file whose function returns the run configuration to submit (the Azure/aml-run action's
    `runconfig_python_file`): training when it builds a training run or pipeline with the SDK v1."""
    module = repo.python.module_at(path)
    if module is not None and calls_in(reachable_modules(repo, module), *SDK1_TRAINING):
        return YES, f"submits the run configuration {path} builds with the SDK v1"
    return UNKNOWN, f"{path} builds the run configuration in a way that cannot be read"


def job_verdict(asset: AmlAsset) -> tuple[str, str]:
    """Does the job *asset* train? Pipeline and sweep jobs do; a command job does unless it is clearly an
    evaluation or data-only job."""
    kind = asset.kind.value.replace("_", " ")
    if asset.kind in (AmlKind.PIPELINE_JOB, AmlKind.SWEEP_JOB):
        return YES, f"submits the {kind} {asset.path}"
    if asset.kind not in (AmlKind.COMMAND_JOB, AmlKind.SPARK_JOB):
        return NO, f"{asset.path} is a {kind}, not a job"
    outputs = asset.data.get("outputs")
    types = (
        {str(o.get("type", "")).lower() for o in outputs.values() if isinstance(o, dict)}
        if isinstance(outputs, dict)
        else set()
    )
    if types & _MODEL_OUTPUTS:
        return YES, f"submits the {kind} {asset.path}, which outputs a model"
    names = " ".join(
        str(asset.data.get(key, "")) for key in ("name", "display_name", "experiment_name", "description")
    )
    words = f"{posixpath.basename(asset.path)} {names} {_program(str(asset.data.get('command', '')))}"
    return _by_words(words, f"the {kind} {asset.path}")


def _program(command: str) -> str:
    """What a job's command runs, without its options and their values (`--train_data ${{...}}` says
    nothing about what the job does)."""
    kept, skip = [], False
    for word in command.split():
        if word.startswith("-") and word not in ("-m", "-c"):
            skip = "=" not in word
            continue
        if skip or "${{" in word or "}}" in word:
            skip = False
            continue
        kept.append(word)
    return " ".join(kept)


def _by_words(text: str, what: str) -> tuple[str, str]:
    if says_it_trains(text) is not False:
        return YES, f"submits {what}"
    return NO, f"{what} is an evaluation or data job ({other_word(text)!r}, nothing says it trains)"


# -- Python scripts ------------------------------------------------------------------------------


def _script_verdict(repo: RepoEvidence, action: CiAction) -> tuple[str, str] | None:
    if action.files and is_unresolved(action.files[0]):
        return UNKNOWN, f"{action.files[0]} is only known at run time"
    module = module_of(repo, action)
    if module is None:
        return None
    modules = reachable_modules(repo, module)
    script = module.path
    if calls_in(modules, *SDK2_SUBMIT):
        return _sdk2_verdict(repo, action, modules, script)
    sdk1 = [m for m in modules if m.imports_any("azureml.core", "azureml.pipeline", "azureml.train")]
    if sdk1 and calls_in(sdk1, "submit"):
        if calls_in(sdk1, *SDK1_TRAINING):
            return YES, f"{script} submits a training run or pipeline with the Azure ML SDK v1"
        if calls_in(sdk1, *SDK1_PUBLISHED):
            return YES, f"{script} submits a published pipeline with the Azure ML SDK v1"
        return UNKNOWN, f"{script} submits an SDK v1 run whose configuration is built elsewhere"
    if sdk1 and calls_in(sdk1, "publish", "publish_pipeline") and calls_in(sdk1, *SDK1_TRAINING):
        return _publication_verdict(repo, action)
    return None


def _sdk2_verdict(
    repo: RepoEvidence, action: CiAction, modules: list[PythonModule], script: str
) -> tuple[str, str]:
    if calls_in(modules, "dsl.pipeline"):
        return YES, f"{script} submits a pipeline built with @dsl.pipeline"
    if calls_in(modules, "ai.ml.command", "ai.ml.sweep") or calls_in(modules, ".sweep"):
        return YES, f"{script} submits a command or sweep job built with azure-ai-ml"
    for path in _job_files_named(repo, modules, action):
        verdict, why = job_file_verdict(repo, path)
        if verdict != NO:
            return verdict, f"{script} {why}"
    if any(is_unresolved(value) for value in action.options.values()):
        return UNKNOWN, f"{script} submits a job whose definition is passed at run time"
    return UNKNOWN, f"{script} submits a job built elsewhere: cannot tell whether it trains"


def _job_files_named(repo: RepoEvidence, modules: list[PythonModule], action: CiAction) -> list[str]:
    """Azure ML job files the script names: string arguments of its calls, or files passed to it."""
    found = [path for path in action.files[1:] if repo.azureml.at(path) is not None]
    folders = dict.fromkeys(("", posixpath.dirname(modules[0].path), action.working_directory))
    for module in modules:
        for call in module.calls:
            for text in call.string_args:
                if text.endswith((".yml", ".yaml")):
                    for folder in folders:
                        path = posixpath.normpath(posixpath.join(folder, text))
                        if repo.azureml.at(path) is not None:
                            found.append(path)
    return list(dict.fromkeys(found))


# -- published pipelines ---------------------------------------------------------------------------


def publishes(repo: RepoEvidence, action: CiAction) -> bool:
    """A script CI runs that publishes an SDK v1 pipeline (and does not submit it)."""
    module = module_of(repo, action)
    modules = reachable_modules(repo, module) if module else []
    return bool(calls_in(modules, "publish", "publish_pipeline")) and not calls_in(modules, "submit")


def _publishes_training(repo: RepoEvidence, action: CiAction) -> bool:
    if action.target_kind == "training-pipeline":
        return True
    if action.kind is K.PUBLISH_PIPELINE:
        return bool(action.files) and not is_unresolved(action.files[0])
    module = module_of(repo, action)
    return module is not None and bool(calls_in(reachable_modules(repo, module), *SDK1_TRAINING))


def _publications(repo: RepoEvidence) -> list[CiAction]:
    scripts = []
    for action in repo.ci.of_kind(K.RUN_PYTHON):
        module = module_of(repo, action)
        if module is not None and calls_in(reachable_modules(repo, module), "publish", "publish_pipeline"):
            scripts.append(action)
    return [a for a in repo.ci.of_kind(K.PUBLISH_PIPELINE) + scripts if _publishes_training(repo, a)]


def _publication_verdict(repo: RepoEvidence, action: CiAction) -> tuple[str, str]:
    what = action.files[0] if action.files else "a training pipeline"
    if not _publishes_training(repo, action):
        return NO, f"publishes {what}, which is not a training pipeline"
    runs = repo.ci.of_kind(K.RUN_PUBLISHED_PIPELINE)
    if runs:
        return YES, f"publishes {what}, which {where_of(runs[0])} runs"
    return NO, f"publishes {what}, but no CI step runs the published pipeline"


def _published_run_verdict(repo: RepoEvidence, action: CiAction) -> tuple[str, str]:
    published = _publications(repo)
    if published:
        return YES, f"runs the training pipeline that {where_of(published[0])} publishes"
    return UNKNOWN, "runs a published pipeline defined outside this repository's CI"
