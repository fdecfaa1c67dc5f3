"""Checks of the code base: under version control, ML code in importable modules, unit tests that
exercise it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs
from mlops_ladder.assessment.checks.code.modules import (
    code_modules,
    imported_roots,
    is_under,
    loaded_by_path,
    module_index,
    project_tests,
)
from mlops_ladder.assessment.checks.text import name_list, plural, subject
from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

ML_LIBRARIES = (
    "pandas", "numpy", "sklearn", "torch", "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "mlflow",
    "azure.ai.ml", "transformers", "scipy", "statsmodels", "pyspark", "polars",
)


def is_git_repository(repo: RepoEvidence, min_commits: int = 1) -> CheckResult:
    git = repo.git
    if not git.is_repo:
        return failed("not a git work tree: the folder is not under version control")
    if git.commit_count < min_commits:
        return failed(
            f"a git work tree with {plural(git.commit_count, 'commit')}; at least {min_commits} needed",
            refs([(".git", "no commits yet")]),
        )
    head = f", HEAD {git.head[:12]}" if git.head else ""
    return passed(
        f"git work tree with {plural(git.commit_count, 'commit')}{head}",
        refs([(".git", f"{plural(git.commit_count, 'commit')}")]),
    )


def has_ml_code_in_modules(repo: RepoEvidence) -> CheckResult:
    code = code_modules(repo)
    with_ml = [(m, imported_roots(m, ML_LIBRARIES)) for m in code]
    with_ml = [(m, roots) for m, roots in with_ml if roots]
    # Modules without an ML import count when other code imports them and uses their functions;
    # what every module imports is worked out only when there is such a module to ask about.
    shared = [m for m in code if m.functions and not imported_roots(m, ML_LIBRARIES)]
    if shared:
        index = module_index(repo)
        imported: set[str] = set()
        for module in repo.python.modules:
            imported.update(t.path for t in index.targets(module))
        shared = [m for m in shared if m.path in imported]
    if with_ml or shared:
        first = with_ml[0] if with_ml else (shared[0], [])
        what = f"imports {name_list(first[1])}" if first[1] else "defines functions other code imports"
        evidence = [(m.path, f"imports {name_list(roots)}") for m, roots in with_ml]
        evidence += [(m.path, "imported by other modules") for m in shared]
        return passed(
            f"{subject(len(with_ml) + len(shared), 'module', 'holds', 'hold')} ML code, "
            f"e.g. {first[0].path} ({what})",
            refs(evidence),
        )
    notebooks = repo.python.notebooks
    ml_notebooks = [n for n in notebooks if any(is_under(i, ML_LIBRARIES) for i in n.imports)]
    if notebooks:
        return failed(
            f"the ML code is only in notebooks: {plural(len(notebooks), 'notebook')} "
            f"({len(ml_notebooks)} import data/ML libraries), and none of the "
            f"{plural(len(code), 'non-test module')} imports one or is imported by other code",
            refs([(n.path, f"{plural(n.code_cells, 'code cell')}") for n in ml_notebooks or notebooks]),
        )
    if code:
        return failed(
            f"{plural(len(code), 'non-test module')}, none imports a data/ML library "
            f"({name_list(ML_LIBRARIES, 5)}) or is imported by other code",
            refs([(m.path, "no data/ML import") for m in code]),
        )
    return failed("no Python modules or notebooks found")


# Folders of stand-alone scripts, not packages: a training script there does not make the release
# script beside it ML code.
SCRIPT_FOLDERS = frozenset({"scripts", "bin", "tools", "ci", "tests", "test"})


def ml_code_modules(repo: RepoEvidence) -> list[PythonModule]:
    """The modules that hold ML code: those importing a data/ML library, and every module of the same
    top-level package (its helpers). A release script or CI helper elsewhere is not ML code."""
    code = code_modules(repo)
    # by path: modules compare field by field, and `in` a list of them is quadratic in their size
    with_ml = {m.path for m in code if imported_roots(m, ML_LIBRARIES)}
    packages = {m.module.split(".")[0] for m in code if m.path in with_ml and "." in m.module}
    packages -= SCRIPT_FOLDERS
    return [m for m in code if m.path in with_ml or m.module.split(".")[0] in packages]


def has_unit_tests_for_project_code(repo: RepoEvidence) -> CheckResult:
    tests = project_tests(repo)
    code = code_modules(repo)
    if not tests:
        return failed(
            "no test modules (test_*.py, *_test.py or files under tests/); "
            f"{plural(len(code), 'non-test module')} untested"
        )
    if not code:
        return failed(f"{plural(len(tests), 'test module')} but no project module for them to test")
    ml_paths = {m.path for m in ml_code_modules(repo)}
    index = module_index(repo)
    found: list[tuple[PythonModule, PythonModule, str]] = []
    other: list[tuple[PythonModule, PythonModule, str]] = []  # tests of release scripts, CI helpers...
    for test in tests:
        targets = [(t, "imports") for t in index.targets(test) if not t.is_test]
        targets += [(t, "loads") for t in loaded_by_path(test, code)]
        for target, how in targets:
            (found if target.path in ml_paths else other).append((test, target, how))
    if found:
        testers = list(dict.fromkeys(t.path for t, _, _ in found))
        test, target, how = found[0]
        return passed(
            f"{subject(len(testers), 'test module', 'exercises', 'exercise')} ML code, "
            f"e.g. {test.path} {how} "
            f"{target.module or target.path}",
            refs([(t.path, f"{how} {m.module or m.path}") for t, m, how in found]),
        )
    if other:  # evidence about the ML code comes from the ML code: a test of a helper script is not
        test, target, how = other[0]
        return failed(
            f"{plural(len(tests), 'test module')}, none exercises the ML code "
            f"({plural(len(ml_paths), 'module')} importing a data/ML library, or in their packages); "
            f"they test other code, e.g. {test.path} {how} {target.module or target.path}",
            refs([(t.path, f"{how} {m.module or m.path}, not ML code") for t, m, how in other]),
        )
    return failed(
        f"{plural(len(tests), 'test module')}, none imports or loads one of the "
        f"{plural(len(code), 'project module')}",
        refs([(t.path, "imports no project module") for t in tests]),
    )


CHECKS = (
    is_git_repository,
    has_ml_code_in_modules,
    has_unit_tests_for_project_code,
)
