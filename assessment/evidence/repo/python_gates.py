"""Evaluation gates: code that compares a candidate with the current model and stops a worse one.

A gate needs, in one module, a read of the current model or its metrics from a registry
(`search_model_versions`, `get_latest_versions`, `models.get`, `load_model("models:/...")`, ...)
and a comparison (`<`, `<=`, `>`, `>=` between two computed values, or a call such as
`is_better(...)`) in an `if` or `assert` that blocks the candidate:

- a branch raises or exits with a non-zero status;
- registration (or promotion / deployment) happens in one branch only, or after the `if`
  while the other branch returns early;
- the branches set a flag to different values and the flag is written to a file that a
  module registering models reads (cross-module: `link_gates`), as the Azure MLOps v2
  template does with `deploy_flag`.

Strictness: a comparison whose blocking branch can never run (`if True or ...`), a flag that
is the same in both branches, or a flag that the reader overwrites with a constant before
its `if` (MLOps v2's `deploy_flag=1`) is not a gate; it becomes a *gate candidate* whose
detail says why, so the report can explain the failure.

Only modules that read a registry or register models are analysed (`needs_analysis`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.python_model import Call, EvaluationGate, PythonModule

REGISTRY_READS = (
    "search_model_versions", "get_latest_versions", "get_model_version", "get_registered_model",
    "get_model_version_by_alias", "models.get", "models.list",
    "Model.list",  # Azure ML SDK v1 (azureml.core.Model)
)
RUN_READS = ("get_run", "get_metric_history")
REGISTRATIONS = (
    "register_model", "create_model_version", "models.create_or_update", "models.begin_create_or_update",
    "Model.register",  # Azure ML SDK v1 (azureml.core.Model.register)
)
PROMOTIONS = (
    "transition_model_version_stage", "set_registered_model_alias", "copy_model_version", "models.share",
    "online_deployments.begin_create_or_update", "batch_deployments.begin_create_or_update",
)
_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "builtins.exit"})
# Cancelling the pipeline run stops the steps after evaluation (SDK v1 `run.parent.cancel()`, v2 jobs).
_CANCEL_CALLS = ("parent.cancel", "jobs.begin_cancel")
_FILE_WRITES = ("write", "write_text", "writelines", "dump")
_BETTER_CALL = re.compile(r"better|improv|outperform|beats?\b|exceed|champion", re.IGNORECASE)
# Ordering comparisons that count things (versions, retries, lengths) are not metric comparisons.
_COUNTING_WORDS = frozenset(
    {
        "version", "versions", "len", "count", "counts", "retry", "retries", "attempt", "attempts", "epoch",
        "epochs", "time", "timestamp", "date", "size", "index", "idx", "step", "steps", "iteration",
        "i", "j", "n",
    }
)
_MODE_STRINGS = frozenset({"r", "rb", "w", "wb", "a", "ab", "r+", "w+", "utf-8", "utf8", "ascii"})
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Names that say they carry a promotion decision (used only to explain failures, never to pass).
_FLAG_NAME = re.compile(r"flag|deploy|promot|regist|better|approv|accept|gate", re.IGNORECASE)


def _last(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.rpartition(".")[2] for name in names)


# A set lookup on a call's last name segment rules out almost every call before the precise tests.
_REGISTER_LAST = _last((*REGISTRATIONS, "log_model"))
# Every call registers_model() accepts ends with one of these (for PythonEvidence.calls_ending).
REGISTRATION_LAST_NAMES = tuple(sorted(_REGISTER_LAST))
_PROMOTE_LAST = _last((*REGISTRATIONS, *PROMOTIONS, "log_model"))
_READ_LAST = _last((*REGISTRY_READS, "load_model"))


def registers_model(call: Call) -> bool:
    """mlflow.register_model, create_model_version, ml_client.models.create_or_update, or
    log_model(..., registered_model_name=...)."""
    if call.name.rpartition(".")[2] not in _REGISTER_LAST:
        return False
    # Dotted only: a bare `register_model(...)` is a local function or a pipeline component, not the API.
    if any(call.name.endswith("." + s) for s in REGISTRATIONS):
        return True
    return call.endswith("log_model") and "registered_model_name" in call.keywords


def promotes_model(call: Call) -> bool:
    if call.name.rpartition(".")[2] not in _PROMOTE_LAST:
        return False
    return registers_model(call) or any(call.endswith(s) for s in PROMOTIONS)


def reads_registry(call: Call) -> bool:
    if call.name.rpartition(".")[2] not in _READ_LAST:
        return False
    if any(call.endswith(s) for s in REGISTRY_READS):
        return True
    return call.endswith("load_model") and any(a.startswith("models:/") for a in call.string_args)


# Last name segments of every call above: a set lookup rules out almost all calls cheaply.
_LAST_SEGMENTS = frozenset(
    name.rpartition(".")[2]
    for name in (*REGISTRY_READS, *RUN_READS, *REGISTRATIONS, *PROMOTIONS, "load_model", "log_model")
)


def needs_analysis(calls: Iterable[Call]) -> bool:
    return any(
        c.name.rpartition(".")[2] in _LAST_SEGMENTS
        and (reads_registry(c) or promotes_model(c) or any(c.endswith(s) for s in RUN_READS))
        for c in calls
    )


@dataclass(frozen=True)
class FlagWrite:
    """A flag set by a comparison with the current model and written to a file."""

    flag: str
    keys: frozenset[str]  # the flag's name and the strings around the write (file names)
    location: Location  # the comparison


@dataclass(frozen=True)
class FlagRead:
    """An `if <flag>` that guards registration, with the flag read from a file (or overridden)."""

    flag: str
    keys: frozenset[str]
    location: Location  # the `if`
    bypass_line: int | None = None  # line that sets the flag to a constant before the `if`
    binding_line: int | None = None  # line that computes the flag


@dataclass
class GateFacts:
    gates: list[EvaluationGate] = field(default_factory=list)
    candidates: list[EvaluationGate] = field(default_factory=list)
    flag_writes: list[FlagWrite] = field(default_factory=list)
    flag_reads: list[FlagRead] = field(default_factory=list)


def analyse(
    path: str,
    tree: ast.Module,
    resolved: dict[int, Call],
    nodes: ModuleNodes,
    registry_via: str | None = None,
) -> GateFacts:
    """Gate facts of one module; `resolved` maps id(ast.Call node) to its resolved Call.

    *registry_via* names a project function the module calls that reads the registry for it."""
    return _Analyser(path, tree, resolved, nodes, registry_via).run()


def link_gates(modules: list[PythonModule], facts_by_path: dict[str, GateFacts]) -> None:
    """Pair flag writers with flag readers across modules; add the resulting gates and candidates."""
    by_path = {m.path: m for m in modules}
    writes = [(path, w) for path, facts in facts_by_path.items() for w in facts.flag_writes]
    matched: set[FlagWrite] = set()
    for reader_path, read in ((p, r) for p, facts in facts_by_path.items() for r in facts.flag_reads):
        reader_at = f"{reader_path}:{read.location.line}"
        partners = _closest(reader_path, [(p, w) for p, w in writes if w.keys & read.keys])
        for writer_path, write in partners:
            matched.add(write)
            if read.bypass_line is None:
                detail = (
                    f"sets {write.flag} from the comparison with the current model; "
                    f"{reader_at} registers only when it is set"
                )
                _add(by_path[writer_path], gate=EvaluationGate(write.location, detail))
            else:
                detail = (
                    f"sets {write.flag} from the comparison, but {reader_path}:{read.bypass_line} overwrites "
                    f"{read.flag} with a constant before the check at line {read.location.line}: "
                    "every candidate is registered"
                )
                _add(by_path[writer_path], candidate=EvaluationGate(write.location, detail))
        if not partners and _FLAG_NAME.search(read.flag):
            if read.bypass_line is not None:
                detail = (
                    f"line {read.bypass_line} sets {read.flag} to a constant just before `if {read.flag}`: "
                    "registration does not depend on any comparison"
                )
            else:
                detail = (
                    f"registers only when {read.flag} (computed at line {read.binding_line}) is set, but no "
                    "module sets it from a comparison with the current model"
                )
            _add(by_path[reader_path], candidate=EvaluationGate(read.location, detail))
    for writer_path, write in writes:
        if write not in matched:
            detail = (
                f"writes {write.flag} after comparing with the current model, "
                "but no module reads it before registering"
            )
            _add(by_path[writer_path], candidate=EvaluationGate(write.location, detail))


def _closest(path: str, partners: list[tuple[str, FlagWrite]]) -> list[tuple[str, FlagWrite]]:
    """The partners nearest to *path* in the folder tree (a repo may hold several template variants)."""
    if len(partners) < 2:
        return partners
    folder = path.split("/")[:-1]

    def shared(other: str) -> int:
        count = 0
        for mine, theirs in zip(folder, other.split("/")[:-1], strict=False):
            if mine != theirs:
                break
            count += 1
        return count

    best = max(shared(p) for p, _ in partners)
    return [(p, w) for p, w in partners if shared(p) == best]


def _add(
    module: PythonModule, *, gate: EvaluationGate | None = None, candidate: EvaluationGate | None = None
) -> None:
    if gate is not None and gate not in module.gates:
        module.gates = (*module.gates, gate)
    if candidate is not None and candidate not in module.gate_candidates:
        module.gate_candidates = (*module.gate_candidates, candidate)


# -- statement structure -----------------------------------------------------------------------

Frame = tuple[list, int, ast.AST | None]  # (block, index of the statement in it, statement owning the block)


def _child_blocks(statement: ast.stmt) -> Iterator[list]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(statement, "handlers", ()) or ():
        yield handler.body
    for case in getattr(statement, "cases", ()) or ():
        yield case.body


def _statements(
    block: list, frames: tuple[Frame, ...], owner: ast.AST | None
) -> Iterator[tuple[ast.stmt, tuple]]:
    for index, statement in enumerate(block):
        here = (*frames, (block, index, owner))
        yield statement, here
        for child in _child_blocks(statement):
            yield from _statements(child, here, statement)


def _walk_no_defs(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node under *nodes*, without entering nested functions, classes and lambdas."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _DEFS):
                stack.append(child)


def _assigned_names(statement: ast.AST) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
        return [statement.target.id]
    return []


def _constant_truth(test: ast.expr) -> bool | None:
    """True/False when the test is constant (`True`, `x > y or True`), None when it depends on data."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _constant_truth(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [_constant_truth(v) for v in test.values]
        if isinstance(test.op, ast.Or) and True in values:
            return True
        if isinstance(test.op, ast.And) and False in values:
            return False
    return None


