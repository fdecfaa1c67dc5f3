"""Read Bicep files into ARM-shaped resources, with parameter and variable values resolved.

Parsing uses pycep-parser (syntax only; imported on first use because its import and
grammar set-up cost a noticeable fraction of a second). Two gaps are worked around:

* pycep keeps only the last nested child resource of an object (it stores each child under
  the same dict key), and drops children of looped or conditional parents from its flat
  list. Here the transformer's `object` rule is overridden to keep every child, and the
  children are expanded below with their full type (`workspaces` + `computes`).
* pycep cannot parse a condition inside a loop (`[for x in xs: if (c) {...}]`), an expression
  the formatter wrapped over lines (`? a` / `: b` on their own lines), or a decorator on a nested
  resource. The text is rewritten before parsing (`[for x in xs: (c) {...}]`, the expression on
  one line, the decorator dropped), keeping every declaration on its line; see _prepare.

Values: pycep returns identifiers as `BicepElement` (a str subclass) and string literals as
plain `str`. An identifier that names a parameter takes the parameter's value: the value
every module call passes for it (when all callers in the repository agree on a literal),
else its literal default, else `Expr(name)`. A variable takes its literal value. Strings
with `${...}` interpolation stay strings (they are mostly names), with the parts whose value
is a literal filled in; a string that is exactly `'${param}'` resolves like the identifier.
Operators and functions become `Expr` with a short Bicep-like text, except a few that are
evaluated when their operands are literals
(`c ? a : b`, `!b`, `-1`, `a.b` on an object, `a[0]`, `toLower`, `toUpper`, `??`, `==`).
Loops and conditions do not stop a resource from being reported: its body is what counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr, Location, Resource
from mlops_ladder.assessment.evidence.repo.iac.common import (
    avm_resource_type,
    join_repo_path,
    shorten,
)
from mlops_ladder.assessment.evidence.repo.iac.model import ExternalModule

# A line that continues the expression of the line before (the formatter wraps long ternaries).
_CONTINUATION = re.compile(r"^[ \t]*(\?\?|\?|:|&&|\|\|)[ \t]", re.MULTILINE)
# A one-line decorator inside a body (on a nested resource).
_NESTED_DECORATOR = re.compile(r"^[ \t]+@[\w.]+\(.*\)\s*$")
# A `[for ...: if (cond) {` header; group 1 is everything before `if`.
_LOOP_CONDITION = re.compile(r"(\[\s*for\b[^\]\n]*?:\s*)if\s*\(")
_ESCAPES = re.compile(r"\\(['\\nrt$])")
_ESCAPED = {"'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "$": "$"}
_SIMPLE_INTERPOLATION = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Keys of a resource declaration that say how it is deployed, not what it is.
_DEPLOYMENT_KEYS = frozenset({"parent", "dependsOn", "depends_on", "__children__"})
_BINARY_SYMBOLS = {
    "add": "+", "substract": "-", "multiply": "*", "divide": "/", "modulo": "%",
    "equals": "==", "not_equals": "!=", "equals_case_insensitive": "=~", "not_equals_case_insensitive": "!~",
    "greater_than": ">", "greater_than_or_equals": ">=", "less_than": "<", "less_than_or_equals": "<=",
    "and": "&&", "or": "||", "coalesce": "??",
}
_MAX_DEPTH = 40
_WRAPPER_KEYS = frozenset({"loop_type", "condition", "config"})
_NAME_OPERANDS = frozenset({"nested_resource_accessor", "function_accessor"})
_INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


@dataclass
class ParsedBicep:
    """One Bicep file as pycep sees it, before any value is resolved."""

    path: str
    params: dict[str, dict]
    variables: dict[str, Any]
    resources: dict[str, dict]
    modules: dict[str, dict]


@dataclass
class BicepResult:
    resources: list[Resource] = field(default_factory=list)
    module_refs: dict[str, list[str]] = field(default_factory=dict)
    external_modules: list[ExternalModule] = field(default_factory=list)


class BicepReader:
    """Parses Bicep text; create one per scan (building the grammar is the slow part)."""

    def __init__(self) -> None:
        from pycep import BicepParser
        from pycep.transformer import BicepToJson

        class _KeepAllChildren(BicepToJson):  # type: ignore[misc,valid-type]
            def object(self, args: list[tuple[str, Any]]) -> dict[str, Any]:
                children = [value for key, value in args if key == "__child_resource__"]
                result = {key: value for key, value in args if key != "__child_resource__"}
                if children:
                    result["__children__"] = children
                return result

        self._lark = BicepParser(add_line_numbers=True).lark_parser
        self._transformer = _KeepAllChildren

    def parse(self, path: str, text: str) -> ParsedBicep:
        """Parse one file; raises the parser's exception on a syntax pycep does not accept."""
        tree = self._lark.parse(_prepare(text))
        data = self._transformer(add_line_numbers=True).transform(tree)
        return ParsedBicep(
            path=path,
            params=data.get("parameters") or {},
            variables={name: attrs.get("value") for name, attrs in (data.get("variables") or {}).items()},
            resources=data.get("resources") or {},
            modules=data.get("modules") or {},
        )


