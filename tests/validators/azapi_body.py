"""Type check of the `body` of generated `azapi_resource` blocks against Microsoft's Bicep types.

An azapi resource is an ARM resource type, an api-version and a request body, exactly what a Bicep
resource declaration says. Each block is turned into that declaration (literals kept, Terraform
expressions turned into a Bicep reference, which the checker leaves alone) and checked by
tests/validators/bicep_types.py against ../shared/bicep-types: the type and api-version exist, every
property name is allowed, no read-only property is set, closed enums hold one of their values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.validators.bicep_types import BicepProblem, check_bicep_text

EXPRESSION = "tfExpression"
"""What a Terraform expression becomes in the Bicep text: a reference, never checked for its value."""


def azapi_resources(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(address, block) of every `resource "azapi_resource"` block of one .tf file."""
    import hcl2

    found = []
    for kinds in hcl2.loads(path.read_text()).get("resource", []):
        for kind, named in kinds.items():
            if kind.strip('"') != "azapi_resource":
                continue
            found += [(f"azapi_resource.{name.strip(chr(34))}", block) for name, block in named.items()]
    return found


def as_bicep(address: str, block: dict[str, Any]) -> str:
    """The Bicep declaration that deploys what *block* deploys."""
    resource_type = _literal(block["type"])
    segments = resource_type.split("@", 1)[0].count("/")
    name = "/".join(["parent"] * (segments - 1) + ["name"])  # a child type's name names its parents
    body: dict[str, Any] = {"name": name, **_unquote(block.get("body", {}))}
    for key in ("location", "tags"):
        if key in block:
            body[key] = _unquote(block[key])
    for identity in block.get("identity", []):
        body["identity"] = {k: _unquote(v) for k, v in identity.items() if k != "__is_block__"}
    symbol = address.replace(".", "_")
    return f"resource {symbol} '{resource_type}' = {_bicep_value(body, 0)}\n"


def check_tf_file(path: Path, types_root: Path) -> list[BicepProblem]:
    problems = []
    for address, block in azapi_resources(path):
        problems += [BicepProblem(f"{path.name} {address}", p.line, p.code, p.message)
                     for p in check_bicep_text(as_bicep(address, block), address, types_root)]
    return problems


def _literal(value: Any) -> str:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"' and "${" not in value:
        return json.loads(value)
    raise ValueError(f"expected a string literal, got {value!r}")


def _unquote(value: Any) -> Any:
    """python-hcl2's values: '"text"' is a string literal, '${...}' an expression."""
    if isinstance(value, dict):
        return {k.strip('"'): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_unquote(item) for item in value]
    if isinstance(value, str):
        try:
            return _literal(value)
        except (ValueError, json.JSONDecodeError):
            return _Expression()
    return value


class _Expression:
    """A Terraform expression: its value is known only at plan time."""


def _bicep_value(value: Any, depth: int) -> str:
    pad = "  " * (depth + 1)
    if isinstance(value, _Expression):
        return EXPRESSION
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${") + "'"
    if isinstance(value, list):
        items = "".join(f"{pad}{_bicep_value(item, depth + 1)}\n" for item in value)
        return "[\n" + items + "  " * depth + "]"
    if isinstance(value, dict):
        lines = "".join(f"{pad}{_key(k)}: {_bicep_value(v, depth + 1)}\n" for k, v in value.items())
        return "{\n" + lines + "  " * depth + "}"
    raise TypeError(f"cannot write {value!r} as Bicep")


def _key(key: str) -> str:
    return key if key.replace("_", "a").isalnum() and not key[0].isdigit() else f"'{key}'"