def _strings(node: ast.AST) -> frozenset[str]:
    return frozenset(
        n.value for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        and 3 <= len(n.value) <= 100 and n.value.lower() not in _MODE_STRINGS
    )


@dataclass
class ModuleNodes:
    """Nodes the module walk in python_code.py already collected, so the analysis needs no new walk."""

    calls: list[ast.Call]
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef]
    assignments: list[ast.Assign]


class _Analyser:
    def __init__(
        self,
        path: str,
        tree: ast.Module,
        resolved: dict[int, Call],
        nodes: ModuleNodes,
        registry_via: str | None,
    ) -> None:
        self.path = path
        self.registry_via = registry_via
        self.tree = tree
        self.resolved = resolved
        self.facts = GateFacts()
        self.comparison_names: set[str] = set()
        self.registering_functions: set[str] = set()
        self.promoting_lines: list[int] = []
        self.reads_registry = registry_via is not None or any(reads_registry(c) for c in resolved.values())
        self._survey(nodes)

    def _survey(self, nodes: ModuleNodes) -> None:
        """Functions that register, lines that register, names assigned from comparisons, and reads
        of a registered version's run."""
        direct = sorted(c.line for c in self.resolved.values() if promotes_model(c))
        for function in nodes.functions:
            end = function.end_lineno or function.lineno
            if any(function.lineno <= line <= end for line in direct):
                self.registering_functions.add(function.name)
        self.promoting_lines = sorted(
            c.line for c in self.resolved.values()
            if promotes_model(c) or c.name.rpartition(".")[2] in self.registering_functions
        )
        for assignment in nodes.assignments:
            value = assignment.value
            if isinstance(value, ast.Compare | ast.BoolOp | ast.UnaryOp | ast.Call) and self._compares(
                value, use_names=False
            ):
                self.comparison_names.update(_assigned_names(assignment))
        if self.reads_registry:
            return
        for node in nodes.calls:
            call = self.resolved.get(id(node))
            if call is not None and any(call.endswith(s) for s in RUN_READS):
                # client.get_run(version.run_id): the metrics of a registered version
                args = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(a, ast.Attribute) and a.attr == "run_id" for a in args):
                    self.reads_registry = True
                    return

    def _promotes_within(self, node: ast.stmt) -> bool:
        """Cheap pre-test: does any registering call sit on the lines of *node*?"""
        end = node.end_lineno or node.lineno
        return any(node.lineno <= line <= end for line in self.promoting_lines)

    def run(self) -> GateFacts:
        for statement, frames in _statements(self.tree.body, (), None):
            if isinstance(statement, ast.Assert) and self.reads_registry and self._compares(statement.test):
                self._gate(statement, "asserts that the candidate beats the current model")
            elif isinstance(statement, ast.If):
                if self._compares(statement.test):
                    if self.reads_registry:
                        self._comparing_if(statement, frames)
                else:
                    self._guarding_if(statement, frames)
        return self.facts

    # -- what code does ------------------------------------------------------------------
    def _promotes_call(self, node: ast.Call) -> bool:
        call = self.resolved.get(id(node))
        if call is None:
            return False
        return promotes_model(call) or call.name.rpartition(".")[2] in self.registering_functions

    def _promotes(self, statements: list) -> bool:
        if not statements or not any(self._promotes_within(s) for s in statements):
            return False
        return any(isinstance(n, ast.Call) and self._promotes_call(n) for n in _walk_no_defs(statements))

    def _exits(self, statements: list) -> bool:
        for node in _walk_no_defs(statements):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call):
                call = self.resolved.get(id(node))
                if call is None:
                    continue
                if call.name in _EXIT_CALLS and _nonzero_exit(node):
                    return True
                if any(call.endswith(c) for c in _CANCEL_CALLS):
                    return True
        return False

    @staticmethod
    def _returns(statements: list) -> bool:
        return any(isinstance(n, ast.Return | ast.Continue | ast.Break) for n in _walk_no_defs(statements))

    def _compares(self, expr: ast.expr, *, use_names: bool = True) -> bool:
        for node in ast.walk(expr):
            if isinstance(node, ast.Compare) and _orders_metrics(node):
                return True
            if isinstance(node, ast.Call):
                call = self.resolved.get(id(node))
                if call is not None and _BETTER_CALL.search(call.name.rpartition(".")[2]):
                    return True
            if use_names and isinstance(node, ast.Name) and node.id in self.comparison_names:
                return True
        return False

    # -- gates ---------------------------------------------------------------------------
    def _gate(self, node: ast.AST, detail: str) -> None:
        if self.registry_via:
            detail += f" (the current model is read by {self.registry_via})"
        self.facts.gates.append(EvaluationGate(Location(self.path, node.lineno), detail))

    def _candidate(self, node: ast.AST, detail: str) -> None:
        self.facts.candidates.append(EvaluationGate(Location(self.path, node.lineno), detail))

    def _comparing_if(self, statement: ast.If, frames: tuple[Frame, ...]) -> None:
        always = _constant_truth(statement.test)
        runs = (always is not False, always is not True)  # (body can run, else can run)
        branches = (statement.body, statement.orelse)

        exits = tuple(self._exits(b) for b in branches)
        if exits[0] != exits[1]:
            if runs[0 if exits[0] else 1]:
                self._gate(statement, "stops the run (raise, exit, cancel) when the candidate is not better")
            else:
                self._candidate(statement, "the branch that stops a worse candidate can never run")
            return
        promotes = tuple(self._promotes(b) for b in branches)
        if promotes[0] != promotes[1]:
            if runs[1 if promotes[0] else 0]:
                self._gate(statement, "registers the candidate only when it beats the current model")
            else:
                self._candidate(statement, "the comparison cannot fail: registration always runs")
            return
        returns = tuple(self._returns(b) for b in branches)
        if returns[0] != returns[1] and not any(promotes) and self._promotes_after(frames):
            if runs[0 if returns[0] else 1]:
                self._gate(statement, "returns before registration when the candidate is not better")
            else:
                self._candidate(statement, "the early return for a worse candidate can never run")
            return
        self._flag_write(statement, frames, runs)

    def _flag_write(self, statement: ast.If, frames: tuple[Frame, ...], runs: tuple[bool, bool]) -> None:
        body = _constant_assignments(statement.body)
        orelse = _constant_assignments(statement.orelse)
        for flag in sorted(body.keys() | orelse.keys()):
            values = []
            for branch, can_run in ((body, runs[0]), (orelse, runs[1])):
                if not can_run:
                    continue
                if flag in branch:
                    values.append(branch[flag])
                else:  # not set in this branch: the value from before the `if` stays
                    before = self._binding(flag, frames)
                    values.append(before[3] if before and before[0] == "constant" else None)
            if None in values:
                continue
            if len(set(values)) < 2:
                self._candidate(statement, f"{flag} gets the same value whatever the comparison says")
                continue
            outcome = self._written_after(flag, frames)
            if outcome is None:
                continue
            kind, line, keys = outcome
            if kind == "override":
                self._candidate(statement, f"line {line} overwrites {flag} with a constant before it is used")
            else:
                location = Location(self.path, statement.lineno)
                self.facts.flag_writes.append(FlagWrite(flag, keys | {flag}, location))

    def _guarding_if(self, statement: ast.If, frames: tuple[Frame, ...]) -> None:
        """`if flag: register()` — where does the flag come from?"""
        if not self._promotes_within(statement) or _tests_none(statement.test):
            return
        if self._promotes(statement.body) == self._promotes(statement.orelse):
            return
        for name in dict.fromkeys(n.id for n in ast.walk(statement.test) if isinstance(n, ast.Name)):
            binding = self._binding(name, frames)
            if binding is None:
                continue
            kind, line, keys, _ = binding
            location = Location(self.path, statement.lineno)
            if kind == "comparison" and self.reads_registry:
                self._gate(statement, f"registers only when {name} (compared at line {line}) is true")
            elif kind == "constant":
                self.facts.flag_reads.append(FlagRead(name, keys | {name}, location, bypass_line=line))
            elif kind == "read":
                self.facts.flag_reads.append(FlagRead(name, keys | {name}, location, binding_line=line))
            return

    # -- data flow within one function ---------------------------------------------------
    def _binding(self, name: str, frames: tuple[Frame, ...]) -> tuple[str, int, frozenset[str], bool] | None:
        """The last assignment of *name* before the statement at frames[-1]: (kind, line, keys, truth).

        kind: "constant", "comparison", "read" (computed by a call, e.g. read from a file) or "unknown"."""
        for block, index, owner in reversed(frames):
            for statement in reversed(block[:index]):
                found = self._binding_in(statement, name)
                if found is not None:
                    return found
            if isinstance(owner, _DEFS):
                break
        return None

    def _binding_in(self, statement: ast.stmt, name: str) -> tuple[str, int, frozenset[str], bool] | None:
        if isinstance(statement, _DEFS):
            return None
        assignments = [n for n in _walk_no_defs([statement]) if name in _assigned_names(n)]
        if not assignments:
            return None
        for node in _walk_no_defs([statement]):
            if isinstance(node, ast.If) and self._compares(node.test) and any(
                name in _assigned_names(n) for n in _walk_no_defs(node.body + node.orelse)
            ):
                return ("comparison", node.lineno, frozenset(), False)
        last = max(assignments, key=lambda n: (n.lineno, n.col_offset))
        value = last.value
        if isinstance(value, ast.Constant):
            return ("constant", last.lineno, frozenset(), bool(value.value))
        if self._compares(value):
            return ("comparison", last.lineno, frozenset(), False)
        if any(isinstance(n, ast.Call) for n in ast.walk(value)):
            return ("read", last.lineno, _strings(statement), False)
        return ("unknown", last.lineno, frozenset(), False)

    def _following(self, frames: tuple[Frame, ...]) -> Iterator[ast.stmt]:
        """Statements that run after the statement at frames[-1], up to the end of its function."""
        for block, index, owner in reversed(frames):
            yield from block[index + 1:]
            if isinstance(owner, _DEFS):
                return

    def _promotes_after(self, frames: tuple[Frame, ...]) -> bool:
        return any(self._promotes([s]) for s in self._following(frames))

    def _written_after(self, flag: str, frames: tuple[Frame, ...]) -> tuple[str, int, frozenset[str]] | None:
        for statement in self._following(frames):
            if flag in _assigned_names(statement) and isinstance(statement.value, ast.Constant):
                return ("override", statement.lineno, frozenset())
            for node in _walk_no_defs([statement]):
                if not isinstance(node, ast.Call):
                    continue
                call = self.resolved.get(id(node))
                if call is None or not any(call.endswith(w) for w in _FILE_WRITES):
                    continue
                arguments = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(n, ast.Name) and n.id == flag for a in arguments for n in ast.walk(a)):
                    return ("write", statement.lineno, _strings(statement))
        return None


