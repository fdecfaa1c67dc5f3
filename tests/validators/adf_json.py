"""Offline checks of Azure Data Factory definitions in ADF's git-integration layout
(factory/, credential/, linkedService/, dataset/, pipeline/, trigger/, integrationRuntime/,
managedVirtualNetwork/ JSON files), for a machine where ADF's own validator cannot run (the npm
`@microsoft/azure-data-factory-utilities` downloads its bundle when it runs).

* Each entity becomes the Bicep declaration of its ARM resource (`Microsoft.DataFactory/factories/
  pipelines@2018-06-01`, ...) and is type-checked by bicep_types.py against Microsoft's published
  types (data/bicep-types-datafactory): unknown properties, closed enums, discriminated objects such
  as an activity's or linked service's `type`. Expressions (`@...`) are strings to it, as to ARM.
* Every `referenceName` of a LinkedServiceReference, DatasetReference, PipelineReference,
  CredentialReference or IntegrationRuntimeReference names an entity of the folder.
* An activity's `dependsOn` names an activity of the same list, and activity names are unique
  per pipeline (ADF refuses a pipeline otherwise).

Two keys of the git layout are not ARM resource properties and are left out of the type check: the
top-level `type` of an entity (read-only in ARM) and a trigger's `runtimeState` (ARM ignores it; the
deployment starts triggers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.validators.bicep_types import TYPES_ROOT, check_bicep_text

API_VERSION = "2018-06-01"
FOLDERS = {
    "factory": "Microsoft.DataFactory/factories",
    "credential": "Microsoft.DataFactory/factories/credentials",
    "linkedService": "Microsoft.DataFactory/factories/linkedservices",
    "dataset": "Microsoft.DataFactory/factories/datasets",
    "pipeline": "Microsoft.DataFactory/factories/pipelines",
    "trigger": "Microsoft.DataFactory/factories/triggers",
    "integrationRuntime": "Microsoft.DataFactory/factories/integrationRuntimes",
    "managedVirtualNetwork": "Microsoft.DataFactory/factories/managedVirtualNetworks",
}
REFERENCE_FOLDERS = {
    "LinkedServiceReference": "linkedService",
    "DatasetReference": "dataset",
    "PipelineReference": "pipeline",
    "CredentialReference": "credential",
    "IntegrationRuntimeReference": "integrationRuntime",
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class AdfProblem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def entities(root: Path) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """(folder, path, parsed JSON) of every entity file directly under a known folder of *root*."""
    for folder in FOLDERS:
        for path in sorted((root / folder).glob("*.json")):
            yield folder, path, json.loads(path.read_text(encoding="utf-8"))


def check_folder(root: Path, types_root: Path = TYPES_ROOT) -> list[AdfProblem]:
    problems: list[AdfProblem] = []
    found = list(entities(root))
    names = {(folder, body.get("name")) for folder, _, body in found}
    for folder, path, body in found:
        where = str(path.relative_to(root))
        if body.get("name") != path.stem:
            problems.append(AdfProblem(where, f"name {body.get('name')!r} is not the file name {path.stem}"))
        bicep = to_bicep(FOLDERS[folder], body)
        typed = check_bicep_text(bicep, where, types_root)
        problems += [AdfProblem(where, f"{p.code} {p.message}") for p in typed]
        for kind, name in references(body):
            if (REFERENCE_FOLDERS[kind], name) not in names:
                missing = f"{REFERENCE_FOLDERS[kind]}/{name}.json"
                problems.append(AdfProblem(where, f"{kind} {name!r}: no {missing}"))
        if folder == "pipeline":
            activities = body["properties"].get("activities", [])
            problems += [AdfProblem(where, message) for message in _activity_problems(activities)]
    return problems


def references(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        if value.get("type") in REFERENCE_FOLDERS and isinstance(value.get("referenceName"), str):
            yield value["type"], value["referenceName"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def _activity_problems(activities: list[dict[str, Any]]) -> Iterator[str]:
    names = [a.get("name") for a in activities]
    for name in {n for n in names if names.count(n) > 1}:
        yield f"activity name {name!r} is used twice"
    for activity in activities:
        for dependency in activity.get("dependsOn", []):
            if dependency.get("activity") not in names:
                name, needed = activity.get("name"), dependency.get("activity")
                yield f"activity {name!r} depends on {needed!r}, not in its list"
        properties = activity.get("typeProperties", {})
        for key in ("ifTrueActivities", "ifFalseActivities", "activities"):
            yield from _activity_problems(properties.get(key, []))


def to_bicep(resource_type: str, body: dict[str, Any]) -> str:
    """The entity as one Bicep resource declaration (the git layout's `type` and a trigger's
    `runtimeState` left out, see the module docstring)."""
    body = {k: v for k, v in body.items() if k != "type"}
    if isinstance(body.get("properties"), dict):
        body["properties"] = {k: v for k, v in body["properties"].items() if k != "runtimeState"}
    return f"resource entity '{resource_type}@{API_VERSION}' = {_literal(body, 0)}\n"


def _literal(value: Any, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = [f"{inner}{_key(k)}: {_literal(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + "\n".join(f"{inner}{_literal(v, depth + 1)}" for v in value) + f"\n{pad}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value) if value >= 0 else f"json('{value}')"
    # pycep-parser rejects backslash escapes and double quotes inside a Bicep string; the type check
    # compares strings only with closed enums, which never hold them, so they are blanked out here.
    text = re.sub(r'[\\"\n]', "_", str(value)).replace("'", "\\'").replace("${", "_{")
    return f"'{text}'"


def _key(key: str) -> str:
    return key if _IDENTIFIER.fullmatch(key) else _literal(key, 0)
