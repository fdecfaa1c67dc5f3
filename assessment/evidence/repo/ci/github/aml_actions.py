"""What Microsoft's Azure Machine Learning GitHub actions do: Azure/aml-workspace, aml-compute, aml-run,
aml-registermodel and aml-deploy (SDK v1 actions, deprecated in 2021 and still in many repositories).

Each action reads a JSON parameters file from `.cloud/.azure/` (its `parameters_file` input, with a
default name per action) and acts on the workspace with the SDK v1. Read from their public source
(`action.yml` and `code/main.py`, commits in SOURCES; their `v1` refs read the same keys):

- aml-run (`run.json`): submits the first of these files that exists: the run configuration YAML
  `runconfig_yaml_file` (default `code/train/run_config.yml`), the pipeline YAML `pipeline_yaml_file`
  (default `code/train/pipeline.yml`), the Python file `runconfig_python_file` (default
  `code/train/run_config.py`) whose function returns the run configuration; then waits for the run
  unless `wait_for_completion` is false.
- aml-registermodel (`registermodel.json`): registers a model of the run named by its `run_id` and
  `experiment_name` inputs (or a model file of the checkout). From a run, unless
  `force_registration`, it first compares the metrics `metrics_max` / `metrics_min` with those of
  the model registered under the same name and fails when the new model is worse: a metric gate.
- aml-deploy (`deploy.json`): deploys the registered model `model_name`:`model_version` with the
  scoring script `inference_entry_script` (default `score.py`) and the conda file `conda_file`
  (default `environment.yml`) of `inference_source_directory` (default `code/deploy/`), to the AKS
  cluster `deployment_compute_target` or else to ACI. With `test_enabled` it then calls the
  function `test_file_function_name` of `test_file_path` (default `code/test/test.py`) with the web
  service and fails when it raises: a smoke test. `skip_deployment` only builds an image.
- aml-compute (`compute.json`): creates the compute target `name`: an AmlCompute cluster
  (`min_nodes` 0 to `max_nodes` 4) or an AKS cluster (`compute_type`).
- aml-workspace (`workspace.json`): connects to (or creates) the workspace: nothing to record.

Paths in the parameters are repository paths (the actions run at the root of the checkout); one
written from `/` too. A missing parameters file means the defaults, as for the actions; a file that
is not a JSON object is a note.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from mlops_ladder.assessment.evidence.jsonfile import load_json
from mlops_ladder.assessment.evidence.repo.ci.builder import Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

K = ActionKind

# The commit of each action's repository that was read (master, 2021-10-19).
SOURCES = {
    "Azure/aml-workspace": "88df0ab2641a17037b206a82ee85290752f78ffd",
    "Azure/aml-compute": "8654f4dcad5662337910229bfa03791213e7bfed",
    "Azure/aml-run": "046f4310d6c2eefde4605f9d7292a039b787d957",
    "Azure/aml-registermodel": "68261596392a50aa9e979994578f0e468f90b40f",
    "Azure/aml-deploy": "cae7130a248c14a68da189f7b8b7cf80ad536948",
}
PARAMETERS_FOLDER = ".cloud/.azure"
_DEFAULT_PARAMETERS = {
    "azure/aml-workspace": "workspace.json",
    "azure/aml-compute": "compute.json",
    "azure/aml-run": "run.json",
    "azure/aml-registermodel": "registermodel.json",
    "azure/aml-deploy": "deploy.json",
}
# aml-run: (parameter, default) of the files it tries, in order.
_RUN_FILES = (
    ("runconfig_yaml_file", "code/train/run_config.yml"),
    ("pipeline_yaml_file", "code/train/pipeline.yml"),
    ("runconfig_python_file", "code/train/run_config.py"),
)
REGISTERED_MODEL = "registered-model"  # the target_kind of a deployment: aml-deploy deploys registered models


class _Call:
    """One step that uses an aml action: where it is, what it was given, what its parameters say."""

    def __init__(
        self, build: Builder, ctx: JobContext, step: Step, uses: str, inputs: Mapping[str, str], name: str
    ) -> None:
        self.build, self.ctx, self.step, self.uses, self.inputs = build, ctx, step, uses, inputs
        given = inputs.get("parameters_file", "").strip() or _DEFAULT_PARAMETERS[name]
        self.parameters_file = _repo_path(posixpath.join(PARAMETERS_FOLDER, given)) or ""
        self.parameters = _parameters(build.files, self.parameters_file)

    @property
    def files(self) -> RepoFiles:
        return self.build.files

    def get(self, key: str, default: Any = None) -> Any:
        return self.parameters.get(key, default)

    def existing(self, *paths: str | None) -> tuple[str, ...]:
        """The paths that are files of the repository, the parameters file first."""
        found = [self.parameters_file, *paths]
        return tuple(dict.fromkeys(p for p in found if p and self.files.exists(p)))

    def record(self, kind: ActionKind, what: str, *, files: tuple[str, ...] = (),
               options: Mapping[str, str] | None = None, target_kind: str = "") -> None:
        self.build.action(self.ctx, self.step, kind, command=f"{self.uses}: {what}", files=files,
                          options=options, target_kind=target_kind)


def read_aml_action(
    build: Builder, ctx: JobContext, step: Step, name: str, uses: str, inputs: Mapping[str, str]
) -> bool:
    """Record what the step that uses the action *name* (lowercased, without its ref) does; False when
    it is not one of the Azure ML actions. *inputs*: its `with:` values, keys lowercased."""
    reader = _READERS.get(name)
    if reader is None:
        return False
    reader(_Call(build, ctx, step, uses, inputs, name))
    return True


def _run(call: _Call) -> None:
    paths = []
    for key, default in _RUN_FILES:
        path = _repo_path(call.get(key)) if key in call.parameters else default
        if path and key == "runconfig_python_file" and not path.endswith(".py"):
            path += ".py"  # the action adds it
        if path:
            paths.append((key, path))
    submitted = next((path for _, path in paths if call.files.exists(path)), None)
    if submitted is None:  # the action fails: name what the parameters asked for
        named = [path for key, path in paths if key in call.parameters]
        submitted = (named or [path for _, path in paths] or [""])[0]
    files = tuple(dict.fromkeys(p for p in (submitted, *call.existing()) if p))
    call.record(K.SUBMIT_JOB, f"submits {submitted or 'nothing'}", files=files,
                options={"--parameters-file": call.parameters_file})
    if call.get("wait_for_completion", True) is not False:
        call.record(K.WAIT_JOB, "waits for the run (wait_for_completion)", files=files)


def _register_model(call: _Call) -> None:
    from_run = all(call.inputs.get(key, "").strip() for key in ("run_id", "experiment_name"))
    metrics = [str(m) for key in ("metrics_max", "metrics_min")
               for m in (call.get(key) if isinstance(call.get(key), list) else [])]
    name = str(call.get("model_name", "the repository's name"))
    if from_run and metrics and call.get("force_registration", False) is not True:
        what = f"fails when the run's {', '.join(metrics)} is worse than the registered model {name}'s"
        call.record(K.ASSERT_METRICS, what, files=call.existing())
    source = "the run given by run_id" if from_run else "a model file of the checkout"
    call.record(K.REGISTER_MODEL, f"registers {call.get('model_file_name', 'model.pkl')} from {source}",
                files=call.existing(), options={"--name": name})


def _deploy(call: _Call) -> None:
    if call.get("skip_deployment", False) is True:
        return
    folder = _repo_path(call.get("inference_source_directory", "code/deploy/")) or ""
    entry = _in_folder(folder, call.get("inference_entry_script", "score.py"))
    conda = _in_folder(folder, call.get("conda_file", "environment.yml"))
    target = call.get("deployment_compute_target")
    compute = f"AKS cluster {target}" if isinstance(target, str) and target.strip() else "ACI"
    model = f"{call.inputs.get('model_name', '')}:{call.inputs.get('model_version', '')}"
    call.record(K.DEPLOY_MODEL, f"deploys the registered model {model} to {compute} with {entry}",
                files=call.existing(entry, conda), options={"--model": model, "--compute-target": compute},
                target_kind=REGISTERED_MODEL)
    if call.get("test_enabled", False) is True:
        test = _repo_path(call.get("test_file_path", "code/test/test.py")) or ""
        test = test if test.endswith(".py") else f"{test}.py"
        function = call.get("test_file_function_name", "main")
        what = f"calls {function}() of {test} with the deployed service (test_enabled)"
        call.record(K.INVOKE_ENDPOINT, what, files=call.existing(test))


def _compute(call: _Call) -> None:
    kind = str(call.get("compute_type", ""))
    options = {"--type": kind}
    if kind.lower() == "amlcluster":
        options["--min-instances"] = str(call.get("min_nodes", 0))
        options["--max-instances"] = str(call.get("max_nodes", 4))
    what = f"creates the compute {call.get('name', '')} ({kind or 'no compute_type'})"
    call.record(K.CREATE_COMPUTE, what, files=call.existing(), options=options)


def _workspace(call: _Call) -> None:
    """Connects to the workspace (or creates it without infrastructure code): nothing to record."""


_READERS: dict[str, Callable[[_Call], None]] = {
    "azure/aml-workspace": _workspace,
    "azure/aml-compute": _compute,
    "azure/aml-run": _run,
    "azure/aml-registermodel": _register_model,
    "azure/aml-deploy": _deploy,
}


def _repo_path(value: Any) -> str | None:
    """A repository path from a parameter (relative to the root, or written from `/`)."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = posixpath.normpath(value.strip().replace("\\", "/").lstrip("/"))
    return None if path == ".." or path.startswith("../") else path


def _in_folder(folder: str, name: Any) -> str | None:
    """A file of the inference source folder (the InferenceConfig's entry script and conda file)."""
    if not isinstance(name, str) or not name.strip():
        return None
    return _repo_path(posixpath.join(folder, name.strip().lstrip("/")))


def _parameters(files: RepoFiles, path: str) -> dict:
    """The parameters file's object; {} when it does not exist (the action's defaults) or is not JSON."""
    if not path or not files.exists(path):
        return {}
    text = files.read_text(path)
    if text is None:
        return {}
    try:
        data = load_json(text)
    except json.JSONDecodeError as exc:
        files.note(path, f"malformed JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return {}
    if not isinstance(data, dict):
        files.note(path, "malformed JSON: the parameters are not an object")
        return {}
    return data
