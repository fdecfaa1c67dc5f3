"""Resources, their nested children and module calls of parsed Bicep files.

Module calls inside the repository give the called file's parameter values (scope.py);
modules from registries and template specs are named as external modules. Loops and
conditions do not stop a resource from being reported: its body is what counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.repo.iac.bicep.expressions import clean_key
from mlops_ladder.assessment.evidence.repo.iac.bicep.parse import ParsedBicep
from mlops_ladder.assessment.evidence.repo.iac.bicep.scope import Resolver, Scope
from mlops_ladder.assessment.evidence.repo.iac.common import avm_resource_type, join_repo_path
from mlops_ladder.assessment.evidence.repo.iac.model import ExternalModule

# Keys of a resource declaration that say how it is deployed, not what it is.
_DEPLOYMENT_KEYS = frozenset({"parent", "dependsOn", "depends_on", "__children__"})
_WRAPPER_KEYS = frozenset({"loop_type", "condition", "config"})


@dataclass
class BicepResult:
    resources: list[Resource] = field(default_factory=list)
    module_refs: dict[str, list[str]] = field(default_factory=dict)
    external_modules: list[ExternalModule] = field(default_factory=list)


def build_resources(
    parsed: list[ParsedBicep], parameter_values: dict[str, dict[str, Any]] | None = None
) -> BicepResult:
    """Resources, module references and external modules of the parsed files, with values
    resolved across module calls inside the repository and the values the templates'
    `.bicepparam` files agree on (*parameter_values*: template path -> {name: value})."""
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
    resolver = Resolver(by_path, calls, parameter_values)
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
    path: str, symbol: str, attrs: dict, parent_type: str | None, parent_api: str | None, scope: Scope
) -> Iterator[Resource]:
    """The resource declared by *attrs* and its nested children. A name that is an expression
    (`guid(...)`, a loop variable) is shown as the declaration's symbolic name."""
    own_type, _, own_api = str(attrs.get("type", "")).partition("@")
    api_version = attrs.get("api_version") or own_api or parent_api or None
    resource_type = f"{parent_type}/{own_type}" if parent_type else own_type
    config = _unwrap(attrs.get("config"))
    body = {clean_key(k): scope.resolve(v) for k, v in config.items() if k not in _DEPLOYMENT_KEYS}
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
