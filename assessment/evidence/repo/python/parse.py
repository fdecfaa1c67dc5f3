"""One Python module into a PythonModule: parsed with `ast` (fstrings.py reads Python 3.12 f-strings
on older interpreters), walked once (scan.py), calls resolved through the module's import aliases,
random seeds found (seeds.py). Evaluation gates need the statement structure and are looked for
only in the few modules that read the model registry or register models (registry.py,
gates/analysis.py)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.project.text_facts import python_text_facts
from mlops_ladder.assessment.evidence.repo.python.data_sources import data_sources
from mlops_ladder.assessment.evidence.repo.python.fstrings import parse_python
from mlops_ladder.assessment.evidence.repo.python.gates.analysis import analyse
from mlops_ladder.assessment.evidence.repo.python.gates.calls import may_gate_by_threshold
from mlops_ladder.assessment.evidence.repo.python.gates.facts import GateFacts, ModuleNodes
from mlops_ladder.assessment.evidence.repo.python.model import PythonModule
from mlops_ladder.assessment.evidence.repo.python.registry import needs_analysis, reads_registry
from mlops_ladder.assessment.evidence.repo.python.scan import ModuleScan
from mlops_ladder.assessment.evidence.repo.python.seeds import seed_lines

TEST_FOLDERS = frozenset({"tests", "test"})


# -- paths -----------------------------------------------------------------------------------


def module_name(path: str) -> str:
    """Dotted import name guessed from a repo path: src/pkg/train.py -> pkg.train, pkg/__init__.py -> pkg."""
    stem = path[:-3] if path.endswith(".py") else path
    if stem.startswith("src/"):
        stem = stem[4:]
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in TEST_FOLDERS for part in parts[:-1])


@dataclass
class Parsed:
    module: PythonModule
    facts: GateFacts | None  # None when the module neither reads the registry nor registers
    registry_functions: list[str]  # top-level functions that read the model registry


def read_and_parse(files: RepoFiles, path: str) -> Parsed | None:
    """Read and parse *path*; take the project facts of its text and forget the text (see
    project/text_facts.py): nothing after this needs the whole source of every module."""
    text = files.read_text(path)
    if text is None:
        return None
    parsed = parse_module(files, path, text)
    files.text_facts[path] = python_text_facts(path, text)
    files.forget_text(path)
    return parsed


def parse_module(files: RepoFiles, path: str, text: str, registry_via: str | None = None) -> Parsed | None:
    try:
        tree = parse_python(text, path)
    except SyntaxError as exc:
        files.note(path, f"Python not parsed: line {exc.lineno}: {exc.msg}")
        return None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        files.note(path, f"Python not parsed: {type(exc).__name__}")
        return None
    name = module_name(path)
    is_package = path.endswith("__init__.py") or path == "__init__.py"
    scan = ModuleScan(name if is_package else name.rpartition(".")[0])
    try:
        scan.walk(tree)
    except RecursionError:  # pragma: no cover - the walk is iterative; kept for safety
        files.note(path, "Python not parsed: RecursionError")
        return None
    calls, resolved = scan.resolve_calls()
    top_functions = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    seeds = sorted(set(seed_lines(scan.call_nodes, resolved, tree)))
    module = PythonModule(
        path=path,
        module=name,
        is_test=is_test_path(path),
        imports=frozenset(scan.imports),
        functions=frozenset(node.name for node in top_functions),
        calls=tuple(sorted(calls, key=lambda c: c.line)),
        seeds=tuple(Location(path, line) for line in seeds),
        file_refs=frozenset(scan.file_refs),
        data_sources=data_sources(
            scan.call_nodes, resolved, scan.assignments, scan.dataset_subscripts, frozenset(scan.imports)
        ),
    )
    facts = None
    registry_functions: list[str] = []
    threshold = not module.is_test and may_gate_by_threshold(module.calls, scan.orders_values)
    if registry_via or threshold or needs_analysis(module.calls):
        nodes = ModuleNodes(scan.call_nodes, scan.function_nodes, scan.assignments)
        facts = analyse(path, tree, resolved, nodes, registry_via=registry_via)
        module.gates = tuple(facts.gates)
        module.gate_candidates = tuple(facts.candidates)
        read_lines = [c.line for c in module.calls if reads_registry(c)]
        registry_functions = [
            f.name for f in top_functions
            if any(f.lineno <= line <= (f.end_lineno or f.lineno) for line in read_lines)
        ]
    return Parsed(module, facts, registry_functions)
