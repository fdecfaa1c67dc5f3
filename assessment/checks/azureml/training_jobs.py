"""Training jobs defined as code, and whether each one trains.

A job counts as *training* when it trains: the code it runs (its entry script and the project
modules that script imports) fits or trains a model, runs AutoML, or logs or saves a model
(evidence/repo/python/training.py), or the job outputs a model (`type: mlflow_model`...). A
sweep job trains when its trial does; an AutoML job trains by definition. A job whose code is
not in the repository (a registered component that no YAML of the repository defines, `code:
azureml:...`) cannot be told: its verdict is unknown, never "does not train". Evaluation-only
and data-preparation-only jobs do not train.

Jobs are read from Azure ML YAML (command, sweep, AutoML, Spark and pipeline jobs, whose steps
are followed into local components and into registered components the repository defines by
name), SDK v1 run configurations (`*.runconfig`, or YAML of that shape) and SDK v1 pipeline YAML
(whose steps' scripts are followed); jobs built with the Python SDKs are in sdk_jobs.py.

An SDK v1 step whose script cannot be found (configured outside the repository, or not in it) is
judged by its name (job_names.py): "Train Model" trains, "Evaluate Model" does not, "step1" cannot
be told. `training_jobs` lists them all; `training_verdict` answers for one YAML file (CI
checks can ask whether the file a step submits trains).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.job_names import says_it_trains
from mlops_ladder.assessment.checks.code.modules import module_index
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.jobs import (
    JobCode,
    code_of,
    component_name,
    job_code,
    model_outputs,
    pipeline_steps_of,
)
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import run_config_scripts
from mlops_ladder.assessment.evidence.repo.azureml.v1pipeline import v1_pipeline_steps
from mlops_ladder.assessment.evidence.repo.python.training import training_calls

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

YAML_JOB_KINDS = (
    AmlKind.COMMAND_JOB, AmlKind.SWEEP_JOB, AmlKind.AUTOML_JOB, AmlKind.SPARK_JOB, AmlKind.PIPELINE_JOB,
    AmlKind.RUN_CONFIG, AmlKind.V1_PIPELINE,
)
KIND_NAMES = {
    AmlKind.COMMAND_JOB: "command job",
    AmlKind.SWEEP_JOB: "sweep job",
    AmlKind.AUTOML_JOB: "AutoML job",
    AmlKind.SPARK_JOB: "Spark job",
    AmlKind.PIPELINE_JOB: "pipeline job",
    AmlKind.PIPELINE_COMPONENT: "pipeline component",
    AmlKind.COMMAND_COMPONENT: "command component",
    AmlKind.RUN_CONFIG: "SDK v1 run configuration",
    AmlKind.V1_PIPELINE: "SDK v1 pipeline YAML",
}
# SDK v1 step types that run no training script of the repository: they move data.
_DATA_STEPS = frozenset({"datatransferstep"})
_COMPONENT_KINDS = (AmlKind.COMMAND_COMPONENT, AmlKind.PIPELINE_COMPONENT)


@dataclass(frozen=True)
class Verdict:
    """Does it train? True (where shows how), False, or None (cannot tell); why says it in words."""

    trains: bool | None
    why: str
    where: Location | None = None


@dataclass(frozen=True)
class TrainingJob:
    """A job defined as code and whether it trains."""

    what: str  # "command job .aml/jobs/train.yml", "SDK v1 ScriptRunConfig"
    location: Location
    verdict: Verdict


def step_by_name(name: str | None, what: str, missing: str) -> Verdict:
    """The verdict on an SDK v1 step whose script cannot be found (*missing* says why), by its name."""
    trains = says_it_trains(name) if name else None
    why = f"{what} {missing}" if missing else what
    if trains is None:
        return Verdict(None, why)
    says = "says it trains" if trains else "says it does not train"
    return Verdict(trains, f"{why}; its name {name!r} {says}")


def combine(verdicts: list[Verdict], none_why: str) -> Verdict:
    """The first verdict that trains; else the first unknown one; else "does not train"."""
    for wanted in (True, None):
        found = next((v for v in verdicts if v.trains is wanted), None)
        if found is not None:
            return found
    return Verdict(False, none_why if not verdicts else "; ".join(dict.fromkeys(v.why for v in verdicts)))


class Trainer:
    """Answers "does this run train?" for modules, job code and YAML assets, each answer worked out once."""

    def __init__(self, repo: RepoEvidence) -> None:
        self.repo = repo
        self._modules: dict[str, Verdict] = {}
        self._assets: dict[str, Verdict] = {}

    # -- Python code -------------------------------------------------------------------------
    def module(self, path: str) -> Verdict:
        """Does the module at *path*, or a project module it imports, train?"""
        if path not in self._modules:
            self._modules[path] = self._module(path)
        return self._modules[path]

    def _module(self, path: str) -> Verdict:
        module = self.repo.python.module_at(path)
        if module is None:
            return Verdict(None, f"{path} could not be read")
        for candidate in [module, *module_index(self.repo).closure(module).values()]:
            calls = training_calls(candidate.calls)
            if calls:
                call = calls[0]
                via = "" if candidate is module else f" (through {candidate.path})"
                return Verdict(True, f"{path} trains{via}: {call.name} at line {call.line}",
                               Location(candidate.path, call.line))
        return Verdict(False, f"{path} fits, trains and saves no model")

    def first_module(self, candidates: list[str] | tuple[str, ...]) -> str | None:
        """The first candidate path that is a Python module of the repository."""
        return next((p for p in candidates if self.repo.python.module_at(p) is not None), None)

    def code(self, code: JobCode, what: str) -> Verdict:
        if code.folder is None:
            return Verdict(None, f"{what}: {code.missing}")
        entry = self.first_module(code.entry_files)
        if entry is not None:
            return self.module(entry)
        runs = f"`{code.command.strip()[:80]}`" if code.command.strip() else "no command"
        return Verdict(None, f"{what} runs {runs}, and no script it names is in {code.folder or '.'}")

    # -- YAML --------------------------------------------------------------------------------
    def asset(self, asset: AmlAsset, seen: frozenset[str] = frozenset()) -> Verdict:
        if asset.path not in self._assets:
            self._assets[asset.path] = self._asset(asset, seen | {asset.path})
        return self._assets[asset.path]

    def _asset(self, asset: AmlAsset, seen: frozenset[str]) -> Verdict:
        what = f"{KIND_NAMES.get(asset.kind, asset.kind.value)} {asset.path}"
        outputs = model_outputs(asset.data)
        if outputs:
            return Verdict(True, f"{what} outputs a model ({', '.join(outputs)})", asset.location)
        if asset.kind is AmlKind.AUTOML_JOB:
            return Verdict(True, "AutoML trains the models", asset.location)
        if asset.kind in (AmlKind.PIPELINE_JOB, AmlKind.PIPELINE_COMPONENT):
            return self._pipeline(asset, what, seen)
        if asset.kind is AmlKind.V1_PIPELINE:
            return self._v1_pipeline(asset, what)
        if asset.kind is AmlKind.RUN_CONFIG:
            scripts = run_config_scripts(asset)
            entry = self.first_module(scripts)
            if entry is not None:
                return self.module(entry)
            script = scripts[0] if scripts else "no script"
            return Verdict(None, f"{what} runs {script}, which is not in the repository")
        code = job_code(asset)
        if code is None:
            return Verdict(False, f"{what} is not a job")
        return self.code(code, what)

    def _pipeline(self, asset: AmlAsset, what: str, seen: frozenset[str]) -> Verdict:
        verdicts = []
        for step in pipeline_steps_of(asset):
            step_what = f"step {step.name} of {asset.path}"
            if step.inline is not None:
                if str(step.inline.get("type", "")).lower() == "automl" or model_outputs(step.inline):
                    verdicts.append(Verdict(True, f"{step_what} trains models", asset.location))
                else:  # an inline command, or a sweep step: the code its trial runs
                    trial = step.inline.get("trial")
                    node = trial if isinstance(trial, dict) else step.inline
                    verdicts.append(self.code(code_of(asset.path, node), step_what))
                continue
            target = self._component(step.component or "")
            if target is None:
                why = f"{step_what} uses {step.component}, which no YAML of the repository defines"
                verdicts.append(Verdict(None, why))
            elif target.path in seen:
                continue
            else:
                verdicts.append(self.asset(target, seen))
        return combine(verdicts, f"{what} has no steps")

    def _v1_pipeline(self, asset: AmlAsset, what: str) -> Verdict:
        verdicts = []
        for step in v1_pipeline_steps(asset):
            step_what = f"step {step.name} ({step.type or 'no type'}) of {asset.path}"
            entry = self.first_module(step.scripts)
            if entry is not None:
                verdicts.append(self.module(entry))
            elif step.type.lower() in _DATA_STEPS:
                verdicts.append(Verdict(False, f"{step_what} moves data"))
            else:
                missing = f"runs {step.script}, which is not in the repository" if step.script else (
                    "runs no script of the repository")
                verdicts.append(step_by_name(step.name, step_what, missing))
        return combine(verdicts, f"{what} has no steps")

    def _component(self, reference: str) -> AmlAsset | None:
        """The repository's YAML for a step's component: a local file, or a registered component
        (`azureml:train@latest`, a registry URI) that a component YAML of the repository names."""
        local = self.repo.azureml.at(reference)
        if local is not None:
            return local
        name = component_name(reference)
        if name is None:
            return None
        return next((a for a in self.repo.azureml.of_kind(*_COMPONENT_KINDS) if a.name == name), None)


def yaml_training_jobs(repo: RepoEvidence, trainer: Trainer) -> list[TrainingJob]:
    """Every job YAML and run configuration of the repository with its verdict."""
    return [
        TrainingJob(f"{KIND_NAMES[a.kind]} {a.path}", a.location, trainer.asset(a))
        for a in repo.azureml.of_kind(*YAML_JOB_KINDS)
    ]


def training_verdict(repo: RepoEvidence, path: str, trainer: Trainer | None = None) -> Verdict | None:
    """Does the job YAML (or run configuration) at *path* train? None when *path* is not a job of the
    repository. For CI checks that ask whether the file a step submits is a training job (*trainer*:
    one shared by their questions)."""
    asset = repo.azureml.at(path)
    if asset is None or asset.kind not in YAML_JOB_KINDS:
        return None
    return (trainer or Trainer(repo)).asset(asset)
