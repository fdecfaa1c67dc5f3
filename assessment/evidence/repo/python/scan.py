"""One walk over a module's syntax tree: imports, import aliases, calls, decorators, assignments and
file-name literals.

The tree is walked once with a hand-rolled stack walk (about twice as fast as `ast.walk`: it
skips expression contexts and leaf fields). Calls are resolved through the module's import
aliases after the walk, so an import that comes after its use still resolves.
"""

from __future__ import annotations

import ast
import re

from mlops_ladder.assessment.evidence.repo.python.model import NO_KEYWORDS, Call, make_call

_MAX_STRING_ARG = 500
_PY_FILE = re.compile(r"[\w./\\-]*\w\.py\b")

# Fields that never hold a node worth visiting: expression contexts, operators, names as text.
_SKIPPED_FIELDS = frozenset(
    {"ctx", "op", "ops", "type_comment", "kind", "attr", "id", "arg", "name", "asname"}
)
_LEAVES = (ast.Name, ast.Constant, ast.Import, ast.ImportFrom, ast.alias, ast.Pass, ast.Break, ast.Continue)
_FIELDS: dict[type, tuple[str, ...]] = {leaf: () for leaf in _LEAVES}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _fields_of(node_type: type) -> tuple[str, ...]:
    fields = ()
    if issubclass(node_type, ast.AST):
        fields = tuple(f for f in node_type._fields if f not in _SKIPPED_FIELDS)
    _FIELDS[node_type] = fields
    return fields


class ModuleScan:
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
        self.dataset_subscripts: list[int] = []  # lines of `ws.datasets["name"]` (Azure ML SDK v1)
        self.orders_values = False  # an ordering comparison (<, <=, >, >=) somewhere: a possible gate

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
            ast.Subscript: self._subscript,
            ast.Compare: self._compare,
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

    def _compare(self, node: ast.Compare) -> None:
        if not self.orders_values:
            self.orders_values = any(type(op) in _ORDERING for op in node.ops)

    def _subscript(self, node: ast.Subscript) -> None:
        value = node.value
        if type(value) is ast.Attribute and value.attr == "datasets":
            self.dataset_subscripts.append(node.lineno)

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
            strings, keyword_strings = _string_args(node)
            call = make_call(
                self.resolve(*dotted),
                node.lineno,
                frozenset([k.arg for k in node.keywords if k.arg]) if node.keywords else NO_KEYWORDS,
                strings,
                keyword_strings,
            )
            calls.append(call)
            resolved[id(node)] = call
        for decorator in self.decorators:
            dotted = _dotted(decorator)
            if dotted is not None:
                calls.append(make_call(self.resolve(*dotted), decorator.lineno))
        return calls, resolved


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


def _string_args(node: ast.Call) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The literal string arguments of a call (positional and keyword, in order), and the keywords
    among them with their values."""
    if not node.args and not node.keywords:
        return (), ()
    strings = []
    keywords = []
    for arg in node.args:
        value = _string_value(arg)
        if value is not None:
            strings.append(value)
    for keyword in node.keywords:
        value = _string_value(keyword.value)
        if value is not None:
            strings.append(value)
            if keyword.arg:
                keywords.append((keyword.arg, value))
    return tuple(strings), tuple(keywords)