def _prepare(text: str) -> str:
    """Rewrite the few modern Bicep forms pycep cannot parse into equivalent ones it can, keeping
    every declaration on its line: conditions in loops, wrapped expressions, decorators on nested
    resources (dropped: they only document)."""
    text = _join_continued_lines(text)
    if "@" in text:
        text = _drop_nested_resource_decorators(text)
    return _LOOP_CONDITION.sub(r"\1(", text)


def _drop_nested_resource_decorators(text: str) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not _NESTED_DECORATOR.match(line):
            continue
        following = next((ln.strip() for ln in lines[index + 1:] if ln.strip()), "")
        if following.startswith(("resource ", "@")):
            lines[index] = ""
    return "\n".join(lines)


def _join_continued_lines(text: str) -> str:
    """Put an expression the Bicep formatter wrapped over several lines (a line that starts with
    `?`, `:`, `&&`, `||` or `??`) back on one line, which pycep requires. The lines taken out are
    added back as empty lines after the statement, so every later line keeps its number."""
    if "\n" not in text or not _CONTINUATION.search(text):
        return text
    out: list[str] = []
    pending = 0
    in_multiline_string = False
    for line in text.split("\n"):
        if not in_multiline_string and out and _CONTINUATION.match(line):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
            pending += 1
            continue
        if pending:
            out.extend([""] * pending)
            pending = 0
        out.append(line)
        if line.count("'''") % 2:
            in_multiline_string = not in_multiline_string
    out.extend([""] * pending)
    return "\n".join(out)


def build_resources(parsed: list[ParsedBicep]) -> BicepResult:
    """Resources, module references and external modules of the parsed files, with values
    resolved across module calls inside the repository."""
    result = BicepResult()
    by_path = {p.path: p for p in parsed}
    calls: dict[str, list[tuple[str, dict]]] = {}  # module file -> [(calling file, params as written)]
    for file in parsed:
        refs: list[str] = []
        for module in file.modules.values():
            line = module.get("__start_line__")
            detail = module.get("detail") or {}
            if module.get("type") == "local":
                target = join_repo_path(file.path, str(detail.get("path", "")))
                if target is None:
                    continue
                if target not in refs:
                    refs.append(target)
                params = _unwrap(module.get("config") or {}).get("params")
                calls.setdefault(target, []).append((file.path, params if isinstance(params, dict) else {}))
            else:
                source = _module_source(module)
                result.external_modules.append(
                    ExternalModule(Location(file.path, line), source, avm_resource_type(source))
                )
        if refs:
            result.module_refs[file.path] = refs
    resolver = _Resolver(by_path, calls)
    for file in parsed:
        scope = resolver.scope(file.path)
        for symbol, attrs in file.resources.items():
            result.resources.extend(_resources_of(file.path, symbol, attrs, None, None, scope))
    return result


