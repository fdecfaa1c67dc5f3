"""Random seeds set in a module: seeding calls with an argument, and `random_state=` / `seed=`
keywords given a literal or a name that holds a seed."""

from __future__ import annotations

import ast
import re

from mlops_ladder.assessment.evidence.repo.python.model import Call

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


def seed_lines(call_nodes: list[ast.Call], resolved: dict[int, Call], tree: ast.Module) -> list[int]:
    """Lines of the calls that seed a random source (`np.random.seed(42)`, `random_state=SEED`)."""
    constants = _module_int_constants(tree)
    lines = []
    for node in call_nodes:
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
