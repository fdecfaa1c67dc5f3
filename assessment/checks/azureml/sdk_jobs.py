"""Training jobs built with the Azure ML Python SDKs in project modules (notebooks and tests do not
count), with whether each one trains (training_jobs.py says when a job trains).

- SDK v2 (azure-ai-ml): `command(code=..., command="python train.py ...")`; an `@dsl.pipeline`
  function, whose steps are components loaded from the repository's YAML
  (`load_component(source="components/train.yml")`) or `command(...)` calls of the same module.
- SDK v1 (azureml-core): `ScriptRunConfig(source_directory=..., script=...)`, the estimators
  (`Estimator`, `SKLearn`, `PyTorch`, `TensorFlow` with `entry_script=`), `PythonScriptStep`
  and `CommandStep` (`command="python -m pkg.train ..."` run in `source_directory`) steps when the
  repository builds an `azureml.pipeline.core.Pipeline`, and `AutoMLConfig`,
  `AutoMLStep`, `HyperDriveConfig`, `HyperDriveStep` (AutoML and hyperparameter search train).

A script is looked for relative to the module's folder, then the repository root; when the
source folder is computed (`source_directory=base / "src"`), the nearest file of the script's name.
A pipeline step whose script cannot be found (`script_name=env.train_script_path`, read from
environment variables) is judged by its literal `name=` (training_jobs.step_by_name).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.training_jobs import (
    Trainer,
    TrainingJob,
    Verdict,
    combine,
    step_by_name,
)
from mlops_ladder.assessment.checks.code.modules import code_modules, nearest
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.jobs import command_entry_points
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonModule

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

_V1_RUNS = frozenset({"ScriptRunConfig", "Estimator", "SKLearn", "PyTorch", "TensorFlow", "Chainer"})
_V1_SEARCHES = frozenset({"AutoMLConfig", "AutoMLStep", "HyperDriveConfig", "HyperDriveStep"})
_V1_STEPS = frozenset({"PythonScriptStep"})
_V1_COMMAND_STEP = "CommandStep"  # runs a command line (`python -m pkg.train ...`) in its source_directory
_SCRIPT_KEYWORDS = ("script", "script_name", "entry_script")
_LAST_NAMES = ("command", "pipeline", _V1_COMMAND_STEP, *_V1_RUNS, *_V1_SEARCHES, *_V1_STEPS)


def sdk_training_jobs(repo: RepoEvidence, trainer: Trainer) -> list[TrainingJob]:
    """Jobs and pipelines built with the SDKs in project modules, in module order."""
    project = {id(m) for m in code_modules(repo)}
    builds_v1_pipeline = any(
        c.name.startswith("azureml.pipeline") for _, c in repo.python.calls_ending("Pipeline")
    )
    jobs = []
    for module, call in repo.python.calls_ending(*_LAST_NAMES):
        if id(module) not in project:
            continue
        last = call.name.rpartition(".")[2]
        where = Location(module.path, call.line)
        if call.name.startswith("azure.ai.ml") and last == "command":
            verdict = _command_v2(repo, trainer, module, call)
            jobs.append(TrainingJob(f"azure-ai-ml command() in {where}", where, verdict))
        elif call.name.startswith("azure.ai.ml") and call.name.endswith("dsl.pipeline"):
            verdict = _dsl_pipeline(repo, trainer, module)
            jobs.append(TrainingJob(f"azure-ai-ml @dsl.pipeline in {where}", where, verdict))
        elif not call.name.startswith("azureml."):
            continue
        elif last in _V1_SEARCHES:
            verdict = Verdict(True, "AutoML or hyperparameter search trains the models", where)
            jobs.append(TrainingJob(f"SDK v1 {last} in {where}", where, verdict))
        elif last in _V1_RUNS or (last in _V1_STEPS and builds_v1_pipeline):
            verdict = _script_v1(repo, trainer, module, call)
            jobs.append(TrainingJob(f"SDK v1 {last} in {where}", where, verdict))
        elif last == _V1_COMMAND_STEP and builds_v1_pipeline:
            verdict = _command(repo, trainer, module, call, folder_keyword="source_directory")
            if verdict.trains is None:  # a step has a name that says what it does
                verdict = step_by_name(call.keyword("name"), verdict.why, "")
            jobs.append(TrainingJob(f"SDK v1 {last} in {where}", where, verdict))
    return jobs


def _command_v2(repo: RepoEvidence, trainer: Trainer, module: PythonModule, call: Call) -> Verdict:
    return _command(repo, trainer, module, call, folder_keyword="code")


def _command(
    repo: RepoEvidence, trainer: Trainer, module: PythonModule, call: Call, *, folder_keyword: str
) -> Verdict:
    """Does the command line of a call (azure-ai-ml `command(command=..., code=...)`, SDK v1
    `CommandStep(command=..., source_directory=...)`) run a module that trains?"""
    command = call.keyword("command") or ""
    scripts, modules = command_entry_points(command)
    folder = call.keyword(folder_keyword)
    candidates = [p for s in scripts for p in _script_paths(repo, module, folder, s)]
    for name in modules:
        stem = name.replace(".", "/")
        for script in (f"{stem}.py", f"{stem}/__main__.py"):
            candidates += _script_paths(repo, module, folder, script)
    entry = trainer.first_module(candidates)
    if entry is not None:
        return trainer.module(entry)
    what = f"{call.name.rpartition('.')[2]}() at {module.path}:{call.line}"
    return Verdict(None, f"{what} runs `{command[:80]}`, and no script it names is in the repository"
                   if command else f"{what} gives its command in a way that cannot be read")


def _script_v1(repo: RepoEvidence, trainer: Trainer, module: PythonModule, call: Call) -> Verdict:
    script = next((v for k in _SCRIPT_KEYWORDS if (v := call.keyword(k))), None)
    script = script or next((a for a in call.string_args if a.endswith(".py")), None)
    last = call.name.rpartition(".")[2]
    what = f"{last} at {module.path}:{call.line}"
    if script is None:
        missing = "names its script in a way that cannot be read"
    elif (entry := trainer.first_module(
            _script_paths(repo, module, call.keyword("source_directory"), script))) is not None:
        return trainer.module(entry)
    else:
        missing = f"runs {script}, which is not in the repository"
    if last in _V1_STEPS:  # a step has a name that says what it does
        return step_by_name(call.keyword("name"), what, missing)
    return Verdict(None, f"{what} {missing}")


def _script_paths(repo: RepoEvidence, module: PythonModule, folder: str | None, script: str) -> list[str]:
    """Where *script* can be: under *folder* from the module's folder or the root; else, when the folder is
    computed at run time, the nearest project file of that name."""
    found = []
    for base in (posixpath.dirname(module.path), ""):
        path = posixpath.normpath(posixpath.join(base, folder or "", script.replace("\\", "/")))
        if not path.startswith("../") and repo.python.module_at(path) is not None:
            found.append(path)
    if found or folder is not None:
        return found
    name = posixpath.basename(script)
    same_name = [m for m in code_modules(repo) if posixpath.basename(m.path) == name]
    return [m.path for m in nearest(module.path, same_name)]


def _dsl_pipeline(repo: RepoEvidence, trainer: Trainer, module: PythonModule) -> Verdict:
    """An @dsl.pipeline trains when a component it loads from YAML, or a command() of its module, trains."""
    verdicts = []
    for call in module.calls_ending("load_component"):
        for text in call.string_args:
            if not text.endswith((".yml", ".yaml")):
                continue
            if "{}" in text:  # computed: f"{components_dir}/{name}.yml"
                assets = _components_in_named_folders(repo, module, text)
                verdicts += [trainer.asset(asset) for asset in assets] or [
                    Verdict(None, f"{module.path} loads {text}, which is not a component here")]
                continue
            folders = (posixpath.dirname(module.path), "")
            paths = [posixpath.normpath(posixpath.join(folder, text)) for folder in folders]
            asset = next((a for p in paths if (a := repo.azureml.at(p)) is not None), None)
            verdicts.append(trainer.asset(asset) if asset is not None
                            else Verdict(None, f"{module.path} loads {text}, which is not a component here"))
    for call in module.calls_ending("command"):
        if call.name.startswith("azure.ai.ml"):
            verdicts.append(_command_v2(repo, trainer, module, call))
    if not verdicts:
        return Verdict(None, f"the steps of the @dsl.pipeline in {module.path} cannot be read "
                             "(components from a registry or other modules)")
    return combine(verdicts, "")


_COMPONENT_KINDS = (AmlKind.COMMAND_COMPONENT, AmlKind.PIPELINE_COMPONENT)


def _components_in_named_folders(repo: RepoEvidence, module: PythonModule, pattern: str) -> list[AmlAsset]:
    """The component YAML a computed `load_component(source=f"{folder}/{name}.yml")` can load: those
    matching *pattern* (each `{}` any text) in a folder that a string literal of the same module names
    (`os.path.join(os.getcwd(), "mlops/taxi/components")`), from the repository root or the module's
    folder. A folder the module does not name is not guessed."""
    shape = re.compile(".*".join(re.escape(piece) for piece in pattern.split("{}")) + "$")
    named = {
        posixpath.normpath(posixpath.join(base, text.strip("/")))
        for call in module.calls
        for text in call.string_args
        if text and "{}" not in text and not text.endswith((".yml", ".yaml"))
        for base in ("", posixpath.dirname(module.path))
    }
    return [
        asset for asset in repo.azureml.of_kind(*_COMPONENT_KINDS)
        if posixpath.dirname(asset.path) in named and shape.match(asset.path)
    ]