def _module_source(module: dict) -> str:
    detail = module.get("detail") or {}
    kind = str(module.get("type", ""))
    full = str(detail.get("full") or detail.get("path") or "")
    prefix = {"bicep_registry": "br:", "bicep_registry_alias": "br/", "template_spec": "ts:",
              "template_spec_alias": "ts/"}.get(kind, "")
    return prefix + full


def _unwrap(config: Any) -> dict:
    """The body of a declaration, out of pycep's loop / condition wrappers."""
    while isinstance(config, dict) and "config" in config and set(config) <= _WRAPPER_KEYS:
        config = config["config"]
    return config if isinstance(config, dict) else {}


def _resources_of(
    path: str, symbol: str, attrs: dict, parent_type: str | None, parent_api: str | None, scope: _Scope
) -> Iterator[Resource]:
    """The resource declared by *attrs* and its nested children. A name that is an expression
    (`guid(...)`, a loop variable) is shown as the declaration's symbolic name."""
    own_type, _, own_api = str(attrs.get("type", "")).partition("@")
    api_version = attrs.get("api_version") or own_api or parent_api or None
    resource_type = f"{parent_type}/{own_type}" if parent_type else own_type
    config = _unwrap(attrs.get("config"))
    body = {_clean_key(k): scope.resolve(v) for k, v in config.items() if k not in _DEPLOYMENT_KEYS}
    name = body.get("name")
    yield Resource(
        type=resource_type,
        name=name if isinstance(name, str) else symbol,
        body=body,
        location=Location(path, attrs.get("__start_line__")),
        api_version=api_version,
        existing=bool(attrs.get("existing")),
        source="bicep",
    )
    for child in config.get("__children__", ()):
        child_attrs = child.get("__attrs__") if isinstance(child, dict) else None
        if isinstance(child_attrs, dict):
            child_symbol = str(child.get("__name__", symbol))
            yield from _resources_of(path, child_symbol, child_attrs, resource_type, api_version, scope)


def _clean_key(key: Any) -> str:
    text = str(key)
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text


class _Resolver:
    """Parameter values per file, following module calls made inside the repository."""

    def __init__(self, files: dict[str, ParsedBicep], calls: dict[str, list[tuple[str, dict]]]) -> None:
        self._files = files
        self._calls = calls
        self._scopes: dict[str, _Scope] = {}
        self._building: set[str] = set()

    def scope(self, path: str) -> _Scope:
        if path in self._scopes:
            return self._scopes[path]
        file = self._files[path]
        self._building.add(path)
        passed = self._passed_values(path)
        self._building.discard(path)
        scope = _Scope(file, passed)
        self._scopes[path] = scope
        return scope

    def _passed_values(self, path: str) -> dict[str, Any]:
        """For each parameter, the value every caller passes (Expr when they disagree)."""
        values: dict[str, list[Any]] = {}
        for caller, params in self._calls.get(path, ()):
            if caller in self._building or caller not in self._files:
                caller_scope = None  # a cycle of modules: take the values as written
            else:
                caller_scope = self.scope(caller)
            for name, raw in params.items():
                value = caller_scope.resolve(raw) if caller_scope else Expr(_render(raw))
                values.setdefault(str(name), []).append(value)
        passed: dict[str, Any] = {}
        for name, found in values.items():
            first = found[0]
            agree = all(v == first for v in found[1:])
            passed[name] = first if agree else Expr(name)
        return passed


