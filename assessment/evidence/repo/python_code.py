"""Read Python modules and Jupyter notebooks into facts (imports, calls, seeds, evaluation gates).

Each `.py` file is parsed once with `ast` and walked once with a hand-rolled stack walk
(about twice as fast as `ast.walk`: it skips expression contexts and leaf fields). Calls are
resolved through the module's import aliases after the walk, so an import that comes after
its use still resolves. Evaluation gates need the statement structure and are looked for
only in the few modules that read the model registry or register models (python_gates.py).

Notebooks are JSON: code cells are counted and their import lines read with a line scan.
A file that does not parse gets a Note and is skipped; nothing here raises on bad input.

Large repositories (PARALLEL_MIN_FILES Python files or more, on Linux) are parsed by forked
worker processes as well as this one (start_parsing, ParseJob); the facts, the notes and
their order are the same as a serial scan's.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.common import Location, Note
from mlops_ladder.assessment.evidence.repo import python_gates
from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.python_gates import GateFacts, registers_model
from mlops_ladder.assessment.evidence.repo.python_model import (
    Call,
    Notebook,
    PythonEvidence,
    PythonModule,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["collect", "is_test_path", "module_name", "registers_model"]

TEST_FOLDERS = frozenset({"tests", "test"})
_MAX_STRING_ARG = 500
_PY_FILE = re.compile(r"[\w./\\-]*\w\.py\b")

# Fields that never hold a node worth visiting: expression contexts, operators, names as text.
_SKIPPED_FIELDS = frozenset(
    {"ctx", "op", "ops", "type_comment", "kind", "attr", "id", "arg", "name", "asname"}
)
_LEAVES = (ast.Name, ast.Constant, ast.Import, ast.ImportFrom, ast.alias, ast.Pass, ast.Break, ast.Continue)
_FIELDS: dict[type, tuple[str, ...]] = {leaf: () for leaf in _LEAVES}


def _fields_of(node_type: type) -> tuple[str, ...]:
    fields = ()
    if issubclass(node_type, ast.AST):
        fields = tuple(f for f in node_type._fields if f not in _SKIPPED_FIELDS)
    _FIELDS[node_type] = fields
    return fields


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


# -- collection ------------------------------------------------------------------------------


def collect(
    files: RepoFiles, *, processes: int | None = None, started: ParseJob | None = None
) -> PythonEvidence:
    """Facts of every `.py` file and notebook.

    *processes*: how many processes parse the Python files (None: decided from the number of
    files and CPUs; 1: this process only). *started*: the job start_parsing() returned, when
    workers were started earlier so that they parse while other collectors run."""
    evidence = PythonEvidence()
    gate_facts: dict[str, GateFacts] = {}
    registry_helpers: set[str] = set()  # "pkg.util.get_production_model": functions that read the registry
    job = started if started is not None else start_parsing(files, processes=processes)
    if job is not None:
        parsed_files = job.finish()
    else:
        parsed_files = [_read_and_parse(files, path) for path in _python_paths(files)]
    for parsed in parsed_files:
        if parsed is not None:
            evidence.modules.append(parsed.module)
            if parsed.facts is not None:
                gate_facts[parsed.module.path] = parsed.facts
            registry_helpers.update(f"{parsed.module.module}.{name}" for name in parsed.registry_functions)
    if registry_helpers:
        _analyse_helper_callers(files, evidence.modules, gate_facts, registry_helpers)
    if gate_facts:
        python_gates.link_gates(evidence.modules, gate_facts)
    for repo_file in [f for f in files.files if f.path.endswith(".ipynb")]:
        notebook = _read_notebook(files, repo_file.path)
        if notebook is not None:
            evidence.notebooks.append(notebook)
    return evidence


def _analyse_helper_callers(
    files: RepoFiles, modules: list[PythonModule], gate_facts: dict[str, GateFacts], helpers: set[str]
) -> None:
    """Look for gates in modules that read the registry through a project helper
    (`from util.model_helper import get_model`). These few modules are parsed a second time."""
    suffixes: dict[str, str] = {}
    for helper in helpers:
        parts = helper.split(".")
        for start in range(len(parts) - 1):  # at least "module.function"
            suffixes.setdefault(".".join(parts[start:]), helper)
    for module in modules:
        if module.path in gate_facts or module.is_test:
            continue
        via = next((suffixes[c.name] for c in module.calls if c.name in suffixes), None)
        text = files.read_text(module.path) if via else None
        parsed = _parse_module(files, module.path, text, registry_via=via) if text else None
        if parsed is not None and parsed.facts is not None:
            gate_facts[module.path] = parsed.facts
            module.gates, module.gate_candidates = parsed.module.gates, parsed.module.gate_candidates


@dataclass
class _Parsed:
    module: PythonModule
    facts: GateFacts | None  # None when the module neither reads the registry nor registers
    registry_functions: list[str]  # top-level functions that read the model registry


# -- parsing in several processes -------------------------------------------------------------
#
# Parsing dominates the scan of a large repository (ast.parse alone is ~80 us for a small file),
# so from PARALLEL_MIN_FILES files on, forked workers read and parse runs ("chunks") of the files.
# start_parsing() forks them right after the listing, so they work while this process collects
# the CI, IaC and Azure ML facts; collect() then takes the last chunks no worker has started
# (work stealing: the split balances itself whatever else this process had to do) and adopts
# the workers' results in file order. A worker returns, per file, the text it read, the notes
# it made and the compact facts (_Parsed, no syntax tree), so the evidence, the notes and the
# text cache are the same as a serial scan's. Anything going wrong with a worker (no fork, a
# crash, a pickling error) falls back to parsing its files here. Fork only: workers inherit
# the listing instead of receiving it.

PARALLEL_MIN_FILES = 2000
MAX_PROCESSES = 4
# Parse cost of a file ~ this many bytes of source plus its size: measured ~120 us per file
# plus ~0.15 us per byte, so small files cost mostly the fixed part.
_FILE_COST_BYTES = 800
_CHUNKS_PER_PROCESS = 24  # small enough to balance the work, large enough to keep messages few
_HAND_OUT_SECONDS = 1.0  # longest wait for the pool to give the workers their first chunks
_worker_files: RepoFiles | None = None  # a worker's (forked) copy of the listing

# Per file: the text read (None: not readable), the notes of the read, the notes of the parse, facts.
_FileResult = tuple[str | None, list[Note], list[Note], "_Parsed | None"]


def _python_paths(files: RepoFiles) -> list[str]:
    # plain string tests: RepoFile.suffix builds a PurePosixPath for every file of the listing
    return [f.path for f in files.files if f.path.endswith(".py")]


def start_parsing(files: RepoFiles, *, processes: int | None = None) -> ParseJob | None:
    """Fork workers that start parsing the Python files now; None when this process parses them
    all (a small repository, one CPU, other threads running, no fork). Pass the job to
    collect(..., started=job)."""
    python_files = [f for f in files.files if f.path.endswith(".py")]
    count = _process_count(len(python_files)) if processes is None else max(1, processes)
    if count == 1:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    chunks = _chunks(python_files, count)
    workers = min(count - 1, len(chunks))
    pool = None
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_adopt_files,
            initargs=(files,),
        )
        futures = [pool.submit(_parse_chunk, chunk) for chunk in chunks]
    except Exception:  # no fork here (sandbox, resource limits): this process parses everything
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        return None
    return ParseJob(files, chunks, pool, futures, workers)


def _process_count(file_count: int) -> int:
    # Forking a process that runs other threads can deadlock the child on a lock one of them held.
    if file_count < PARALLEL_MIN_FILES or sys.platform != "linux" or threading.active_count() > 1:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES))


def _chunks(python_files: list[RepoFile], processes: int) -> list[list[str]]:
    """Contiguous runs of paths, in file order, of about the same estimated parse cost."""
    costs = [f.size + _FILE_COST_BYTES for f in python_files]
    chunk_cost = sum(costs) / (processes * _CHUNKS_PER_PROCESS)
    chunks: list[list[str]] = []
    filled = chunk_cost  # start a new chunk with the first file
    for repo_file, cost in zip(python_files, costs, strict=True):
        if filled >= chunk_cost:
            chunks.append([])
            filled = 0.0
        chunks[-1].append(repo_file.path)
        filled += cost
    return chunks


class ParseJob:
    """Python files being read and parsed by forked workers (see start_parsing)."""

    def __init__(
        self,
        files: RepoFiles,
        chunks: list[list[str]],
        pool: ProcessPoolExecutor,
        futures: list[Future[list[_FileResult]]],
        workers: int,
    ) -> None:
        self.files = files
        self.chunks = chunks
        self.pool = pool
        self.futures = futures
        self.workers = workers

    def finish(self) -> list[_Parsed | None]:
        """The facts of every Python file, in file order, with reads and notes adopted here."""
        try:
            parsed_here = self._take_unstarted_chunks()
            parsed: list[_Parsed | None] = []
            for index, chunk in enumerate(self.chunks):
                here = index in parsed_here
                results = parsed_here[index] if here else _result(self.futures[index])
                if results is None:  # the worker failed: parse its files here, in order
                    parsed.extend(_read_and_parse(self.files, path) for path in chunk)
                    continue
                for path, (text, read_notes, parse_notes, facts) in zip(chunk, results, strict=True):
                    if here:  # already cached here; the notes were kept aside
                        self.files.notes.extend(read_notes)
                    else:
                        self.files.adopt_read(path, text, read_notes)
                    self.files.notes.extend(parse_notes)
                    parsed.append(facts)
            return parsed
        finally:
            self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _take_unstarted_chunks(self) -> dict[int, list[_FileResult]]:
        """Parse here, from the last one back, the chunks no worker has started (cancelled in the
        pool); their notes are kept aside so that they are recorded in file order afterwards."""
        # Let the pool hand the first chunks to the workers first: otherwise, right after the fork,
        # this process could cancel them all before the pool's thread has queued any.
        committed = self.futures[: self.workers]
        deadline = time.monotonic() + _HAND_OUT_SECONDS
        while not all(f.running() or f.done() for f in committed) and time.monotonic() < deadline:
            time.sleep(0.001)
        parsed_here: dict[int, list[_FileResult]] = {}
        for index in range(len(self.chunks) - 1, -1, -1):
            if not self.futures[index].cancel():
                break  # a worker has this chunk; the pool hands chunks out in order, so those before too
            first_note = len(self.files.notes)
            parsed_here[index] = _parse_chunk(self.chunks[index], self.files)
            del self.files.notes[first_note:]
        return parsed_here


def _result(future: Future[list[_FileResult]]) -> list[_FileResult] | None:
    try:
        return future.result()
    except Exception:  # a worker died or its results did not pickle: the chunk is parsed here
        return None


def _adopt_files(files: RepoFiles) -> None:
    global _worker_files
    _worker_files = files


def _parse_chunk(paths: list[str], files: RepoFiles | None = None) -> list[_FileResult]:
    """Read and parse *paths* (in a worker: with the listing the pool initializer set)."""
    files = files if files is not None else _worker_files
    assert files is not None, "the pool initializer sets the listing"
    results: list[_FileResult] = []
    for path in paths:
        first_note = len(files.notes)
        text = files.read_text(path)
        read_end = len(files.notes)
        facts = None if text is None else _parse_module(files, path, text)
        results.append((text, files.notes[first_note:read_end], files.notes[read_end:], facts))
    return results


def _read_and_parse(files: RepoFiles, path: str) -> _Parsed | None:
    text = files.read_text(path)
    return None if text is None else _parse_module(files, path, text)


def _parse_module(files: RepoFiles, path: str, text: str, registry_via: str | None = None) -> _Parsed | None:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        files.note(path, f"Python not parsed: line {exc.lineno}: {exc.msg}")
        return None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        files.note(path, f"Python not parsed: {type(exc).__name__}")
        return None
    name = module_name(path)
    is_package = path.endswith("__init__.py") or path == "__init__.py"
    scan = _ModuleScan(name if is_package else name.rpartition(".")[0])
    try:
        scan.walk(tree)
    except RecursionError:  # pragma: no cover - the walk is iterative; kept for safety
        files.note(path, "Python not parsed: RecursionError")
        return None
    calls, resolved = scan.resolve_calls()
    top_functions = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    module = PythonModule(
        path=path,
        module=name,
        is_test=is_test_path(path),
        imports=frozenset(scan.imports),
        functions=frozenset(node.name for node in top_functions),
        calls=tuple(sorted(calls, key=lambda c: c.line)),
        seeds=tuple(Location(path, line) for line in sorted(set(scan.seed_lines(resolved, tree)))),
        file_refs=frozenset(scan.file_refs),
    )
    facts = None
    registry_functions: list[str] = []
    if registry_via or python_gates.needs_analysis(module.calls):
        nodes = python_gates.ModuleNodes(scan.call_nodes, scan.function_nodes, scan.assignments)
        facts = python_gates.analyse(path, tree, resolved, nodes, registry_via=registry_via)
        module.gates = tuple(facts.gates)
        module.gate_candidates = tuple(facts.candidates)
        read_lines = [c.line for c in module.calls if python_gates.reads_registry(c)]
        registry_functions = [
            f.name for f in top_functions
            if any(f.lineno <= line <= (f.end_lineno or f.lineno) for line in read_lines)
        ]
    return _Parsed(module, facts, registry_functions)


class _ModuleScan:
    """One walk over a module's tree: imports, import aliases, call nodes and file-name literals."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.aliases: dict[str, str] = {}
        self.imports: set[str] = set()
        self.call_nodes: list[ast.Call] = []
        self.decorators: list[ast.expr] = []
        self.function_nodes: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.assignments: list[ast.Assign] = []
        self.file_refs: set[str] = set()

    def walk(self, tree: ast.AST) -> None:
        handlers = {
            ast.Call: self.call_nodes.append,
            ast.Import: self._import,
            ast.ImportFrom: self._import_from,
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
            ast.ClassDef: self._decorated,
            ast.Constant: self._constant,
            ast.Assign: self.assignments.append,
        }
        fields_cache = _FIELDS
        node_type_ast = ast.AST
        stack: list = [tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            node_type = type(node)
            handler = handlers.get(node_type)
            if handler is not None:
                handler(node)
            fields = fields_cache.get(node_type)
            if fields is None:
                fields = _fields_of(node_type)
            for field_name in fields:
                value = getattr(node, field_name, None)
                if type(value) is list:
                    extend(value)
                elif isinstance(value, node_type_ast):
                    push(value)

    # -- handlers ------------------------------------------------------------------------
    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.add(alias.name)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                head = alias.name.partition(".")[0]
                self.aliases.setdefault(head, head)

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node.module, node.level)
        if not base:
            base = ""
        else:
            self.imports.add(base)
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{base}.{alias.name}" if base else alias.name
            self.imports.add(full)
            self.aliases[alias.asname or alias.name] = full

    def _absolute(self, module: str | None, level: int) -> str:
        if not level:
            return module or ""
        parts = self.package.split(".") if self.package else []
        drop = level - 1
        parts = parts[: len(parts) - drop] if drop <= len(parts) else []
        if module:
            parts.append(module)
        return ".".join(parts)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.function_nodes.append(node)
        self._decorated(node)

    def _decorated(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        # `@pipeline(...)` is an ast.Call and is visited anyway; a bare `@pipeline` is a call too.
        for decorator in node.decorator_list:
            if type(decorator) is not ast.Call:
                self.decorators.append(decorator)

    def _constant(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) is str and ".py" in value and len(value) < 1000:
            # "score.py", "src/score.py", "python src/train.py --data x" (a command a test runs)
            self.file_refs.update(_PY_FILE.findall(value))

    # -- after the walk ------------------------------------------------------------------
    def resolve(self, parts: list[str], head_is_name: bool) -> str:
        if head_is_name:
            target = self.aliases.get(parts[0])
            if target is not None:
                return ".".join([target, *parts[1:]])
        return ".".join(parts)

    def resolve_calls(self) -> tuple[list[Call], dict[int, Call]]:
        """Calls with names resolved through the aliases, and a map from call node id to Call."""
        calls: list[Call] = []
        resolved: dict[int, Call] = {}
        for node in self.call_nodes:
            dotted = _dotted(node.func)
            if dotted is None:
                continue
            call = Call(
                name=self.resolve(*dotted),
                line=node.lineno,
                keywords=frozenset(k.arg for k in node.keywords if k.arg),
                string_args=_string_args(node),
            )
            calls.append(call)
            resolved[id(node)] = call
        for decorator in self.decorators:
            dotted = _dotted(decorator)
            if dotted is not None:
                calls.append(Call(name=self.resolve(*dotted), line=decorator.lineno))
        return calls, resolved

    def seed_lines(self, resolved: dict[int, Call], tree: ast.Module) -> list[int]:
        constants = _module_int_constants(tree)
        lines = []
        for node in self.call_nodes:
            call = resolved.get(id(node))
            if call is None:
                continue
            if _seeds_by_call(call, node, constants):
                lines.append(call.line)
                continue
            for keyword in node.keywords:
                if keyword.arg in _SEED_KEYWORDS and _is_seed_value(keyword.value, constants):
                    lines.append(call.line)
                    break
        return lines


def _dotted(expr: ast.expr) -> tuple[list[str], bool] | None:
    """The attribute chain of a called expression and whether it starts at a plain name.

    `a.b.c` -> (["a", "b", "c"], True); a chained call `Client().jobs.get` -> (["Client", "jobs", "get"],
    True); `x[0].fit` -> (["fit"], False). None when there is no name at all (`(lambda: 0)()`).
    """
    parts: list[str] = []
    while True:
        expr_type = type(expr)
        if expr_type is ast.Attribute:
            parts.append(expr.attr)
            expr = expr.value
        elif expr_type is ast.Name:
            parts.append(expr.id)
            parts.reverse()
            return parts, True
        elif expr_type is ast.Call:
            expr = expr.func
        else:
            if not parts:
                return None
            parts.reverse()
            return parts, False


def _string_value(node: ast.expr) -> str | None:
    node_type = type(node)
    if node_type is ast.Constant:
        return node.value[:_MAX_STRING_ARG] if type(node.value) is str else None
    if node_type is ast.JoinedStr:  # f"models:/{name}/Production" -> "models:/{}/Production"
        pieces = []
        for value in node.values:
            if type(value) is ast.Constant and type(value.value) is str:
                pieces.append(value.value)
            else:
                pieces.append("{}")
        return "".join(pieces)[:_MAX_STRING_ARG]
    return None


def _string_args(node: ast.Call) -> tuple[str, ...]:
    if not node.args and not node.keywords:
        return ()
    strings = []
    for arg in node.args:
        value = _string_value(arg)
        if value is not None:
            strings.append(value)
    for keyword in node.keywords:
        value = _string_value(keyword.value)
        if value is not None:
            strings.append(value)
    return tuple(strings)


# -- random seeds ----------------------------------------------------------------------------

# Calls that seed a random source whenever they get a seed argument.
_SEED_CALLS = frozenset(
    {
        "random.seed", "numpy.random.seed", "torch.manual_seed", "torch.cuda.manual_seed",
        "torch.cuda.manual_seed_all", "torch.random.manual_seed", "tensorflow.random.set_seed",
        "tensorflow.set_random_seed", "tensorflow.compat.v1.set_random_seed",
        "tensorflow.keras.utils.set_random_seed", "keras.utils.set_random_seed", "mxnet.random.seed",
        "numpy.random.default_rng", "numpy.random.RandomState", "random.Random", "numpy.random.Generator",
    }
)
_SEED_SUFFIXES = ("set_seed", "seed_everything", "set_random_seed", "manual_seed")
_SEED_KEYWORDS = frozenset({"random_state", "seed", "random_seed"})
_SEED_NAME = re.compile(r"seed|random_state", re.IGNORECASE)


_SEED_LAST_SEGMENTS = frozenset(name.rpartition(".")[2] for name in (*_SEED_CALLS, *_SEED_SUFFIXES))


def _seeds_by_call(call: Call, node: ast.Call, constants: frozenset[str]) -> bool:
    last = call.name.rpartition(".")[2]
    if last not in _SEED_LAST_SEGMENTS or (call.name not in _SEED_CALLS and last not in _SEED_SUFFIXES):
        return False
    seed = node.args[0] if node.args else next(
        (k.value for k in node.keywords if k.arg in ("seed", "random_state", "a")), None
    )
    return seed is not None and _is_seed_value(seed, constants, allow_names=True)


def _is_seed_value(node: ast.expr, constants: frozenset[str], *, allow_names: bool = False) -> bool:
    """A literal int, or a name that holds a seed (`seed`, `args.random_state`, a module int constant).

    Seed functions (`np.random.seed(x)`) accept any argument except None: their name says what it is."""
    node_type = type(node)
    if node_type is ast.Constant:
        return type(node.value) is int
    if node_type is ast.Name:
        return allow_names or node.id in constants or bool(_SEED_NAME.search(node.id))
    if node_type is ast.Attribute:
        return allow_names or bool(_SEED_NAME.search(node.attr))
    if node_type is ast.Subscript:
        key = node.slice
        return allow_names or (
            type(key) is ast.Constant and type(key.value) is str and bool(_SEED_NAME.search(key.value))
        )
    return allow_names and node_type in (ast.Call, ast.BinOp)


def _module_int_constants(tree: ast.Module) -> frozenset[str]:
    names = []
    for statement in tree.body:
        if (
            type(statement) is ast.Assign
            and type(statement.value) is ast.Constant
            and type(statement.value.value) is int
        ):
            names.extend(t.id for t in statement.targets if type(t) is ast.Name)
    return frozenset(names)


# -- notebooks -------------------------------------------------------------------------------

_IMPORT_LINE = re.compile(r"^\s*(?:from\s+([A-Za-z_][\w.]*)\s+import\b|import\s+([^#;\n]+))", re.MULTILINE)


def _read_notebook(files: RepoFiles, path: str) -> Notebook | None:
    text = files.read_text(path)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        files.note(path, f"malformed JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return None
    if not isinstance(data, dict):
        files.note(path, "not a Jupyter notebook: the JSON is not an object")
        return None
    cells = data.get("cells")
    if cells is None:  # nbformat 3 keeps cells in worksheets and code in "input"
        worksheets = [ws for ws in data.get("worksheets") or [] if isinstance(ws, dict)]
        cells = [cell for ws in worksheets for cell in ws.get("cells") or []]
    if not isinstance(cells, list):
        files.note(path, "not a Jupyter notebook: cells is not a list")
        return None
    code_cells = 0
    imports: set[str] = set()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_cells += 1
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str) and "import" in source:
            imports.update(_notebook_imports(source))
    return Notebook(path=path, code_cells=code_cells, imports=frozenset(imports))


def _notebook_imports(source: str) -> set[str]:
    found = set()
    for match in _IMPORT_LINE.finditer(source):
        if match.group(1):
            found.add(match.group(1))
            continue
        for item in match.group(2).split(","):
            name = item.split()[0] if item.split() else ""
            if re.fullmatch(r"[A-Za-z_][\w.]*", name):
                found.add(name)
    return found
