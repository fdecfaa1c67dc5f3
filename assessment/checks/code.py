"""Checks over Python code, notebooks and project files (tests, lint, pins, secrets, model cards...).

They read PythonEvidence (python_code.py) and ProjectEvidence (project.py); a few also read
the Azure ML YAML (deployments and their scoring scripts) and the CI actions (model
registration by `az ml model create`). Project modules are matched to imports by their
guessed dotted name or any dotted suffix of it (`src/pkg/features.py` answers `pkg.features`
and `features`), so tests that put a folder on sys.path still count.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import (
    CheckResult,
    Outcome,
    failed,
    not_applicable,
    passed,
    refs,
    unknown,
)
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import deployment_scoring_script
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.python_gates import REGISTRATION_LAST_NAMES, registers_model
from mlops_ladder.assessment.evidence.repo.python_model import Call, PythonEvidence, PythonModule

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

ML_LIBRARIES = (
    "pandas", "numpy", "sklearn", "torch", "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "mlflow",
    "azure.ai.ml", "transformers", "scipy", "statsmodels", "pyspark", "polars",
)
DATA_VALIDATION_LIBRARIES = (
    "pandera", "great_expectations", "tensorflow_data_validation", "deepchecks", "whylogs",
)
RESPONSIBLE_AI_LIBRARIES = (
    "fairlearn", "shap", "interpret", "interpret_community", "responsibleai", "raiwidgets", "dice_ml",
    "erroranalysis",
)
# Azure ML's Responsible AI components, from the azureml registry or registered in the workspace:
# azureml://registries/azureml/components/rai_tabular_insight_constructor/...,
# azureml:rai_insights_causal@latest
RAI_COMPONENT = re.compile(r"(?:^azureml:|/components/)(?:microsoft_azureml_)?rai_\w+")
MLFLOW_CLIENT_LOGS = frozenset(
    {"log_metric", "log_metrics", "log_param", "log_params", "log_batch", "log_artifact", "log_artifacts",
     "log_dict", "log_figure", "log_table", "log_input"}
)
TRAINING_CALLS = frozenset({"fit", "train", "partial_fit"})
# Files that are project tooling, not project code.
TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "tasks.py", "fabfile.py", "conftest.py", "manage.py"})
DEPLOYMENT_KINDS = (AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)
ENVIRONMENT_FILE_KINDS = ("requirements", "constraints", "conda")  # what an environment is built from
MIB = 1024 * 1024


# -- small helpers -------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _subject(count: int, noun: str, verb_one: str, verb_many: str) -> str:
    """"1 module sets" / "3 modules set"."""
    return f"{_plural(count, noun)} {verb_one if count == 1 else verb_many}"


def _names(items: Iterable[str], limit: int = 3) -> str:
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _code_modules(repo: RepoEvidence) -> list[PythonModule]:
    """Non-test modules that are project code (not setup.py, noxfile.py or docs/conf.py)."""
    return list(repo.python.derived("code.project_modules", _project_modules))


def _project_modules(python: PythonEvidence) -> list[PythonModule]:
    return [
        m for m in python.modules
        if not m.is_test
        and posixpath.basename(m.path) not in TOOLING_FILES
        and not m.path.startswith("docs/")
    ]


def _test_modules(repo: RepoEvidence) -> list[PythonModule]:
    return [m for m in repo.python.test_modules if posixpath.basename(m.path) != "conftest.py"]


def _is_under(name: str, roots: Iterable[str]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def _imported_roots(module: PythonModule, roots: Iterable[str]) -> list[str]:
    prefixes = module.import_prefixes  # one set lookup per root instead of a scan of the imports
    return [r for r in roots if r in prefixes]


class ModuleIndex:
    """Find the project modules an import names (by full guessed name or a dotted suffix of it)."""

    def __init__(self, python: PythonEvidence) -> None:
        # the mapping, not the evidence: PythonEvidence.derived keeps this index (no reference cycle)
        self.by_name = python.modules_by_name_suffix()
        self._targets: dict[str, list[PythonModule]] = {}

    def targets(self, importer: PythonModule) -> list[PythonModule]:
        """The project modules *importer* imports; of several with the same name, the nearest ones."""
        if importer.path in self._targets:
            return self._targets[importer.path]
        found: dict[str, PythonModule] = {}
        for name in sorted(importer.imports):  # sorted: reports must not depend on hash seeds
            if "." not in name and name in sys.stdlib_module_names:
                continue  # `import io` is the standard library, not a local io.py
            candidates = [m for m in self.by_name.get(name, ()) if m.path != importer.path]
            for module in _nearest(importer.path, candidates):
                found[module.path] = module
        self._targets[importer.path] = list(found.values())
        return self._targets[importer.path]

    def closure(self, start: PythonModule, *, include_tests: bool = False) -> dict[str, PythonModule]:
        """Every project module *start* imports, directly or through other project modules."""
        seen: dict[str, PythonModule] = {}
        queue = [start]
        while queue:
            module = queue.pop()
            for target in self.targets(module):
                if target.path in seen or target.path == start.path or (target.is_test and not include_tests):
                    continue
                seen[target.path] = target
                queue.append(target)
        return seen


def _module_index(repo: RepoEvidence) -> ModuleIndex:
    """One ModuleIndex for all checks: what a module imports is worked out once per assessment."""
    return repo.python.derived("code.module_index", ModuleIndex)


def _shared_folders(a: str, b: str) -> int:
    count = 0
    for mine, theirs in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def _nearest(path: str, modules: list[PythonModule]) -> list[PythonModule]:
    if len(modules) < 2:
        return modules
    best = max(_shared_folders(path, m.path) for m in modules)
    return [m for m in modules if _shared_folders(path, m.path) == best]


def _loaded_by_path(test: PythonModule, modules: list[PythonModule]) -> list[PythonModule]:
    """Modules whose file the test names (importlib spec_from_file_location, runpy, a subprocess command).

    A reference with folders matches by path suffix; a bare file name matches the nearest file of
    that name."""
    references = set(test.file_refs)
    references.update(a for c in test.calls for a in c.string_args if a.endswith(".py"))
    found: dict[str, PythonModule] = {}
    for reference in sorted(references):  # sorted: reports must not depend on hash seeds
        reference = reference.replace("\\", "/")
        while reference.startswith(("./", "../", "/")):
            reference = reference.split("/", 1)[1]
        candidates = []
        if "/" in reference:
            candidates = [m for m in modules if m.path == reference or m.path.endswith("/" + reference)]
        if not candidates:
            name = posixpath.basename(reference)
            candidates = [m for m in modules if posixpath.basename(m.path) == name]
        for module in _nearest(test.path, candidates):
            found[module.path] = module
    return list(found.values())


def _deployments(repo: RepoEvidence) -> list[AmlAsset]:
    return repo.azureml.of_kind(*DEPLOYMENT_KINDS)


def _scoring_scripts(repo: RepoEvidence) -> list[PythonModule]:
    """Non-test modules with top-level init() and run() (the Azure ML scoring script contract)."""
    return [m for m in _code_modules(repo) if {"init", "run"} <= m.functions]


def _no_scoring_script(repo: RepoEvidence) -> CheckResult:
    """Outcome when no module has init()/run(): depends on how the deployments are written."""
    deployments = _deployments(repo)
    referenced = [(d, deployment_scoring_script(d)) for d in deployments]
    with_script = [(d, s) for d, s in referenced if s]
    if with_script:
        deployment, script = with_script[0]
        module = repo.python.module_at(script)
        what = "has no top-level init() and run()" if module else "is not a Python file of the repository"
        return failed(
            f"deployment {deployment.path} uses scoring script {script}, which {what}",
            refs([(deployment.location, f"code_configuration.scoring_script {script}")]),
        )
    if deployments:
        return not_applicable(
            f"{_subject(len(deployments), 'deployment', 'serves', 'serve')} MLflow models without a scoring "
            "script "
            "(no-code deployment): there is no init()/run() to test",
            refs([(d.location, "no code_configuration") for d in deployments]),
        )
    return failed(
        "no scoring script with top-level init() and run() and no Azure ML deployment; "
        f"looked at {_plural(len(_code_modules(repo)), 'non-test module')}"
    )


def _mlflow_logging_calls(module: PythonModule, calls: Iterable[Call] | None = None) -> list[Call]:
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
        calls = _mlflow_logging_calls(module, candidates[id(module)]) if id(module) in candidates else []
        if calls:
            logging.append((module, calls))
    return logging


# -- level 1: code and project hygiene -------------------------------------------------------


def is_git_repository(repo: RepoEvidence, min_commits: int = 1) -> CheckResult:
    git = repo.git
    if not git.is_repo:
        return failed("not a git work tree: the folder is not under version control")
    if git.commit_count < min_commits:
        return failed(
            f"a git work tree with {_plural(git.commit_count, 'commit')}; at least {min_commits} needed",
            refs([(".git", "no commits yet")]),
        )
    head = f", HEAD {git.head[:12]}" if git.head else ""
    return passed(
        f"git work tree with {_plural(git.commit_count, 'commit')}{head}",
        refs([(".git", f"{_plural(git.commit_count, 'commit')}")]),
    )


def has_ml_code_in_modules(repo: RepoEvidence) -> CheckResult:
    code = _code_modules(repo)
    with_ml = [(m, _imported_roots(m, ML_LIBRARIES)) for m in code]
    with_ml = [(m, roots) for m, roots in with_ml if roots]
    # Modules without an ML import count when other code imports them and uses their functions;
    # what every module imports is worked out only when there is such a module to ask about.
    shared = [m for m in code if m.functions and not _imported_roots(m, ML_LIBRARIES)]
    if shared:
        index = _module_index(repo)
        imported: set[str] = set()
        for module in repo.python.modules:
            imported.update(t.path for t in index.targets(module))
        shared = [m for m in shared if m.path in imported]
    if with_ml or shared:
        first = with_ml[0] if with_ml else (shared[0], [])
        what = f"imports {_names(first[1])}" if first[1] else "defines functions other code imports"
        evidence = [(m.path, f"imports {_names(roots)}") for m, roots in with_ml]
        evidence += [(m.path, "imported by other modules") for m in shared]
        return passed(
            f"{_subject(len(with_ml) + len(shared), 'module', 'holds', 'hold')} ML code, "
            f"e.g. {first[0].path} ({what})",
            refs(evidence),
        )
    notebooks = repo.python.notebooks
    ml_notebooks = [n for n in notebooks if any(_is_under(i, ML_LIBRARIES) for i in n.imports)]
    if notebooks:
        return failed(
            f"the ML code is only in notebooks: {_plural(len(notebooks), 'notebook')} "
            f"({len(ml_notebooks)} import data/ML libraries), and none of the "
            f"{_plural(len(code), 'non-test module')} imports one or is imported by other code",
            refs([(n.path, f"{_plural(n.code_cells, 'code cell')}") for n in ml_notebooks or notebooks]),
        )
    if code:
        return failed(
            f"{_plural(len(code), 'non-test module')}, none imports a data/ML library "
            f"({_names(ML_LIBRARIES, 5)}) or is imported by other code",
            refs([(m.path, "no data/ML import") for m in code]),
        )
    return failed("no Python modules or notebooks found")


def declares_dependencies(repo: RepoEvidence) -> CheckResult:
    """Are the packages the project needs written down (pinned or not; pinning is MLL-103)?"""
    project = repo.project
    listing = [f for f in project.dependency_files if f.total]
    if listing or project.lock_files:
        total = sum(f.total for f in listing)
        where = _names([f.path for f in listing] + [f.path for f in project.lock_files], 4)
        what = f"{_plural(total, 'dependency')} declared in {where}" if listing else f"lock file {where}"
        return passed(
            what,
            refs(
                [(f.path, f"{f.kind}: {f.total} dependencies") for f in listing]
                + [(f.path, f.kind) for f in project.lock_files]
            ),
        )
    if project.dependency_files:
        return failed(
            f"{_names(f.path for f in project.dependency_files)} list no dependencies",
            refs([(f.path, "no dependencies") for f in project.dependency_files]),
        )
    return failed(
        "no requirements file, conda environment, pyproject.toml/setup.cfg dependencies, Pipfile or lock file"
    )


def has_pinned_environment(repo: RepoEvidence) -> CheckResult:
    project = repo.project
    if project.lock_files:
        lock = project.lock_files[0]
        return passed(
            f"lock file {lock.path} ({lock.kind})"
            + (f" and {_plural(len(project.lock_files) - 1, 'more')}" if len(project.lock_files) > 1 else ""),
            refs([(f.path, f.kind) for f in project.lock_files]),
        )
    environment_files = [f for f in project.dependency_files if f.kind in ENVIRONMENT_FILE_KINDS]
    declared = [f for f in project.dependency_files if f.kind not in ENVIRONMENT_FILE_KINDS]
    considered = [f for f in (environment_files or declared) if f.total]
    if not considered:
        if project.dependency_files:
            return failed(
                f"{_names(f.path for f in project.dependency_files)} list no dependencies; no lock file",
                refs([(f.path, "no dependencies") for f in project.dependency_files]),
            )
        return failed("no requirements, conda, pyproject.toml, setup.cfg, Pipfile or lock file found")
    total = sum(f.total for f in considered)
    unpinned = [(f, d) for f in considered for d in f.dependencies if not d.pinned]
    paths = _names((f.path for f in considered), 4)
    if not unpinned:
        ranges = [f for f in declared if f.total and f.unpinned] if environment_files else []
        note = f"; {_names(f.path for f in ranges)} declare ranges that these files pin" if ranges else ""
        every = "the only dependency is" if total == 1 else f"all {total} dependencies are"
        return passed(
            f"{every} pinned to exact versions in {paths}{note}",
            refs([(f.path, f"{f.pinned}/{f.total} pinned") for f in considered]),
        )
    return failed(
        f"{len(unpinned)} of {total} dependencies in {paths} have no exact version "
        f"({_names((d.name for _, d in unpinned), 5)}) and there is no lock file",
        refs([(d.location, d.spec) for _, d in unpinned]),
    )


def has_unit_tests_for_project_code(repo: RepoEvidence) -> CheckResult:
    tests = _test_modules(repo)
    code = _code_modules(repo)
    if not tests:
        return failed(
            "no test modules (test_*.py, *_test.py or files under tests/); "
            f"{_plural(len(code), 'non-test module')} untested"
        )
    if not code:
        return failed(f"{_plural(len(tests), 'test module')} but no project module for them to test")
    index = _module_index(repo)
    found: list[tuple[PythonModule, PythonModule, str]] = []
    for test in tests:
        for target in index.targets(test):
            if not target.is_test:
                found.append((test, target, "imports"))
        for target in _loaded_by_path(test, code):
            found.append((test, target, "loads"))
    if found:
        testers = list(dict.fromkeys(t.path for t, _, _ in found))
        test, target, how = found[0]
        return passed(
            f"{_subject(len(testers), 'test module', 'exercises', 'exercise')} project code, "
            f"e.g. {test.path} {how} "
            f"{target.module or target.path}",
            refs([(t.path, f"{how} {m.module or m.path}") for t, m, how in found]),
        )
    return failed(
        f"{_plural(len(tests), 'test module')}, none imports or loads one of the "
        f"{_plural(len(code), 'project module')}",
        refs([(t.path, "imports no project module") for t in tests]),
    )


def has_lint_config(repo: RepoEvidence) -> CheckResult:
    configs = repo.project.lint_configs
    if configs:
        tools = _names(f"{c.tool} ({c.detail})" for c in configs)
        return passed(f"lint/format configuration: {tools}", refs([(c.location, c.tool) for c in configs]))
    return failed(
        "no ruff, flake8, pylint or black configuration in pyproject.toml, setup.cfg, tox.ini, "
        "their own files or pre-commit hooks"
    )


def has_pre_commit_hooks(repo: RepoEvidence) -> CheckResult:
    config = repo.project.pre_commit
    if config is None:
        return failed("no .pre-commit-config.yaml at the repository root")
    if config.error:
        return failed(f"{config.path} is not usable: {config.error}", refs([(config.path, config.error)]))
    if not config.hooks:
        return failed(f"{config.path} defines no hooks", refs([(config.path, "no hooks")]))
    return passed(
        f"{config.path} runs {_plural(len(config.hooks), 'hook')}: {_names((h.id for h in config.hooks), 5)}",
        refs([(h.location, h.id) for h in config.hooks]),
    )


def has_no_committed_secrets(repo: RepoEvidence) -> CheckResult:
    project = repo.project
    findings = project.secrets
    if findings:
        files = {f.location.path for f in findings}
        return failed(
            f"{_plural(len(findings), 'possible credential')} committed in {_plural(len(files), 'file')}: "
            f"{_names(f.kind for f in findings)} (values redacted)",
            refs([(f.location, f"{f.kind}: {f.preview}") for f in findings], limit=20),
        )
    return passed(f"no credentials found in {_plural(project.files_scanned_for_secrets, 'scanned file')}")


def has_no_large_binaries(repo: RepoEvidence, max_mb: float = 10) -> CheckResult:
    limit = max_mb * MIB
    candidates = repo.project.model_data_files
    large = sorted((f for f in candidates if f.size > limit), key=lambda f: -f.size)
    evidence = refs([(f.path, f"{f.size / MIB:.1f} MiB") for f in large])
    if not repo.git.is_repo:
        if large:
            return unknown(
                f"not a git repository: cannot tell whether {_plural(len(large), 'model/data file')} over "
                f"{max_mb:g} MB ({_names(f.path for f in large)}) would be committed",
                evidence,
            )
        return not_applicable(f"not a git repository, and no model/data file over {max_mb:g} MB")
    if large:
        return failed(
            f"{_plural(len(large), 'model/data file')} over {max_mb:g} MB tracked by git: "
            f"{_names(f'{f.path} ({f.size / MIB:.0f} MiB)' for f in large)}",
            evidence,
        )
    lfs = f"; Git LFS handles {_names(repo.project.lfs_patterns)}" if repo.project.lfs_patterns else ""
    return passed(
        f"no tracked model/data file over {max_mb:g} MB ({_plural(len(candidates), 'smaller one')}){lfs}"
    )


def has_dependency_update_bot(repo: RepoEvidence) -> CheckResult:
    bots = repo.project.dependency_bots
    working = [b for b in bots if b.error is None]
    if working:
        bot = working[0]
        ecosystems = f" for {_names(bot.ecosystems, 5)}" if bot.ecosystems else ""
        evidence = refs([(b.path, b.tool) for b in working])
        return passed(f"{bot.tool} is configured in {bot.path}{ecosystems}", evidence)
    if bots:
        return failed(
            f"{bots[0].path} is not usable: {bots[0].error}", refs([(b.path, b.error or "") for b in bots])
        )
    return failed("no .github/dependabot.yml or Renovate configuration (renovate.json, .renovaterc, ...)")


def has_codeowners(repo: RepoEvidence) -> CheckResult:
    owners = repo.project.codeowners
    with_rules = [o for o in owners if o.rules]
    if with_rules:
        owner = with_rules[0]
        rules = _plural(owner.rules, "rule")
        return passed(f"{owner.path} assigns owners ({rules})", refs([(owner.path, "CODEOWNERS")]))
    if owners:
        evidence = refs([(o.path, "no rules") for o in owners])
        return failed(f"{owners[0].path} exists but assigns no owners", evidence)
    return failed("no CODEOWNERS file (looked at the root, .github/ and docs/)")


# -- level 2: training -----------------------------------------------------------------------


def tracks_experiments(repo: RepoEvidence) -> CheckResult:
    code = _code_modules(repo)
    logging = _mlflow_logging(repo, code)
    if logging:
        module, calls = logging[0]
        return passed(
            f"{_subject(len(logging), 'module', 'logs', 'log')} to MLflow, e.g. {module.path} "
            f"({_names(c.name for c in calls)})",
            refs([(Location(m.path, calls[0].line), _names(c.name for c in calls)) for m, calls in logging]),
        )
    importing = [m for m in code if m.imports_any("mlflow")]
    notebooks = [n for n in repo.python.notebooks if any(i.split(".")[0] == "mlflow" for i in n.imports)]
    in_notebooks = ""
    if notebooks:
        users = _subject(len(notebooks), "notebook", "uses", "use")
        in_notebooks = f"; {users} mlflow (notebooks do not count)"
    if importing:
        return failed(
            f"{_subject(len(importing), 'module', 'imports', 'import')} mlflow but none logs parameters "
            "or metrics "
            f"(mlflow.log_*, mlflow.autolog){in_notebooks}",
            refs([(m.path, "imports mlflow, logs nothing") for m in importing]),
        )
    return failed(
        f"no non-test module logs to MLflow; looked at {_plural(len(code), 'module')}{in_notebooks}"
    )


def _registration_calls(repo: RepoEvidence) -> list[tuple[PythonModule, Call]]:
    project = {id(m) for m in _code_modules(repo)}
    return [
        (m, c) for m, c in repo.python.calls_ending(*REGISTRATION_LAST_NAMES)
        if id(m) in project and registers_model(c)
    ]


def registers_models(repo: RepoEvidence) -> CheckResult:
    calls = _registration_calls(repo)
    actions = repo.ci.of_kind(ActionKind.REGISTER_MODEL)
    evidence = [(Location(m.path, c.line), c.name) for m, c in calls]
    evidence += [(a.location, f"{a.pipeline} job {a.job}: {a.command or a.step}") for a in actions]
    if calls:
        module, call = calls[0]
        return passed(f"{module.path}:{call.line} registers a model ({call.name})", refs(evidence))
    if actions:
        action = actions[0]
        return passed(
            f"CI registers a model: {action.location} ({action.command or action.step})", refs(evidence)
        )
    return failed(
        "no code or CI step registers a model (mlflow.register_model, log_model with registered_model_name, "
        "ml_client.models.create_or_update, az ml model create); looked at "
        f"{_plural(len(_code_modules(repo)), 'module')} and {_plural(len(repo.ci.actions), 'CI action')}"
    )


def sets_random_seeds(repo: RepoEvidence) -> CheckResult:
    code = _code_modules(repo)
    seeded = [m for m in code if m.seeds]
    if seeded:
        first = seeded[0]
        return passed(
            f"{_subject(len(seeded), 'module', 'sets', 'set')} random seeds, e.g. {first.seeds[0]}",
            refs([(s, "sets a seed") for m in seeded for s in m.seeds]),
        )
    return failed(
        "no random seed is set (random.seed, np.random.seed, torch.manual_seed, random_state=<constant>); "
        f"looked at {_plural(len(code), 'non-test module')}"
    )


def validates_data(repo: RepoEvidence) -> CheckResult:
    code = _code_modules(repo)
    validating = [(m, _imported_roots(m, DATA_VALIDATION_LIBRARIES)) for m in code]
    validating = [(m, libs) for m, libs in validating if libs]
    if validating:
        module, libs = validating[0]
        return passed(
            f"{module.path} validates data with {_names(libs)}",
            refs([(m.path, f"imports {_names(libs)}") for m, libs in validating]),
        )
    in_tests = [m for m in _test_modules(repo) if _imported_roots(m, DATA_VALIDATION_LIBRARIES)]
    only_tests = f"; only tests use one ({_names(m.path for m in in_tests)})" if in_tests else ""
    return failed(
        f"no pipeline code uses a data validation library ({_names(DATA_VALIDATION_LIBRARIES, 5)}); "
        f"looked at {_plural(len(code), 'non-test module')}{only_tests}",
        refs([(m.path, "validation in tests only") for m in in_tests]),
    )


# -- level 3: deployment ---------------------------------------------------------------------


def has_evaluation_gate(repo: RepoEvidence) -> CheckResult:
    code = _code_modules(repo)
    gates = [g for m in code for g in m.gates]
    if gates:
        gate = gates[0]
        evidence = refs([(g.location, g.detail) for g in gates])
        return passed(f"evaluation gate at {gate.location}: {gate.detail}", evidence)
    candidates = [g for m in code for g in m.gate_candidates]
    registrations = _registration_calls(repo)
    registration_refs = [(Location(m.path, c.line), f"registers ({c.name})") for m, c in registrations]
    if candidates:
        candidate = candidates[0]
        unread_flags = all(c.detail.startswith("writes ") for c in candidates)
        if unread_flags and not registrations and repo.ci.of_kind(ActionKind.REGISTER_MODEL):
            return unknown(
                f"{candidate.location} {candidate.detail}; models are registered by CI, which may read it",
                refs([(c.location, c.detail) for c in candidates]),
            )
        return failed(
            f"no working evaluation gate: {candidate.location} {candidate.detail}",
            refs([(c.location, c.detail) for c in candidates] + registration_refs),
        )
    if registrations:
        module, call = registrations[0]
        return failed(
            f"{module.path}:{call.line} registers every model it is given: no code compares the candidate "
            "with the current model from the registry before registration",
            refs(registration_refs),
        )
    return failed(
        "no code compares a candidate with the current model from the registry and blocks a worse one; "
        f"looked at {_plural(len(code), 'non-test module')}"
    )


def scoring_script_is_tested(repo: RepoEvidence) -> CheckResult:
    scripts = _scoring_scripts(repo)
    if not scripts:
        return _no_scoring_script(repo)
    index = _module_index(repo)
    tests = _test_modules(repo)
    tested: list[tuple[PythonModule, PythonModule, str]] = []
    for test in tests:
        imported = {m.path for m in index.targets(test)}
        loaded = {m.path for m in _loaded_by_path(test, _code_modules(repo))}
        for script in scripts:
            if script.path in imported:
                tested.append((script, test, "imports"))
            elif script.path in loaded:
                tested.append((script, test, "loads"))
    if tested:
        script, test, how = tested[0]
        return passed(
            f"scoring script {script.path} (init/run) is tested: {test.path} {how} it",
            refs([(t.path, f"{how} {s.path}") for s, t, how in tested]),
        )
    return failed(
        f"{_names(s.path for s in scripts)} define init() and run(), but none of the "
        f"{_plural(len(tests), 'test module')} imports or loads them",
        refs([(s.path, "init() and run(), untested") for s in scripts]),
    )


def has_model_card(repo: RepoEvidence) -> CheckResult:
    cards = repo.project.model_cards
    complete = [c for c in cards if len(c.sections) >= 2]
    if complete:
        card = max(complete, key=lambda c: len(c.sections))
        return passed(
            f"model card {card.path} covers {_names(sorted(card.sections), 4)}",
            refs([(c.path, _names(sorted(c.sections), 4)) for c in complete]),
        )
    if cards:
        card = cards[0]
        has = _names(sorted(card.sections), 4) if card.sections else "none"
        return failed(
            f"model card {card.path} has too few of the sections intended use, training data, metrics and "
            f"limitations (found: {has}; at least 2 needed)",
            refs([(c.path, f"sections: {_names(sorted(c.sections), 4) or 'none'}") for c in cards]),
        )
    return failed("no model card (MODEL_CARD.md, model_card.md, docs/model-card.md, *modelcard*.md)")


def has_load_tests(repo: RepoEvidence) -> CheckResult:
    found = {t.path: t.tool for t in repo.project.load_tests}
    for module in repo.python.modules:
        if module.imports_any("locust"):
            found.setdefault(module.path, "locust")
    if found:
        path, tool = next(iter(found.items()))
        return passed(f"{tool} load test {path}", refs([(p, t) for p, t in found.items()]))
    online = repo.azureml.of_kind(AmlKind.ONLINE_ENDPOINT, AmlKind.ONLINE_DEPLOYMENT)
    batch = repo.azureml.of_kind(AmlKind.BATCH_ENDPOINT, AmlKind.BATCH_DEPLOYMENT)
    if batch and not online:
        return not_applicable(
            "batch scoring only: there is no online endpoint to load-test",
            refs([(a.location, a.kind.value) for a in batch]),
        )
    return failed(
        "no load test for the scoring endpoint (locustfile.py, a module importing locust, a k6 script, *.jmx)"
    )


# -- level 4 and 5 ---------------------------------------------------------------------------


def _is_training_module(module: PythonModule) -> bool:
    if "train" in posixpath.basename(module.path):
        return True
    return any(c.name.rpartition(".")[2] in TRAINING_CALLS for c in module.calls) or bool(
        _mlflow_logging_calls(module)
    )


def shares_feature_code(repo: RepoEvidence) -> CheckResult:
    scorers = _scoring_scripts(repo)
    if not scorers:
        result = _no_scoring_script(repo)
        if result.outcome == Outcome.NOT_APPLICABLE:
            return not_applicable(
                "deployments serve MLflow models without a scoring script: the model itself carries its "
                "transformations",
                result.evidence,
            )
        return failed(f"no scoring script to share feature code with: {result.found}", result.evidence)
    scorer_paths = {s.path for s in scorers}
    trainers = [m for m in _code_modules(repo) if m.path not in scorer_paths and _is_training_module(m)]
    if not trainers:
        return failed(
            f"no training module (one that calls fit/train, logs to MLflow or is named *train*) to compare "
            f"with the scoring script {scorers[0].path}"
        )
    index = _module_index(repo)
    for scorer in scorers:
        serving = index.closure(scorer)
        if not serving:
            continue
        for trainer in _nearest_first(scorer.path, trainers):
            shared = set(serving) & set(index.closure(trainer)) - {scorer.path, trainer.path}
            if shared:
                module = serving[sorted(shared)[0]]
                return passed(
                    f"{module.path} is used by the training code ({trainer.path}) and the scoring script "
                    f"({scorer.path})",
                    refs([(module.path, "shared"), (trainer.path, "training"), (scorer.path, "scoring")]),
                )
    scorer = scorers[0]
    return failed(
        f"the scoring script {scorer.path} imports no project module that the training code "
        f"({_names(t.path for t in trainers)}) also uses",
        refs([(s.path, "scoring script") for s in scorers] + [(t.path, "training") for t in trainers]),
    )


def _nearest_first(path: str, modules: list[PythonModule]) -> Iterator[PythonModule]:
    yield from sorted(modules, key=lambda m: -_shared_folders(path, m.path))


def _strings_in(value: Any, line: int, depth: int = 0) -> Iterator[tuple[str, int]]:
    """Every string in a loaded YAML document with the line of its key or list item."""
    if depth > 30:
        return
    if isinstance(value, str):
        yield value, line
    elif isinstance(value, dict):
        key_line = getattr(value, "key_line", None)
        for key, item in value.items():
            yield from _strings_in(item, key_line(key) if key_line else line, depth + 1)
    elif isinstance(value, list):
        item_line = getattr(value, "item_line", None)
        for index, item in enumerate(value):
            yield from _strings_in(item, item_line(index) if item_line else line, depth + 1)


def runs_responsible_ai_analysis(repo: RepoEvidence) -> CheckResult:
    code = _code_modules(repo)
    analysing = [(m, _imported_roots(m, RESPONSIBLE_AI_LIBRARIES)) for m in code]
    analysing = [(m, libs) for m, libs in analysing if libs]
    components = [
        (Location(asset.path, line), value)
        for asset in repo.azureml.assets for value, line in _strings_in(asset.data, asset.line)
        if "rai_" in value and RAI_COMPONENT.search(value)
    ]
    evidence = [(m.path, f"imports {_names(libs)}") for m, libs in analysing]
    evidence += components
    if analysing:
        module, libs = analysing[0]
        return passed(f"{module.path} runs Responsible AI analysis with {_names(libs)}", refs(evidence))
    if components:
        location, value = components[0]
        return passed(f"{location} uses the Responsible AI component {value}", refs(evidence))
    return failed(
        f"no fairness or explainability analysis ({_names(RESPONSIBLE_AI_LIBRARIES[:4], 4)}, or Azure ML "
        f"rai_* components); looked at {_plural(len(code), 'non-test module')} and "
        f"{_plural(len(repo.azureml.assets), 'Azure ML YAML file')}"
    )


CHECKS = (
    declares_dependencies,
    is_git_repository,
    has_ml_code_in_modules,
    has_pinned_environment,
    has_unit_tests_for_project_code,
    has_lint_config,
    has_pre_commit_hooks,
    has_no_committed_secrets,
    has_no_large_binaries,
    has_dependency_update_bot,
    has_codeowners,
    tracks_experiments,
    registers_models,
    sets_random_seeds,
    validates_data,
    has_evaluation_gate,
    scoring_script_is_tested,
    has_model_card,
    has_load_tests,
    shares_feature_code,
    runs_responsible_ai_analysis,
)