class _Scope:
    """Names visible in one Bicep file and how to turn pycep values into evidence values."""

    def __init__(self, file: ParsedBicep, passed: dict[str, Any]) -> None:
        self._file = file
        self._passed = passed
        self._values: dict[str, Any] = {}
        self._resolving: set[str] = set()

    def lookup(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if name in self._resolving:
            return Expr(name)
        self._resolving.add(name)
        try:
            value = self._lookup(name)
        finally:
            self._resolving.discard(name)
        self._values[name] = value
        return value

    def _lookup(self, name: str) -> Any:
        if name in self._passed:
            return self._passed[name]
        param = self._file.params.get(name)
        if param is not None:
            default = param.get("default")
            return Expr(name) if default is None else self.resolve(default)
        if name in self._file.variables:
            return self.resolve(self._file.variables[name])
        return Expr(name)  # a resource symbol, a loop variable, a function parameter

    def resolve(self, raw: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return Expr(shorten(_render(raw)))
        if type(raw) is not str and isinstance(raw, str):  # BicepElement: an identifier
            return self.lookup(str(raw)) if _IDENTIFIER.match(raw) else Expr(str(raw))
        if isinstance(raw, str):
            simple = _SIMPLE_INTERPOLATION.match(raw)
            if simple:
                value = self.lookup(simple.group(1))
                return value if not isinstance(value, (dict, list)) else Expr(simple.group(1))
            return self._interpolate(_unescape(raw)) if "${" in raw else _unescape(raw)
        if isinstance(raw, list):
            return [self.resolve(item, depth + 1) for item in raw]
        if isinstance(raw, dict):
            expression = _expression_of(raw)
            if expression is not None:
                return self._evaluate(expression, raw, depth)
            return {
                _clean_key(k): self.resolve(v, depth + 1)
                for k, v in raw.items()
                if not str(k).startswith("__")
            }
        return raw  # bool, int, float, None

    def _interpolate(self, text: str) -> str:
        """Fill `${name}` parts whose value is a literal; leave the others as written."""

        def fill(match: re.Match[str]) -> str:
            value = self.lookup(match.group(1))
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value) if isinstance(value, (str, int, float)) else match.group(0)

        return _INTERPOLATION.sub(fill, text)

    def _evaluate(self, expression: tuple[str, str, dict], raw: dict, depth: int) -> Any:
        kind, name, args = expression
        unresolved = Expr(shorten(_render(raw)))
        if kind == "function":
            if name in ("to_lower", "to_upper"):
                value = self.resolve(args.get("string_to_change"), depth + 1)
                if isinstance(value, str):
                    return value.lower() if name == "to_lower" else value.upper()
            return unresolved
        if name == "property_accessor":
            return self._property(args, depth, unresolved)
        if name in _NAME_OPERANDS:  # `a::b`, `a.f()`: references to other resources
            return unresolved
        operands = {k: self.resolve(v, depth + 1) for k, v in args.items()}
        value = _apply_operator(name, operands)
        return unresolved if value is _UNRESOLVED else value


    def _property(self, args: dict, depth: int, unresolved: Expr) -> Any:
        """`o.a.b` on an object whose value is known (pycep nests it as o.(a.b))."""
        names = _name_chain(args.get("operand_2"))
        value = self.resolve(args.get("operand_1"), depth + 1)
        for key in names or ():
            if not isinstance(value, dict) or key not in value:
                return unresolved
            value = value[key]
        return value if names else unresolved


_UNRESOLVED = object()


def _name_chain(raw: Any) -> list[str] | None:
    """The property names on the right of `.`: "b" -> [b]; a.(b.c) nesting -> [a, b, c]."""
    if isinstance(raw, str):
        return [str(raw)]
    expression = _expression_of(raw) if isinstance(raw, dict) else None
    if expression is None or expression[:2] != ("operator", "property_accessor"):
        return None
    head, rest = expression[2].get("operand_1"), _name_chain(expression[2].get("operand_2"))
    if not isinstance(head, str) or rest is None:
        return None
    return [str(head), *rest]


def _apply_operator(name: str, operands: dict[str, Any]) -> Any:
    """The value of an operator whose operands are literals; _UNRESOLVED otherwise."""
    if name == "conditional":
        condition = operands.get("condition")
        if isinstance(condition, bool):
            return operands.get("true_value") if condition else operands.get("false_value")
        return _UNRESOLVED
    if name == "not":
        value = operands.get("bool_value")
        return (not value) if isinstance(value, bool) else _UNRESOLVED
    if name == "minus":
        value = operands.get("integer_value")
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else _UNRESOLVED
    left, right = operands.get("operand_1"), operands.get("operand_2")
    if name == "property_accessor" and isinstance(left, dict) and isinstance(right, str):
        return left.get(right, _UNRESOLVED)
    if name == "index_accessor" and isinstance(left, list) and isinstance(right, int):
        return left[right] if -len(left) <= right < len(left) else _UNRESOLVED
    if name == "coalesce":
        for value in operands.values():
            if isinstance(value, Expr):
                return _UNRESOLVED
            if value is not None:
                return value
        return None
    if name in ("equals", "not_equals") and not isinstance(left, Expr) and not isinstance(right, Expr):
        if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
            return _UNRESOLVED
        return (left == right) if name == "equals" else (left != right)
    return _UNRESOLVED


def _expression_of(raw: dict) -> tuple[str, str, dict] | None:
    """("operator"|"function", type, operands) when *raw* is a pycep operator or function."""
    if len(raw) != 1:
        return None
    kind, inner = next(iter(raw.items()))
    if kind not in ("operator", "function") or not isinstance(inner, dict) or "type" not in inner:
        return None
    args = inner.get("operands" if kind == "operator" else "parameters")
    return kind, str(inner["type"]), args if isinstance(args, dict) else {}


def _unescape(text: str) -> str:
    return _ESCAPES.sub(lambda m: _ESCAPED[m.group(1)], text) if "\\" in text else text


def _render(raw: Any, depth: int = 0) -> str:
    """A short Bicep-like text of a pycep value, for Expr and evidence."""
    if depth > 6:
        return "…"
    if type(raw) is not str and isinstance(raw, str):
        return str(raw)
    if isinstance(raw, str):
        return f"'{raw}'"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if raw is None:
        return "null"
    if isinstance(raw, list):
        return "[" + ", ".join(_render(v, depth + 1) for v in raw) + "]"
    if isinstance(raw, dict):
        expression = _expression_of(raw)
        if expression is None:
            return "{" + ", ".join(f"{_clean_key(k)}: {_render(v, depth + 1)}" for k, v in raw.items()) + "}"
        return _render_expression(*expression, depth)
    return str(raw)


def _render_expression(kind: str, name: str, args: dict, depth: int) -> str:
    parts = {k: _render(v, depth + 1) for k, v in args.items() if v is not None}
    if kind == "function":
        return f"{_camel(name)}({', '.join(parts.values())})"
    if name in _BINARY_SYMBOLS:
        return f" {_BINARY_SYMBOLS[name]} ".join(parts.values())
    if name in ("property_accessor", "nested_resource_accessor"):
        names = _name_chain(args.get("operand_2"))
        right = ".".join(names) if names else parts.get("operand_2", "")
        return f"{parts.get('operand_1', '')}{'.' if name == 'property_accessor' else '::'}{right}"
    if name == "index_accessor":
        return f"{parts.get('operand_1', '')}[{parts.get('operand_2', '')}]"
    if name == "function_accessor":
        rest = [v for k, v in parts.items() if k not in ("operand_1", "func_name")]
        return f"{parts.get('operand_1', '')}.{args.get('func_name', '')}({', '.join(rest)})"
    if name == "conditional":
        return f"{parts.get('condition')} ? {parts.get('true_value')} : {parts.get('false_value')}"
    if name == "not":
        return f"!{parts.get('bool_value', '')}"
    if name == "minus":
        return f"-{parts.get('integer_value', '')}"
    return f"{name}({', '.join(parts.values())})"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)
