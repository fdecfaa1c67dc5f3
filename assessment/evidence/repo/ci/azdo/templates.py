"""Azure DevOps templates and their parameters.

Templates (`template:` at stage, job, step and variable level, and `extends:`) are local
files, read relative to the file that names them (`/path` from the repository root); they
run inside the including pipeline with the template's parameters (`${{ parameters.x }}`,
`${{ each x in parameters.y }}` over literal lists), substituted here when they are literals.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

from mlops_ladder.assessment.evidence.repo.ci.values import repo_path

_EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
EACH = re.compile(r"^\$\{\{\s*each\s+(\w+)\s+in\s+([\w.]+)\s*\}\}$")


def lookup(params: Mapping[str, object], dotted: str) -> object:
    parts = dotted.split(".")
    if parts[0] == "parameters":
        parts = parts[1:]
    value: object = params
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def substitute(text: str, params: Mapping[str, object]) -> str:
    """`${{ parameters.x }}`, `${{ x.y }}` (loop variables) and `${{ variables.x }}` with literal values."""
    if "${{" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        found = lookup(params, match.group(1))
        if isinstance(found, bool):
            return "true" if found else "false"
        return str(found) if isinstance(found, str | int | float) else match.group(0)

    return _EXPRESSION.sub(value, text)


def resolve_value(value: object, params: Mapping[str, object]) -> object:
    """A parameter value passed to a template, with the caller's parameters substituted."""
    if isinstance(value, str):
        whole = _EXPRESSION.fullmatch(value.strip())
        if whole:
            found = lookup(params, whole.group(1))
            if found is not None:
                return found  # a list or mapping passed through whole
        return substitute(value, params)
    if isinstance(value, list):
        return [resolve_value(item, params) for item in value]
    if isinstance(value, dict):
        return {key: resolve_value(item, params) for key, item in value.items()}
    return value


def parameter_defaults(data: dict) -> dict[str, object]:
    declared = data.get("parameters")
    defaults: dict[str, object] = {}
    if isinstance(declared, list):  # [{name, type, default}]
        for item in declared:
            if isinstance(item, dict) and "name" in item and "default" in item:
                defaults[str(item["name"])] = item["default"]
    elif isinstance(declared, dict):  # old syntax: name: default
        defaults.update({str(k): v for k, v in declared.items()})
    return defaults


def template_references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template" and isinstance(value, str):
                yield value
            else:
                yield from template_references(value)
    elif isinstance(node, list):
        for item in node:
            yield from template_references(item)


def template_path(including_file: str, reference: str) -> str | None:
    """Repo path of a template reference; None for templates in other repositories (`x.yml@repo`)."""
    reference = reference.strip()
    if "@" in reference:
        reference, _, repository = reference.partition("@")
        if repository != "self":
            return None
    if not reference or "$" in reference:
        return None
    return posixpath.normpath(repo_path(including_file, reference))
