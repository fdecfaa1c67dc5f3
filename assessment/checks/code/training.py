"""Checks of the training code: runs and metrics tracked (MLflow, or the Azure ML SDK v1 run), models
registered (from code, CI, or `az ml model create|register` in a script file), random seeds set, data
validated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs
from mlops_ladder.assessment.checks.code.modules import code_modules, imported_roots, project_tests
from mlops_ladder.assessment.checks.text import name_list, plural, subject
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.model import CliCommand
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonModule
from mlops_ladder.assessment.evidence.repo.python.registry import REGISTRATION_LAST_NAMES, registers_model

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

DATA_VALIDATION_LIBRARIES = (
    "pandera", "great_expectations", "tensorflow_data_validation", "deepchecks", "whylogs",
)
MLFLOW_CLIENT_LOGS = frozenset(
    {"log_metric", "log_metrics", "log_param", "log_params", "log_batch", "log_artifact", "log_artifacts",
     "log_dict", "log_figure", "log_table", "log_input"}
)
# Azure ML SDK v1: methods of the Run that `Run.get_context()` (or `experiment.start_logging()`) returns.
AZUREML_RUN_LOGS = frozenset(
    {"log", "log_list", "log_row", "log_table", "log_image", "log_metric", "log_confusion_matrix",
     "log_accuracy_table", "log_predictions", "log_residuals"}
)
_NOT_A_RUN = ("numpy.", "math.", "cmath.", "torch.", "tensorflow.", "jax.", "scipy.", "logging.", "mlflow.")


def mlflow_logging_calls(module: PythonModule, calls: Iterable[Call] | None = None) -> list[Call]:
    """The calls of *module* (or those of *calls*, which are its) that log to MLflow."""
    found = []
    uses_mlflow = module.imports_any("mlflow")
    for call in module.calls if calls is None else calls:
        last = call.name.rpartition(".")[2]
        module_level = call.name.startswith("mlflow.") and (last.startswith("log_") or last == "autolog")
        client_level = uses_mlflow and last in MLFLOW_CLIENT_LOGS  # MlflowClient().log_metric(run_id, ...)
        if module_level or client_level:
            found.append(call)
    return found


def azureml_run_logging_calls(module: PythonModule) -> list[Call]:
    """SDK v1 run logging: `run.log(...)`, `run.log_list(...)`... in a module that gets its run from
    `Run.get_context()` or `experiment.start_logging()`."""
    if not module.imports_any("azureml") or not module.calls_ending("Run.get_context", "start_logging"):
        return []
    return [
        call for call in module.calls
        if "." in call.name and call.name.rpartition(".")[2] in AZUREML_RUN_LOGS
        and not call.name.startswith(_NOT_A_RUN) and "logg" not in call.name.rpartition(".")[0].lower()
    ]


def _mlflow_logging(repo: RepoEvidence, modules: list[PythonModule]) -> list[tuple[PythonModule, list[Call]]]:
    """(module, its MLflow logging calls) for the *modules* that log, in order. Only calls named
    log_* or autolog can log (MLFLOW_CLIENT_LOGS are log_* too), so only those are looked at."""
    python = repo.python
    names = [n for n in python.call_last_names() if n.startswith("log_") or n == "autolog"]
    candidates: dict[int, list[Call]] = {}
    for module, call in python.calls_ending(*names):
        candidates.setdefault(id(module), []).append(call)
    logging = []
    for module in modules:
        calls = mlflow_logging_calls(module, candidates[id(module)]) if id(module) in candidates else []
        if calls:
            logging.append((module, calls))
    return logging


def _logging_refs(logging: list[tuple[PythonModule, list[Call]]]) -> tuple:
    return refs([(Location(m.path, calls[0].line), name_list(c.name for c in calls)) for m, calls in logging])


def tracks_experiments(repo: RepoEvidence) -> CheckResult:
    code = code_modules(repo)
    logging = _mlflow_logging(repo, code)
    if logging:
        module, calls = logging[0]
        return passed(
            f"{subject(len(logging), 'module', 'logs', 'log')} to MLflow, e.g. {module.path} "
            f"({name_list(c.name for c in calls)})",
            _logging_refs(logging),
        )
    run_logging = [(m, calls) for m in code if (calls := azureml_run_logging_calls(m))]
    if run_logging:
        module, calls = run_logging[0]
        return passed(
            f"{subject(len(run_logging), 'module', 'logs', 'log')} to the Azure ML run (SDK v1 "
            f"Run.get_context()), e.g. {module.path} ({name_list(c.name for c in calls)})",
            _logging_refs(run_logging),
        )
    importing = [m for m in code if m.imports_any("mlflow")]
    notebooks = [n for n in repo.python.notebooks if any(i.split(".")[0] == "mlflow" for i in n.imports)]
    in_notebooks = ""
    if notebooks:
        users = subject(len(notebooks), "notebook", "uses", "use")
        in_notebooks = f"; {users} mlflow (notebooks do not count)"
    if importing:
        return failed(
            f"{subject(len(importing), 'module', 'imports', 'import')} mlflow but none logs parameters "
            "or metrics "
            f"(mlflow.log_*, mlflow.autolog){in_notebooks}",
            refs([(m.path, "imports mlflow, logs nothing") for m in importing]),
        )
    return failed(
        "no non-test module logs to MLflow or to an Azure ML run (SDK v1 run.log); looked at "
        f"{plural(len(code), 'module')}{in_notebooks}"
    )


def registration_calls(repo: RepoEvidence) -> list[tuple[PythonModule, Call]]:
    project = {id(m) for m in code_modules(repo)}
    return [
        (m, c) for m, c in repo.python.calls_ending(*REGISTRATION_LAST_NAMES)
        if id(m) in project and registers_model(c)
    ]


def script_registrations(repo: RepoEvidence) -> list[CliCommand]:
    """`az ml model create` (CLI v2) and `az ml model register` (CLI v1) in the repository's script files."""
    return [c for c in repo.azureml.cli_commands if c.group == "model" and c.verb in ("create", "register")]


