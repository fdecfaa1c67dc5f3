"""Resources, data sources and module calls of parsed Terraform files.

`resource` blocks become resources; `data` blocks become `existing` references. azurerm
resources are mapped to ARM (mappings.py), `azapi_resource` already has an ARM type and body
(also as `jsonencode({...})`); local module calls give the called folder's variable values
(scope.py), registry and git modules are named as external modules.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr, Location, Resource
from mlops_ladder.assessment.evidence.repo.iac.common import avm_resource_type
from mlops_ladder.assessment.evidence.repo.iac.model import ExternalModule
from mlops_ladder.assessment.evidence.repo.iac.terraform.hcl import (
    ABSENT,
    META_KEYS,
    TerraformFile,
    TerraformReader,
    blocks,
    label_of,
    line_of,
    literal_text,
    typed_blocks,
)
from mlops_ladder.assessment.evidence.repo.iac.terraform.mappings import (
    MAPPINGS,
    get_path,
    identity_type,
    map_body,
)
from mlops_ladder.assessment.evidence.repo.iac.terraform.scope import Folder, Resolver, Scope

_MODULE_KEYS = frozenset({"source", "version"})
_JSONENCODE = re.compile(r"^\s*jsonencode\((.*)\)\s*$", re.DOTALL)


@dataclass
class TerraformResult:
    resources: list[Resource] = field(default_factory=list)
    module_refs: dict[str, list[str]] = field(default_factory=dict)
    external_modules: list[ExternalModule] = field(default_factory=list)


def build_resources(
    files: list[TerraformFile],
    auto_tfvars: dict[str, list[dict]],
    tf_paths: set[str],
    reader: TerraformReader,
    env_values: dict[str, dict[str, Any]] | None = None,
) -> TerraformResult:
    """Resources, module references and external modules of the parsed .tf files.

    *auto_tfvars* maps a folder to the parsed contents of its terraform.tfvars / *.auto.tfvars;
    *tf_paths* are all .tf files of the repository (to list a local module's files); *env_values*
    maps a folder to the values its per-environment var files agree on (Expr where they differ)."""
    folders: dict[str, Folder] = {}
    for file in files:
        folder = folders.setdefault(posixpath.dirname(file.path), Folder(posixpath.dirname(file.path)))
        folder.files.append(file)
        for block in blocks(file.data.get("variable")):
            for name, spec in block.items():
                default = spec.get("default", ABSENT) if isinstance(spec, dict) else ABSENT
                folder.variables[label_of(name)] = default
        for block in blocks(file.data.get("locals")):
            folder.locals.update({k: v for k, v in block.items() if k not in META_KEYS})
    for path, agreed in (env_values or {}).items():
        if path in folders:
            folders[path].env_values.update(agreed)
    for path, contents in auto_tfvars.items():
        if path in folders:
            for values in contents:
                folders[path].auto_values.update(values)

    result = TerraformResult()
    calls: dict[str, list[tuple[str, dict]]] = {}
    for folder in folders.values():
        for file in folder.files:
            _read_modules(file, folder, tf_paths, calls, result)
    resolver = Resolver(folders, calls)
    for folder in folders.values():
        scope = resolver.scope(folder.path)
        for file in folder.files:
            for kind in ("resource", "data"):
                for tf_type, label, body in typed_blocks(file.data.get(kind)):
                    result.resources.append(_resource(file, kind, tf_type, label, body, scope, reader))
    return result


def _read_modules(
    file: TerraformFile, folder: Folder, tf_paths: set[str], calls: dict[str, list[tuple[str, dict]]],
    result: TerraformResult,
) -> None:
    for block in blocks(file.data.get("module")):
        for name, body in block.items():
            if not isinstance(body, dict):
                continue
            source = literal_text(body.get("source"))
            if source is None:
                continue
            line = line_of(file.text, rf'module\s+"{re.escape(label_of(name))}"')
            if source.startswith(("./", "../")):
                target = _join_folder(folder.path, source)
                if target is None:
                    continue
                members = sorted(p for p in tf_paths if posixpath.dirname(p) == target)
                refs = result.module_refs.setdefault(file.path, [])
                for member in members or [target]:
                    if member not in refs:
                        refs.append(member)
                args = {k: v for k, v in body.items() if k not in META_KEYS and k not in _MODULE_KEYS}
                calls.setdefault(target, []).append((folder.path, args))
            else:
                result.external_modules.append(
                    ExternalModule(Location(file.path, line), source, avm_resource_type(source))
                )


def _join_folder(folder: str, source: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(folder, source))
    if joined.startswith("..") or joined.startswith("/"):
        return None
    return "" if joined == "." else joined


def _resource(
    file: TerraformFile,
    kind: str,
    tf_type: str,
    label: str,
    raw: dict,
    scope: Scope,
    reader: TerraformReader,
) -> Resource:
    body = scope.resolve({k: v for k, v in raw.items() if k not in META_KEYS})
    _expand_dynamic_blocks(raw, body, scope)
    keyword = "resource" if kind == "resource" else "data"
    line = line_of(file.text, rf'{keyword}\s+"{re.escape(tf_type)}"\s+"{re.escape(label)}"')
    address = f"{tf_type}.{label}" if kind == "resource" else f"data.{tf_type}.{label}"
    api_version = None
    if tf_type in ("azapi_resource", "azapi_update_resource"):
        arm_type, api_version, arm_body = _azapi(raw, body, scope, reader)
        existing = kind == "data" or tf_type == "azapi_update_resource"
    elif tf_type in MAPPINGS:
        mapping = MAPPINGS[tf_type]
        arm_type, arm_body, existing = mapping.arm_type, map_body(mapping, body), kind == "data"
    else:
        arm_type, arm_body, existing = tf_type, body, kind == "data"
    name = arm_body.get("name")
    return Resource(
        type=arm_type,
        name=name if isinstance(name, str) else address,
        body=arm_body,
        location=Location(file.path, line),
        api_version=api_version,
        existing=existing,
        source="terraform",
    )


def _expand_dynamic_blocks(raw: dict, body: dict, scope: Scope) -> None:
    """`dynamic "identity" { content { ... } }` counts as an `identity` block."""
    for block in blocks(raw.get("dynamic")):
        for name, spec in block.items():
            content = spec.get("content") if isinstance(spec, dict) else None
            if content and label_of(name) not in body:
                body[label_of(name)] = scope.resolve(content)


def _azapi(raw: dict, body: dict, scope: Scope, reader: TerraformReader) -> tuple[str, str | None, dict]:
    type_text = body.get("type")
    arm_type, api_version = "azapi", None
    if isinstance(type_text, str):
        arm_type, _, version = type_text.partition("@")
        api_version = version or None
    arm_body = body.get("body")
    if isinstance(arm_body, Expr):
        arm_body = _jsonencode_body(raw.get("body"), scope, reader)
    arm_body = dict(arm_body) if isinstance(arm_body, dict) else {}
    for key in ("name", "location", "tags"):
        if key in body and key not in arm_body:
            arm_body[key] = body[key]
    identity = get_path(body, "identity.type")
    if identity is not ABSENT and "identity" not in arm_body:
        arm_body["identity"] = {"type": identity_type(identity)}
    return arm_type, api_version, arm_body


def _jsonencode_body(raw: Any, scope: Scope, reader: TerraformReader) -> Any:
    """The object inside `body = jsonencode({...})` (azapi 1.x), parsed as HCL."""
    if not isinstance(raw, str):
        return None
    text = raw[2:-1] if raw.startswith("${") and raw.endswith("}") else raw
    match = _JSONENCODE.match(text)
    if not match:
        return None
    try:
        parsed = reader.loads(f"body = {match.group(1)}\n")
    except Exception:  # an expression HCL cannot read on its own: keep the Expr
        return None
    return scope.resolve(parsed.get("body"))
