"""Literal parameter values of `.bicepparam` files, for the template each one is `using`.

A template deployed with one parameters file per environment often has no default for a setting
(or a default the files override): `param networkIsolation = true` in every `infra/env/*.bicepparam`
decides what `infra/main.bicep` deploys. Only literal values are read (strings, booleans, integers);
anything computed (`readEnvironmentVariable(...)`, expressions, objects) is left unknown. A file
that does not set a parameter leaves that parameter to the template (its default).
"""

from __future__ import annotations

import re
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr

_PARAM = re.compile(r"^\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*(?://.*)?$")
_STRING = re.compile(r"^'((?:[^'\\]|\\.)*)'$")


def literal(text: str) -> Any:
    """The value of a literal Bicep expression; Expr(text) when it is not a plain literal."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    string = _STRING.match(text)
    if string and "${" not in string.group(1):
        return string.group(1).replace("\\'", "'").replace("\\\\", "\\")
    return Expr(text)


def parameter_values(text: str) -> dict[str, Any]:
    """{name: value} of the `param name = value` lines of one .bicepparam file."""
    return {m.group(1): literal(m.group(2)) for m in map(_PARAM.match, text.splitlines()) if m}


def agreed_values(files: list[dict[str, Any]]) -> dict[str, Any]:
    """The value of each parameter that every parameters file of a template sets to the same literal;
    Expr(name) for a parameter they set differently, or that only some of them set."""
    if not files:
        return {}
    names = {name for values in files for name in values}
    agreed: dict[str, Any] = {}
    for name in names:
        found = [values.get(name, _UNSET) for values in files]
        first = found[0]
        same = all(v is not _UNSET and not isinstance(v, Expr) and v == first for v in found)
        agreed[name] = first if same else Expr(name)
    return agreed


_UNSET = object()