def registers_models(repo: RepoEvidence) -> CheckResult:
    calls = registration_calls(repo)
    actions = repo.ci.of_kind(ActionKind.REGISTER_MODEL)
    scripts = script_registrations(repo)
    evidence = [(Location(m.path, c.line), c.name) for m, c in calls]
    evidence += [(a.location, f"{a.pipeline} job {a.job}: {a.command or a.step}") for a in actions]
    evidence += [(c.location, f"az ml model {c.verb}") for c in scripts]
    if calls:
        module, call = calls[0]
        return passed(f"{module.path}:{call.line} registers a model ({call.name})", refs(evidence))
    if actions:
        action = actions[0]
        return passed(
            f"CI registers a model: {action.location} ({action.command or action.step})", refs(evidence)
        )
    if scripts:
        return passed(f"script {scripts[0].location} registers a model (az ml model {scripts[0].verb})",
                      refs(evidence))
    autolog = [(m, c) for m, c in repo.python.calls_ending("autolog", include_tests=False)
               if c.name.startswith("mlflow.")]
    only_autolog = (f"; {autolog[0][0].path} turns on mlflow autolog, which logs the model but registers "
                    "nothing") if autolog else ""
    return failed(
        "no code, CI step or script registers a model (mlflow.register_model, log_model with "
        "registered_model_name, ml_client.models.create_or_update, SDK v1 Model.register or "
        f"run.register_model, az ml model create|register){only_autolog}; looked at "
        f"{plural(len(code_modules(repo)), 'module')} and {plural(len(repo.ci.actions), 'CI action')}"
    )


def sets_random_seeds(repo: RepoEvidence) -> CheckResult:
    code = code_modules(repo)
    seeded = [m for m in code if m.seeds]
    if seeded:
        first = seeded[0]
        return passed(
            f"{subject(len(seeded), 'module', 'sets', 'set')} random seeds, e.g. {first.seeds[0]}",
            refs([(s, "sets a seed") for m in seeded for s in m.seeds]),
        )
    return failed(
        "no random seed is set (random.seed, np.random.seed, torch.manual_seed, random_state=<constant>); "
        f"looked at {plural(len(code), 'non-test module')}"
    )


def validates_data(repo: RepoEvidence) -> CheckResult:
    code = code_modules(repo)
    validating = [(m, imported_roots(m, DATA_VALIDATION_LIBRARIES)) for m in code]
    validating = [(m, libs) for m, libs in validating if libs]
    if validating:
        module, libs = validating[0]
        return passed(
            f"{module.path} validates data with {name_list(libs)}",
            refs([(m.path, f"imports {name_list(libs)}") for m, libs in validating]),
        )
    in_tests = [m for m in project_tests(repo) if imported_roots(m, DATA_VALIDATION_LIBRARIES)]
    only_tests = f"; only tests use one ({name_list(m.path for m in in_tests)})" if in_tests else ""
    return failed(
        f"no pipeline code uses a data validation library ({name_list(DATA_VALIDATION_LIBRARIES, 5)}); "
        f"looked at {plural(len(code), 'non-test module')}{only_tests}",
        refs([(m.path, "validation in tests only") for m in in_tests]),
    )


CHECKS = (
    tracks_experiments,
    registers_models,
    sets_random_seeds,
    validates_data,
)
