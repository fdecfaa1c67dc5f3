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

Only modules that read a registry or register models are analysed (registry.needs_analysis);
gates that span modules are linked in links.py.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.python.gates.syntax import (
    DEFS,
    Frame,
    assigned_names,
    constant_assignments,
    constant_truth,
    nonzero_exit,
    orders_metrics,
    string_constants,
    tests_none,
    walk_no_defs,
    walk_statements,
)
from mlops_ladder.assessment.evidence.repo.python.model import Call, EvaluationGate
from mlops_ladder.assessment.evidence.repo.python.registry import RUN_READS, promotes_model, reads_registry

_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "builtins.exit"})
# Cancelling the pipeline run stops the steps after evaluation (SDK v1 `run.parent.cancel()`, v2 jobs).
_CANCEL_CALLS = ("parent.cancel", "jobs.begin_cancel")
_FILE_WRITES = ("write", "write_text", "writelines", "dump")
_BETTER_CALL = re.compile(r"better|improv|outperform|beats?\b|exceed|champion", re.IGNORECASE)


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


@dataclass
class ModuleNodes:
    """Nodes the module walk in scan.py already collected, so the analysis needs no new walk."""

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
                self.comparison_names.update(assigned_names(assignment))
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
        for statement, frames in walk_statements(self.tree.body, (), None):
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
        return any(isinstance(n, ast.Call) and self._promotes_call(n) for n in walk_no_defs(statements))

    def _exits(self, statements: list) -> bool:
        for node in walk_no_defs(statements):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call):
                call = self.resolved.get(id(node))
                if call is None:
                    continue
                if call.name in _EXIT_CALLS and nonzero_exit(node):
                    return True
                if any(call.endswith(c) for c in _CANCEL_CALLS):
                    return True
        return False

    @staticmethod
    def _returns(statements: list) -> bool:
        return any(isinstance(n, ast.Return | ast.Continue | ast.Break) for n in walk_no_defs(statements))

    def _compares(self, expr: ast.expr, *, use_names: bool = True) -> bool:
        for node in ast.walk(expr):
            if isinstance(node, ast.Compare) and orders_metrics(node):
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
        always = constant_truth(statement.test)
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
        body = constant_assignments(statement.body)
        orelse = constant_assignments(statement.orelse)
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
        if not self._promotes_within(statement) or tests_none(statement.test):
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
            if isinstance(owner, DEFS):
                break
        return None

    def _binding_in(self, statement: ast.stmt, name: str) -> tuple[str, int, frozenset[str], bool] | None:
        if isinstance(statement, DEFS):
            return None
        assignments = [n for n in walk_no_defs([statement]) if name in assigned_names(n)]
        if not assignments:
            return None
        for node in walk_no_defs([statement]):
            if isinstance(node, ast.If) and self._compares(node.test) and any(
                name in assigned_names(n) for n in walk_no_defs(node.body + node.orelse)
            ):
                return ("comparison", node.lineno, frozenset(), False)
        last = max(assignments, key=lambda n: (n.lineno, n.col_offset))
        value = last.value
        if isinstance(value, ast.Constant):
            return ("constant", last.lineno, frozenset(), bool(value.value))
        if self._compares(value):
            return ("comparison", last.lineno, frozenset(), False)
        if any(isinstance(n, ast.Call) for n in ast.walk(value)):
            return ("read", last.lineno, string_constants(statement), False)
        return ("unknown", last.lineno, frozenset(), False)

    def _following(self, frames: tuple[Frame, ...]) -> Iterator[ast.stmt]:
        """Statements that run after the statement at frames[-1], up to the end of its function."""
        for block, index, owner in reversed(frames):
            yield from block[index + 1:]
            if isinstance(owner, DEFS):
                return

    def _promotes_after(self, frames: tuple[Frame, ...]) -> bool:
        return any(self._promotes([s]) for s in self._following(frames))

    def _written_after(self, flag: str, frames: tuple[Frame, ...]) -> tuple[str, int, frozenset[str]] | None:
        for statement in self._following(frames):
            if flag in assigned_names(statement) and isinstance(statement.value, ast.Constant):
                return ("override", statement.lineno, frozenset())
            for node in walk_no_defs([statement]):
                if not isinstance(node, ast.Call):
                    continue
                call = self.resolved.get(id(node))
                if call is None or not any(call.endswith(w) for w in _FILE_WRITES):
                    continue
                arguments = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(n, ast.Name) and n.id == flag for a in arguments for n in ast.walk(a)):
                    return ("write", statement.lineno, string_constants(statement))
        return None