def _constant_assignments(statements: list) -> dict[str, bool | None]:
    """Names assigned in *statements* (at any depth) -> the truth of the literal they get, None when
    the value is computed; the last assignment wins."""
    values: dict[str, bool | None] = {}
    for node in sorted(
        (n for n in _walk_no_defs(statements) if isinstance(n, ast.Assign | ast.AnnAssign)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        truth = bool(node.value.value) if isinstance(node.value, ast.Constant) else None
        for name in _assigned_names(node):
            values[name] = truth
    return values


def _tests_none(test: ast.expr) -> bool:
    """`if model is not None:` checks that something exists; it decides nothing about quality."""
    return (
        isinstance(test, ast.Compare)
        and all(isinstance(op, ast.Is | ast.IsNot) for op in test.ops)
        and any(isinstance(c, ast.Constant) and c.value is None for c in test.comparators)
    )


def _nonzero_exit(node: ast.Call) -> bool:
    """sys.exit(1), sys.exit("worse") stop with a failure; sys.exit(), sys.exit(0) succeed."""
    if not node.args:
        return False
    arg = node.args[0]
    return not (isinstance(arg, ast.Constant) and arg.value in (0, None, False))


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant)


def _orders_metrics(node: ast.Compare) -> bool:
    """`new_score > current_score`: an ordering between two computed values that are not counters."""
    if not any(isinstance(op, ast.Gt | ast.GtE | ast.Lt | ast.LtE) for op in node.ops):
        return False
    operands = [node.left, *node.comparators]
    if sum(not _is_literal(o) for o in operands) < 2:
        return False
    words = {w for o in operands for w in re.findall(r"[a-z]+", ast.unparse(o).lower())}
    return not words & _COUNTING_WORDS
