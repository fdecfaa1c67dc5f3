"""Names in Bicep resolved to values, following module calls inside the repository.

pycep returns identifiers as `BicepElement` (a str subclass) and string literals as plain
`str`. An identifier that names a parameter takes the parameter's value: the value every
module call passes for it (when all callers in the repository agree on a literal), else its
literal default, else `Expr(name)`. A template's `.bicepparam` files count as callers too
(params.py). A variable takes its literal value. Strings with `${...}` interpolation stay
strings (they are mostly names), with the parts whose value is a literal filled in; a string
that is exactly `'${param}'` resolves like the identifier. Operators and functions are evaluated
or rendered by expressions.py.
"""

from __future__ import annotations

import re
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr
from mlops_ladder.assessment.evidence.repo.iac.bicep.expressions import (
    UNRESOLVED,
    apply_operator,
    clean_key,
    expression_of,
    name_chain,
    render,
    unescape,
)
from mlops_ladder.assessment.evidence.repo.iac.bicep.parse import ParsedBicep
from mlops_ladder.assessment.evidence.repo.iac.common import shorten

_SIMPLE_INTERPOLATION = re.compile(r"^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_DEPTH = 40
_NAME_OPERANDS = frozenset({"nested_resource_accessor", "function_accessor"})
_INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


class Resolver:
    """Parameter values per file, following module calls made inside the repository."""

    def __init__(
        self,
        files: dict[str, ParsedBicep],
        calls: dict[str, list[tuple[str, dict]]],
        parameter_files: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self._files = files
        self._calls = calls
        self._parameter_files = parameter_files or {}  # template -> values its .bicepparam files agree on
        self._scopes: dict[str, Scope] = {}
        self._building: set[str] = set()

    def scope(self, path: str) -> Scope:
        if path in self._scopes:
            return self._scopes[path]
        file = self._files[path]
        self._building.add(path)
        passed = self._passed_values(path)
        self._building.discard(path)
        scope = Scope(file, passed)
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
                value = caller_scope.resolve(raw) if caller_scope else Expr(render(raw))
                values.setdefault(str(name), []).append(value)
        for name, value in self._parameter_files.get(path, {}).items():
            values.setdefault(name, []).append(value)
        passed: dict[str, Any] = {}
        for name, found in values.items():
            first = found[0]
            agree = all(v == first for v in found[1:])
            passed[name] = first if agree else Expr(name)
        return passed


class Scope:
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
            return Expr(shorten(render(raw)))
        if type(raw) is not str and isinstance(raw, str):  # BicepElement: an identifier
            return self.lookup(str(raw)) if _IDENTIFIER.match(raw) else Expr(str(raw))
        if isinstance(raw, str):
            simple = _SIMPLE_INTERPOLATION.match(raw)
            if simple:
                value = self.lookup(simple.group(1))
                return value if not isinstance(value, (dict, list)) else Expr(simple.group(1))
            return self._interpolate(unescape(raw)) if "${" in raw else unescape(raw)
        if isinstance(raw, list):
            return [self.resolve(item, depth + 1) for item in raw]
        if isinstance(raw, dict):
            expression = expression_of(raw)
            if expression is not None:
                return self._evaluate(expression, raw, depth)
            return {
                clean_key(k): self.resolve(v, depth + 1)
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
        unresolved = Expr(shorten(render(raw)))
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
        value = apply_operator(name, operands)
        return unresolved if value is UNRESOLVED else value


    def _property(self, args: dict, depth: int, unresolved: Expr) -> Any:
        """`o.a.b` on an object whose value is known (pycep nests it as o.(a.b))."""
        names = name_chain(args.get("operand_2"))
        value = self.resolve(args.get("operand_1"), depth + 1)
        for key in names or ():
            if not isinstance(value, dict) or key not in value:
                return unresolved
            value = value[key]
        return value if names else unresolved
