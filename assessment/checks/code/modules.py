"""Which Python modules are project code and which are tests, the project modules an import names,
and the modules a test loads by path.

Project modules are matched to imports by their guessed dotted name or any dotted suffix of it
(`src/pkg/features.py` answers `pkg.features` and `features`), so tests that put a folder on
sys.path still count.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence, PythonModule

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

# Files that are project tooling, not project code.
TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "tasks.py", "fabfile.py", "conftest.py", "manage.py"})


def code_modules(repo: RepoEvidence) -> list[PythonModule]:
    """Non-test modules that are project code (not setup.py, noxfile.py or docs/conf.py)."""
    return list(repo.python.derived("code.project_modules", _project_modules))


def _project_modules(python: PythonEvidence) -> list[PythonModule]:
    return [
        m for m in python.modules
        if not m.is_test
        and posixpath.basename(m.path) not in TOOLING_FILES
        and not m.path.startswith("docs/")
    ]


def project_tests(repo: RepoEvidence) -> list[PythonModule]:
    return [m for m in repo.python.test_modules if posixpath.basename(m.path) != "conftest.py"]


def is_under(name: str, roots: Iterable[str]) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def imported_roots(module: PythonModule, roots: Iterable[str]) -> list[str]:
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
            for module in nearest(importer.path, candidates):
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


def module_index(repo: RepoEvidence) -> ModuleIndex:
    """One ModuleIndex for all checks: what a module imports is worked out once per assessment."""
    return repo.python.derived("code.module_index", ModuleIndex)


def shared_folders(a: str, b: str) -> int:
    count = 0
    for mine, theirs in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def nearest(path: str, modules: list[PythonModule]) -> list[PythonModule]:
    if len(modules) < 2:
        return modules
    best = max(shared_folders(path, m.path) for m in modules)
    return [m for m in modules if shared_folders(path, m.path) == best]


def loaded_by_path(test: PythonModule, modules: list[PythonModule]) -> list[PythonModule]:
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
        for module in nearest(test.path, candidates):
            found[module.path] = module
    return list(found.values())
