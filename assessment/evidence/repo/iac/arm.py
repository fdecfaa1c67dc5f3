"""Read ARM JSON templates into resources, and recognise ARM parameter files.

A template is a `.json` file whose `$schema` names `deploymentTemplate.json` (resource group,
subscription, management group or tenant scope); a parameter file names
`deploymentParameters.json`. Only the first 2 KB are looked at before decoding JSON, so
other JSON files cost a substring search.

Resources: the `resources` array (or, with languageVersion 2.0, the object of symbolic
names), nested child `resources` (a relative child type is appended to its parent's), and
the resources of inline nested deployments (`Microsoft.Resources/deployments` with
`properties.template`). Values: `[parameters('x')]` takes the parameter's `defaultValue`
(or, inside a nested deployment, the literal value the deployment passes), `[variables('x')]`
the variable's literal value; any other `[...]` string is an `Expr`; `[[` escapes a literal `[`.
Lines are found by searching the text for each resource's `"type"` (best effort).

Templates that Bicep compiled (`metadata._generator.name` bicep) from a `.bicep` file of the
same name in the same folder are skipped, so the resources are not counted twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr, Location, Resource
from mlops_ladder.assessment.evidence.repo.iac.common import join_repo_path, shorten

TEMPLATE_MARKER = "deploymenttemplate.json"
PARAMETERS_MARKER = "deploymentparameters.json"
_HEAD = 2048
_PARAMETER_REF = re.compile(r"^\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]$", re.IGNORECASE)
_VARIABLE_REF = re.compile(r"^\[\s*variables\(\s*'([^']+)'\s*\)\s*\]$", re.IGNORECASE)
# Keys of an ARM resource that say how it is deployed, not what it is.
_DEPLOYMENT_KEYS = frozenset({"type", "apiVersion", "dependsOn", "copy", "condition", "comments", "resources",
                              "existing", "import"})
_MAX_DEPTH = 40


def json_kind(text: str) -> str | None:
    """"template", "parameters" or None, from the `$schema` near the top of a JSON file."""
    head = text[:_HEAD].lower()
    if "$schema" not in head:
        return None
    if TEMPLATE_MARKER in head:
        return "template"
    if PARAMETERS_MARKER in head:
        return "parameters"
    return None


def compiled_from_bicep(data: Any) -> bool:
    """True for `bicep build` output (its metadata names the Bicep generator)."""
    metadata = data.get("metadata") if isinstance(data, dict) else None
    generator = metadata.get("_generator") if isinstance(metadata, dict) else None
    return isinstance(generator, dict) and str(generator.get("name", "")).lower() == "bicep"


@dataclass
class ArmResult:
    resources: list[Resource] = field(default_factory=list)
    module_refs: list[str] = field(default_factory=list)


def read_template(path: str, text: str, data: dict) -> ArmResult:
    """The resources of one template and the local templates it links to."""
    result = ArmResult()
    lines = _TypeLines(text)
    scope = _Scope(data, passed={})
    for resource in _iter_resources(data.get("resources"), None, scope, path, lines, result):
        result.resources.append(resource)
    return result


def _iter_resources(
    raw: Any,
    parent_type: str | None,
    scope: _Scope,
    path: str,
    lines: _TypeLines,
    result: ArmResult,
) -> Iterator[Resource]:
    entries = raw.values() if isinstance(raw, dict) else raw if isinstance(raw, list) else ()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            continue
        written_type = entry["type"]
        resource_type = written_type
        if parent_type and "/" not in written_type:
            resource_type = f"{parent_type}/{written_type}"
        body = {k: scope.resolve(v) for k, v in entry.items() if k not in _DEPLOYMENT_KEYS}
        name = body.get("name")
        name_text = name if isinstance(name, str) else str(name) if name is not None else ""
        api_version = entry.get("apiVersion")
        yield Resource(
            type=resource_type,
            name=name_text,
            body=body,
            location=Location(path, lines.next_line(written_type)),
            api_version=api_version if isinstance(api_version, str) else None,
            existing=entry.get("existing") is True,
            source="arm",
        )
        yield from _iter_resources(entry.get("resources"), resource_type, scope, path, lines, result)
        if resource_type.lower() == "microsoft.resources/deployments":
            yield from _nested_deployment(entry, scope, path, lines, result)


def _nested_deployment(
    entry: dict, scope: _Scope, path: str, lines: _TypeLines, result: ArmResult
) -> Iterator[Resource]:
    properties = entry.get("properties")
    if not isinstance(properties, dict):
        return
    link = properties.get("templateLink")
    if isinstance(link, dict) and isinstance(link.get("relativePath"), str):
        target = join_repo_path(path, link["relativePath"])
        if target and target not in result.module_refs:
            result.module_refs.append(target)
    template = properties.get("template")
    if not isinstance(template, dict):
        return
    passed: dict[str, Any] = {}
    given = properties.get("parameters")
    if isinstance(given, dict):
        for name, spec in given.items():
            if isinstance(spec, dict) and "value" in spec:
                passed[name] = scope.resolve(spec["value"])
    inner = _Scope(template, passed)
    yield from _iter_resources(template.get("resources"), None, inner, path, lines, result)


class _Scope:
    """Parameters and variables of one (possibly nested) template."""

    def __init__(self, template: dict, passed: dict[str, Any]) -> None:
        params = template.get("parameters")
        variables = template.get("variables")
        self._params = params if isinstance(params, dict) else {}
        self._variables = variables if isinstance(variables, dict) else {}
        self._passed = passed
        self._resolving: set[str] = set()

    def resolve(self, raw: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return Expr("…")
        if isinstance(raw, str):
            return self._resolve_string(raw, depth)
        if isinstance(raw, list):
            return [self.resolve(v, depth + 1) for v in raw]
        if isinstance(raw, dict):
            return {k: self.resolve(v, depth + 1) for k, v in raw.items()}
        return raw

    def _resolve_string(self, text: str, depth: int) -> Any:
        stripped = text.strip()
        if not (stripped.startswith("[") and stripped.endswith("]")):
            return text
        if stripped.startswith("[["):
            return text.replace("[[", "[", 1)  # an escaped literal that starts with "["
        parameter = _PARAMETER_REF.match(stripped)
        if parameter:
            return self._named(("p", parameter.group(1)), depth)
        variable = _VARIABLE_REF.match(stripped)
        if variable:
            return self._named(("v", variable.group(1)), depth)
        return Expr(shorten(stripped[1:-1]))

    def _named(self, key: tuple[str, str], depth: int) -> Any:
        kind, name = key
        label = f"parameters('{name}')" if kind == "p" else f"variables('{name}')"
        if key in self._resolving:
            return Expr(label)
        self._resolving.add(key)
        try:
            if kind == "p":
                if name in self._passed:
                    return self._passed[name]
                spec = _lookup(self._params, name)
                if isinstance(spec, dict) and "defaultValue" in spec:
                    return self.resolve(spec["defaultValue"], depth + 1)
                return Expr(label)
            if any(k.lower() == name.lower() for k in self._variables):
                return self.resolve(_lookup(self._variables, name), depth + 1)
            return Expr(label)
        finally:
            self._resolving.discard(key)


def _lookup(mapping: dict, name: str) -> Any:
    """ARM parameter and variable names are case-insensitive."""
    if name in mapping:
        return mapping[name]
    lowered = name.lower()
    return next((v for k, v in mapping.items() if k.lower() == lowered), None)


class _TypeLines:
    """Lines of each `"type": "<value>"` in the text, handed out in document order."""

    _TYPE = re.compile(r'"type"\s*:\s*"([^"]*)"')

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[str, list[int]] | None = None

    def next_line(self, written_type: str) -> int | None:
        if self._lines is None:
            self._lines = {}
            line, position = 1, 0
            for match in self._TYPE.finditer(self._text):
                line += self._text.count("\n", position, match.start())
                position = match.start()
                self._lines.setdefault(match.group(1), []).append(line)
        found = self._lines.get(written_type)
        return found.pop(0) if found else None


def malformed_json_reason(exc: json.JSONDecodeError) -> str:
    return f"malformed JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
