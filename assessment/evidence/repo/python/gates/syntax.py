"""The statement structure and the expression tests the gate analysis needs: statements with the
blocks that hold them, walks that stay out of nested functions, names assigned, constant
tests, non-zero exits and comparisons between two computed metrics."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

# Ordering comparisons that count things (versions, retries, lengths) are not metric comparisons.
_COUNTING_WORDS = frozenset(
    {
        "version", "versions", "len", "count", "counts", "retry", "retries", "attempt", "attempts", "epoch",
        "epochs", "time", "timestamp", "date", "size", "index", "idx", "step", "steps", "iteration",
        "i", "j", "n",
    }
)
_MODE_STRINGS = frozenset({"r", "rb", "w", "wb", "a", "ab", "r+", "w+", "utf-8", "utf8", "ascii"})
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


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


def walk_statements(
    block: list, frames: tuple[Frame, ...], owner: ast.AST | None
) -> Iterator[tuple[ast.stmt, tuple]]:
    for index, statement in enumerate(block):
        here = (*frames, (block, index, owner))
        yield statement, here
        for child in _child_blocks(statement):
            yield from walk_statements(child, here, statement)


def walk_no_defs(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node under *nodes*, without entering nested functions, classes and lambdas."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, DEFS):
                stack.append(child)


def assigned_names(statement: ast.AST) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
        return [statement.target.id]
    return []


def constant_truth(test: ast.expr) -> bool | None:
    """True/False when the test is constant (`True`, `x > y or True`), None when it depends on data."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = constant_truth(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [constant_truth(v) for v in test.values]
        if isinstance(test.op, ast.Or) and True in values:
            return True
        if isinstance(test.op, ast.And) and False in values:
            return False
    return None


def string_constants(node: ast.AST) -> frozenset[str]:
    return frozenset(
        n.value for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        and 3 <= len(n.value) <= 100 and n.value.lower() not in _MODE_STRINGS
    )


def constant_assignments(statements: list) -> dict[str, bool | None]:
    """Names assigned in *statements* (at any depth) -> the truth of the literal they get, None when
    the value is computed; the last assignment wins."""
    values: dict[str, bool | None] = {}
    for node in sorted(
        (n for n in walk_no_defs(statements) if isinstance(n, ast.Assign | ast.AnnAssign)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        truth = bool(node.value.value) if isinstance(node.value, ast.Constant) else None
        for name in assigned_names(node):
            values[name] = truth
    return values


def swallows(owner: ast.AST | None, block: list) -> bool:
    """Is *block* the body of a `try` none of whose handlers raises again?"""
    if not isinstance(owner, ast.Try) or block is not owner.body or not owner.handlers:
        return False
    return not any(isinstance(n, ast.Raise) for h in owner.handlers for n in walk_no_defs(h.body))


def tests_none(test: ast.expr) -> bool:
    """`if model is not None:` checks that something exists; it decides nothing about quality."""
    return (
        isinstance(test, ast.Compare)
        and all(isinstance(op, ast.Is | ast.IsNot) for op in test.ops)
        and any(isinstance(c, ast.Constant) and c.value is None for c in test.comparators)
    )


def nonzero_exit(node: ast.Call) -> bool:
    """sys.exit(1), sys.exit("worse") stop with a failure; sys.exit(), sys.exit(0) succeed."""
    if not node.args:
        return False
    arg = node.args[0]
    return not (isinstance(arg, ast.Constant) and arg.value in (0, None, False))


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant)


def orders_metrics(node: ast.Compare) -> bool:
    """`new_score > current_score`: an ordering between two computed values that are not counters."""
    if not any(isinstance(op, ast.Gt | ast.GtE | ast.Lt | ast.LtE) for op in node.ops):
        return False
    operands = [node.left, *node.comparators]
    if sum(not _is_literal(o) for o in operands) < 2:
        return False
    words = {w for o in operands for w in re.findall(r"[a-z]+", ast.unparse(o).lower())}
    return not words & _COUNTING_WORDS


# Words that name a model quality metric: `auc >= 0.8` compares one with a literal threshold.
_METRIC_WORDS = frozenset(
    {
        "accuracy", "acc", "auc", "roc", "f1", "precision", "recall", "score", "rmse", "mse", "mae", "mape",
        "r2", "loss", "error", "metric", "metrics", "ap", "map", "bleu", "rouge", "perplexity", "gini", "ks",
    }
)


def meets_threshold(node: ast.Compare) -> bool:
    """`auc >= 0.8`, `metrics["rmse"] < 5`: a metric ordered against a literal threshold."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], ast.Gt | ast.GtE | ast.Lt | ast.LtE):
        return False
    left, right = node.left, node.comparators[0]
    if _is_literal(left) == _is_literal(right):
        return False
    literal = left if _is_literal(left) else right
    value = literal.operand if isinstance(literal, ast.UnaryOp) else literal
    number = value.value if isinstance(value, ast.Constant) else None
    if isinstance(number, bool) or not isinstance(number, int | float):
        return False
    metric = right if literal is left else left
    words = set(re.findall(r"[a-z]+\d?", ast.unparse(metric).lower()))
    return bool(words & _METRIC_WORDS) and not words & _COUNTING_WORDS
