"""Parse Bicep files with pycep-parser.

Parsing uses pycep-parser (syntax only; imported on first use because its import and
grammar set-up cost a noticeable fraction of a second). Two gaps are worked around:

* pycep keeps only the last nested child resource of an object (it stores each child under
  the same dict key), and drops children of looped or conditional parents from its flat
  list. Here the transformer's `object` rule is overridden to keep every child (the children
  are expanded with their full type, `workspaces` + `computes`, in resources.py).
* pycep cannot parse a condition inside a loop (`[for x in xs: if (c) {...}]`), an expression
  the formatter wrapped over lines (`? a` / `: b` on their own lines), or a decorator on a nested
  resource. The text is rewritten before parsing (`[for x in xs: (c) {...}]`, the expression on
  one line, the decorator dropped), keeping every declaration on its line; see _prepare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# A line that continues the expression of the line before (the formatter wraps long ternaries).
_CONTINUATION = re.compile(r"^[ \t]*(\?\?|\?|:|&&|\|\|)[ \t]", re.MULTILINE)
# A one-line decorator inside a body (on a nested resource).
_NESTED_DECORATOR = re.compile(r"^[ \t]+@[\w.]+\(.*\)\s*$")
# A `[for ...: if (cond) {` header; group 1 is everything before `if`.
_LOOP_CONDITION = re.compile(r"(\[\s*for\b[^\]\n]*?:\s*)if\s*\(")


@dataclass
class ParsedBicep:
    """One Bicep file as pycep sees it, before any value is resolved."""

    path: str
    params: dict[str, dict]
    variables: dict[str, Any]
    resources: dict[str, dict]
    modules: dict[str, dict]


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
