"""Evaluate Bicep files into the resource instances they deploy (see tests/validators/iac_instances.py)."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from tests.validators.iac_instances import ROLE_ASSIGNMENT, Unknown, as_text, instance_name

_INTERPOLATION = re.compile(r"\$\{")


@functools.cache
def _parser() -> Any:
    from pycep import BicepParser

    return BicepParser()  # building the grammar takes ~0.4 s: once


@functools.lru_cache(maxsize=512)
def _parse_bicep(text: str) -> dict[str, Any]:
    """pycep's tree of *text*, shared between calls: the evaluator never changes it."""
    return _parser().parse(text=text)


class _Bicep:
    def __init__(self, path: Path, params: dict[str, Any]) -> None:
        self.path = path
        self.tree = _parse_bicep(path.read_text())
        self.scope: dict[str, Any] = {}
        self.lazy_vars = dict(self.tree.get("variables", {}))
        for name, spec in self.tree.get("parameters", {}).items():
            if name in params:
                self.scope[name] = params[name]
            elif "default" in spec:
                self.scope[name] = self.value(spec["default"], {})
        for name in self.tree.get("resources", {}):
            self.scope[name] = Unknown(name)
        for name in self.tree.get("modules", {}):
            self.scope[name] = Unknown(name)

    def lookup(self, name: str, local: dict[str, Any]) -> Any:
        if name in local:
            return local[name]
        if name in self.lazy_vars:
            self.scope[name] = self.value(self.lazy_vars.pop(name)["value"], {})
        if name in self.scope:
            return self.scope[name]
        raise KeyError(name)

    def knows(self, name: str, local: dict[str, Any]) -> bool:
        return name in local or name in self.lazy_vars or name in self.scope

    def value(self, node: Any, local: dict[str, Any]) -> Any:
        if isinstance(node, list):
            return [self.value(item, local) for item in node]
        if isinstance(node, (bool, int, float)) or node is None:
            return node
        if isinstance(node, str):
            if re.fullmatch(r"[A-Za-z_]\w*", node) and self.knows(node, local):
                return self.lookup(node, local)
            return self.string(node, local)
        if "operator" in node:
            return self.operator(node["operator"], local)
        if "function" in node:
            return self.function(node["function"], local)
        return {key: self.value(item, local) for key, item in node.items()}

    def string(self, text: str, local: dict[str, Any]) -> Any:
        out, pos = [], 0
        for match in _INTERPOLATION.finditer(text):
            if match.start() < pos:
                continue
            end, depth = match.end(), 1
            while depth:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            out.append(text[pos:match.start()])
            out.append(as_text(self.expression(text[match.end():end - 1], local)))
            pos = end
        return "".join(out) + text[pos:] if out else text

    def expression(self, source: str, local: dict[str, Any]) -> Any:
        parsed = _parse_bicep(f"var probe = {source}\n")["variables"]["probe"]["value"]
        return self.value(parsed, local)

    def operator(self, op: dict[str, Any], local: dict[str, Any]) -> Any:
        kind, operands = op["type"], op["operands"]
        if kind == "property_accessor":
            base = self.value(operands["operand_1"], local)
            return self.access(base, operands["operand_2"], local)
        if kind == "index_accessor":
            base = self.value(operands["operand_1"], local)
            index = self.value(operands["operand_2"], local)
            return Unknown(f"{base}[{index}]") if isinstance(base, Unknown) else base[index]
        if kind == "conditional":
            chosen = "true_value" if self.value(operands["condition"], local) else "false_value"
            return self.value(operands[chosen], local)
        if kind == "equals":
            right = operands["operand_2"]
            if isinstance(right, dict) and right.get("operator", {}).get("type") == "conditional":
                # pycep parses `a == b ? x : y` as `a == (b ? x : y)`; in Bicep `?:` binds last.
                branches = right["operator"]["operands"]
                equal = self.value(operands["operand_1"], local) == self.value(branches["condition"], local)
                return self.value(branches["true_value" if equal else "false_value"], local)
            return self.value(operands["operand_1"], local) == self.value(right, local)
        if kind == "not":
            return not self.value(operands["bool_value"], local)
        raise ValueError(f"{self.path.name}: Bicep operator {kind} is not evaluated here")

    def access(self, base: Any, accessor: Any, local: dict[str, Any]) -> Any:
        if isinstance(accessor, dict) and "operator" in accessor:  # a.b.c: operand_2 is b.c
            inner = accessor["operator"]
            first = inner["operands"]["operand_1"]
            if isinstance(first, dict):  # b[0].c
                index_op = first["operator"]["operands"]
                base = self.access(base, index_op["operand_1"], local)
                index = self.value(index_op["operand_2"], local)
                base = Unknown(f"{base}[{index}]") if isinstance(base, Unknown) else base[index]
            else:
                base = self.access(base, first, local)
            return self.access(base, inner["operands"]["operand_2"], local)
        if isinstance(base, Unknown):
            return getattr(base, str(accessor))
        return base[accessor]

    def function(self, call: dict[str, Any], local: dict[str, Any]) -> Any:
        kind = call["type"]
        args = {k: self.value(v, local) for k, v in (call.get("parameters") or {}).items()}
        values = list(args.values())
        if kind == "load_json_content":
            return json.loads((self.path.parent / values[0]).read_text())
        if kind == "empty":
            return not values[0]
        if kind == "union":
            return list(dict.fromkeys(item for value in values for item in value))
        if kind == "replace":
            return as_text(values[0]).replace(values[1], values[2])
        if kind == "environment":
            return {"suffixes": {"storage": "core.windows.net"}}
        if kind == "resource_group":
            return {"location": "westeurope", "id": Unknown("resourceGroup")}
        if kind in ("subscription_resource_id", "tenant_resource_id", "resource_id"):
            return "/".join(as_text(v) for v in values if v is not None)
        if kind == "guid":
            return Unknown("guid")
        if kind == "take":
            return values[0][: values[1]]
        raise ValueError(f"{self.path.name}: Bicep function {kind} is not evaluated here")

    def instances(self) -> list[tuple[str, str]]:
        found = []
        for resource in self.tree.get("resources", {}).values():
            if resource.get("existing"):
                continue
            for local in self.iterations(resource["config"]):
                body = _body(resource["config"])
                name = self.value(body.get("name"), local)
                role = None
                if resource["type"] == ROLE_ASSIGNMENT:
                    role = self.value(body["properties"]["roleDefinitionId"], local)
                found.append((resource["type"], instance_name(resource["type"], name, role)))
        for module in self.tree.get("modules", {}).values():
            target = self.path.parent / module["detail"]["path"]
            for local in self.iterations(module["config"]):
                params = {k: self.value(v, local) for k, v in _body(module["config"])["params"].items()}
                found += _Bicep(target, params).instances()
        return found

    def iterations(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        if not _is_wrapped(config):
            return [{}]
        loop = config.get("loop_type")
        if loop:
            detail = loop["detail"]
            items = self.value(detail["array_name"], {})
            index_name = detail.get("index_name")
            runs = [{detail["item_name"]: item, **({index_name: i} if index_name else {})}
                    for i, item in enumerate(items)]
        else:
            runs = [{}]
        condition = config.get("condition")
        return [run for run in runs if condition is None or self.value(condition, run)]


def _is_wrapped(config: dict[str, Any]) -> bool:
    """pycep wraps a looped or conditional declaration's body: {loop_type, condition, config}."""
    return isinstance(config.get("config"), dict) and ("loop_type" in config or "condition" in config)


def _body(config: dict[str, Any]) -> dict[str, Any]:
    return config["config"] if _is_wrapped(config) else config


def bicep_instances(files: list[Path], params: dict[str, Any]) -> Counter[tuple[str, str]]:
    """What deploying each Bicep file with *params* creates (its modules included)."""
    found: Counter[tuple[str, str]] = Counter()
    for path in files:
        found.update(_Bicep(path, params).instances())
    return found


