"""Evaluation gates: code that compares a candidate with the current model, or its metrics with
thresholds, and stops a worse one.

A gate against the current model needs, in one module, a read of the current model or its metrics
from a registry (`search_model_versions`, `get_latest_versions`, `models.get`,
`load_model("models:/...")`, SDK v1 `Model(ws, name)`, ...) and a comparison (`<`, `<=`, `>`, `>=`
between two computed values, a metric and a literal threshold, or a call such as `is_better(...)`)
in an `if` or `assert` that blocks the candidate:

- a branch raises or exits with a non-zero status;
- registration (or promotion / deployment) happens in one branch only, or after the `if`
  while the other branch returns early;
- the branches set a flag to different values and the flag is written to a file that a
  module registering models reads (cross-module: `link_gates`), as the Azure MLOps v2
  template does with `deploy_flag`.

A threshold gate compares the candidate's metrics with thresholds and blocks the same ways, in
a module that registers (a raise, an early return, registration in one branch) or through a flag
another module reads before registering (a comparison that only writes a file counts only when
a registering module reads that flag). Names that a comparison's branches set or fill
(`failures.append(...)`) carry its result (`deploy_flag = 1 if not failures else 0`). An MLflow
`evaluate(..., validation_thresholds=...)` (or `validate_evaluation_results`) raises when the
model misses them, and is a gate unless an `except` swallows the error.

Strictness: a comparison whose blocking branch can never run (`if True or ...`), a flag that
is the same in both branches, or a flag that the reader overwrites with a constant before
its `if` (MLOps v2's `deploy_flag=1`) is not a gate; it becomes a *gate candidate* whose
detail says why, so the report can explain the failure.

Only modules that read a registry or register models (registry.needs_analysis), or that compare
and write a file or evaluate with thresholds (may_gate_by_threshold), are analysed; gates that
span modules are linked in links.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.python.gates.calls import (
    BETTER_CALL,
    EXIT_CALLS,
    FILE_WRITES,
    FILLS,
    cancels_run,
    validates,
)
from mlops_ladder.assessment.evidence.repo.python.gates.facts import (
    FlagRead,
    FlagWrite,
    GateFacts,
    ModuleNodes,
)
from mlops_ladder.assessment.evidence.repo.python.gates.syntax import (
    DEFS,
    Frame,
    assigned_names,
    constant_assignments,
    constant_truth,
    meets_threshold,
    nonzero_exit,
    orders_metrics,
    string_constants,
    swallows,
    tests_none,
    walk_no_defs,
    walk_statements,
)
from mlops_ladder.assessment.evidence.repo.python.model import Call, EvaluationGate
from mlops_ladder.assessment.evidence.repo.python.registry import RUN_READS, promotes_model, reads_registry


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
        # What a comparison is made against, for the gate's detail (decided once the survey is done).
        self.against = "the current model" if self.reads_registry else "a threshold"

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
        statements = list(walk_statements(self.tree.body, (), None))
        self._comparison_results(statements)
        for statement, frames in statements:
            if isinstance(statement, ast.Assert) and self.reads_registry and self._compares(statement.test):
                self._gate(statement, "asserts that the candidate beats the current model")
            elif isinstance(statement, ast.If):
                if self._compares(statement.test):
                    self._comparing_if(statement, frames)
                else:
                    self._guarding_if(statement, frames)
            elif isinstance(statement, ast.Assign | ast.AnnAssign):
                self._flag_assignment(statement, frames)
            if isinstance(statement, ast.Assign | ast.AnnAssign | ast.Expr | ast.Return):
                self._validation(statement, frames)
        return self.facts

    def _comparison_results(self, statements: list[tuple[ast.stmt, tuple]]) -> None:
        """Names a comparison's branches assign or fill (`failures.append(...)`) carry its result."""
        for statement, _ in statements:
            if not isinstance(statement, ast.If) or not self._compares(statement.test, use_names=False):
                continue
            for node in walk_no_defs(statement.body + statement.orelse):
                self.comparison_names.update(assigned_names(node))
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    receiver = node.func.value
                    if node.func.attr in FILLS and isinstance(receiver, ast.Name):
                        self.comparison_names.add(receiver.id)

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
                if call.name in EXIT_CALLS and nonzero_exit(node):
                    return True
                if cancels_run(call):
                    return True
        return False

    @staticmethod
    def _returns(statements: list) -> bool:
        return any(isinstance(n, ast.Return | ast.Continue | ast.Break) for n in walk_no_defs(statements))

    def _compares(self, expr: ast.expr, *, use_names: bool = True) -> bool:
        for node in ast.walk(expr):
            if isinstance(node, ast.Compare) and (orders_metrics(node) or meets_threshold(node)):
                return True
            if isinstance(node, ast.Call):
                call = self.resolved.get(id(node))
                if call is not None and BETTER_CALL.search(call.name.rpartition(".")[2]):
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
        if not self.reads_registry and not self.promoting_lines:
            return  # a module that neither reads the registry nor registers: not meant as a gate
        self.facts.candidates.append(EvaluationGate(Location(self.path, node.lineno), detail))

    def _comparing_if(self, statement: ast.If, frames: tuple[Frame, ...]) -> None:
        always = constant_truth(statement.test)
        runs = (always is not False, always is not True)  # (body can run, else can run)
        branches = (statement.body, statement.orelse)

        exits = tuple(self._exits(b) for b in branches)
        # A threshold check that raises stops registration only in a module that registers after it.
        if exits[0] != exits[1] and (self.reads_registry or self._promotes_after(frames)):
            if runs[0 if exits[0] else 1]:
                self._gate(statement, f"stops the run (raise, exit, cancel) when the candidate {self._loses}")
            else:
                self._candidate(statement, "the branch that stops a worse candidate can never run")
            return
        promotes = tuple(self._promotes(b) for b in branches)
        if promotes[0] != promotes[1]:
            if runs[1 if promotes[0] else 0]:
                self._gate(statement, f"registers the candidate only when it beats {self.against}")
            else:
                self._candidate(statement, "the comparison cannot fail: registration always runs")
            return
        returns = tuple(self._returns(b) for b in branches)
        if returns[0] != returns[1] and not any(promotes) and self._promotes_after(frames):
            if runs[0 if returns[0] else 1]:
                self._gate(statement, f"returns before registration when the candidate {self._loses}")
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
                self.facts.flag_writes.append(FlagWrite(flag, keys | {flag}, location, self.against))

    def _flag_assignment(self, statement: ast.Assign | ast.AnnAssign, frames: tuple[Frame, ...]) -> None:
        """`deploy_flag = 1 if not failures else 0`, `passed = auc >= min_auc`: a flag computed from a
        comparison and written to a file for another module."""
        if statement.value is None or isinstance(statement.value, ast.Constant):
            return
        if not self._compares(statement.value):
            return
        for flag in assigned_names(statement):
            outcome = self._written_after(flag, frames)
            if outcome is None:
                continue
            kind, line, keys = outcome
            if kind == "override":
                self._candidate(statement, f"line {line} overwrites {flag} with a constant before it is used")
            else:
                location = Location(self.path, statement.lineno)
                self.facts.flag_writes.append(FlagWrite(flag, keys | {flag}, location, self.against))

    def _validation(self, statement: ast.stmt, frames: tuple[Frame, ...]) -> None:
        """MLflow validation against thresholds raises when the model misses them: a gate, unless the
        statement sits in a `try` whose handlers swallow the error."""
        for node in walk_no_defs([statement]):
            call = self.resolved.get(id(node)) if isinstance(node, ast.Call) else None
            if call is None or not validates(call):
                continue
            swallowed = next((owner for block, _, owner in frames if swallows(owner, block)), None)
            if swallowed is not None:  # worth explaining wherever it is: validation is meant as a gate
                detail = (f"{call.name} raises on missed thresholds, but the except at line "
                          f"{swallowed.handlers[0].lineno} swallows the error")
                self.facts.candidates.append(EvaluationGate(Location(self.path, statement.lineno), detail))
            else:
                self._gate(statement, f"{call.name} with validation thresholds fails the run when the "
                                      "candidate misses them")
            return

    @property
    def _loses(self) -> str:
        return "is not better" if self.reads_registry else "misses a threshold"

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
            if kind == "comparison":
                self._gate(statement, f"registers only when {name} (compared with {self.against} at line "
                                      f"{line}) is true")
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
                if call is None or not any(call.endswith(w) for w in FILE_WRITES):
                    continue
                arguments = [*node.args, *(k.value for k in node.keywords)]
                if any(isinstance(n, ast.Name) and n.id == flag for a in arguments for n in ast.walk(a)):
                    return ("write", statement.lineno, string_constants(statement))
        return None

