"""Evaluate the small expressions that Bicep and Terraform use to build resource names.

The equivalence test (tests/templates/test_terraform_equivalence.py) compares the resources that the
Bicep and the Terraform of a generated project declare, name by name. Names are expressions on the
inputs (`'st${replace(projectName, '-', '')}${env}${nameSuffix}'` in Bicep,
`"st${local.compact_project}${var.env}${var.name_suffix}"` in Terraform), so both are evaluated here
for one environment. The grammar is the subset the templates use: string literals with `${...}`
interpolation ('...' in Bicep, "..." in Terraform), numbers, true/false/null, dotted names looked up
in a mapping, calls of replace/empty/coalesce/lower/format-free helpers, `==`, `!=`, `!` and `? :`.
Anything else raises ValueError, so a name the test cannot read fails the test instead of passing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
                    r"|(?P<op>==|!=|[?:(),!])|(?P<quote>['\"]))")

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "replace": lambda text, old, new: str(text).replace(old, new),
    "empty": lambda value: not value,
    "coalesce": lambda *values: next(v for v in values if v not in (None, "")),
    "lower": lambda text: str(text).lower(),
}


class _Parser:
    def __init__(self, text: str, names: Mapping[str, Any]) -> None:
        self.text, self.pos, self.names = text, 0, names

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{what} at {self.pos} in {self.text!r}")

    def peek(self) -> tuple[str, str] | None:
        match = _TOKEN.match(self.text, self.pos)
        if not match:
            return None
        kind = match.lastgroup or ""
        return kind, match.group(kind)

    def take(self) -> tuple[str, str]:
        match = _TOKEN.match(self.text, self.pos)
        if not match:
            raise self.fail("unexpected text")
        self.pos = match.end()
        kind = match.lastgroup or ""
        return kind, match.group(kind)

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise self.fail(f"expected {op!r}")

    def expression(self) -> Any:
        condition = self.comparison()
        if self.peek() == ("op", "?"):
            self.take()
            yes = self.expression()
            self.expect(":")
            no = self.expression()
            return yes if condition else no
        return condition

    def comparison(self) -> Any:
        left = self.unary()
        token = self.peek()
        if token in (("op", "=="), ("op", "!=")):
            self.take()
            right = self.unary()
            return (left == right) if token[1] == "==" else (left != right)
        return left

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not self.unary()
        return self.primary()

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "num":
            return int(value)
        if kind == "quote":
            return self.string(value)
        if kind == "op" and value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if kind != "name":
            raise self.fail(f"unexpected {value!r}")
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        if self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.expression())
                if self.peek() == ("op", ","):
                    self.take()
            self.expect(")")
            if value not in FUNCTIONS:
                raise self.fail(f"unknown function {value}")
            return FUNCTIONS[value](*args)
        if value not in self.names:
            raise self.fail(f"unknown name {value}")
        return self.names[value]

    def string(self, quote: str) -> str:
        out = []
        while True:
            if self.pos >= len(self.text):
                raise self.fail("unterminated string")
            char = self.text[self.pos]
            if char == quote:
                self.pos += 1
                return "".join(out)
            if self.text.startswith("${", self.pos):
                self.pos += 2
                out.append(_text(self.expression()))
                if self.text[self.pos:self.pos + 1] != "}":
                    raise self.fail("expected '}'")
                self.pos += 1
                continue
            out.append(char)
            self.pos += 1


def _text(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of one expression; *names* maps dotted names (`var.env`, `projectName`) to values."""
    parser = _Parser(expression.strip(), names)
    value = parser.expression()
    if parser.pos != len(parser.text):
        raise parser.fail("trailing text")
    return value
