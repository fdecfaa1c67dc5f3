"""Terraform values: `var.x` and `local.x` resolved, following module calls inside the repository.

`var.x` takes the value every module call in the repository passes (when they agree on a
literal), else the value that every per-environment var file of the module sets alike (the
`-var-file`s `env/<env>.tfvars` or `<env>.tfvars`: what every deployment gets; set differently,
it is an `Expr`), else the value in the folder's `terraform.tfvars` / `*.auto.tfvars` (Terraform
loads those automatically), else the variable's literal default; `local.x` takes the local's
literal value. A switch on a known boolean is decided: `!var.x`, `var.x ? "a" : "b"` (literal
branches). Anything else is an `Expr`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Expr
from mlops_ladder.assessment.evidence.repo.iac.common import shorten
from mlops_ladder.assessment.evidence.repo.iac.terraform.hcl import ABSENT, META_KEYS, TerraformFile, label_of

_REFERENCE = re.compile(r"^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)$")
_INTERPOLATION = re.compile(r"\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}")
_LITERAL = r'(?:"(?:[^"\\$]|\\.)*"|-?\d+|true|false)'
_NEGATION = re.compile(r"!\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)")
_CHOICE = re.compile(rf"(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\?\s*({_LITERAL})\s*:\s*({_LITERAL})")
_ESCAPES = re.compile(r'\\(["\\nrt])')
_ESCAPED = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_MAX_DEPTH = 40


@dataclass
class Folder:
    """One Terraform module: the .tf files of a folder."""

    path: str
    files: list[TerraformFile] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)  # name -> default as written (ABSENT if none)
    locals: dict[str, Any] = field(default_factory=dict)
    auto_values: dict[str, Any] = field(default_factory=dict)  # from terraform.tfvars / *.auto.tfvars
    env_values: dict[str, Any] = field(default_factory=dict)  # agreed by every per-environment var file


class Resolver:
    """Variable values per folder, following module calls made inside the repository."""

    def __init__(self, folders: dict[str, Folder], calls: dict[str, list[tuple[str, dict]]]) -> None:
        self._folders = folders
        self._calls = calls
        self._scopes: dict[str, Scope] = {}
        self._building: set[str] = set()

    def scope(self, path: str) -> Scope:
        if path not in self._scopes:
            self._building.add(path)
            passed = self._passed_values(path)
            self._building.discard(path)
            self._scopes[path] = Scope(self._folders[path], passed)
        return self._scopes[path]

    def _passed_values(self, path: str) -> dict[str, Any]:
        values: dict[str, list[Any]] = {}
        for caller, args in self._calls.get(path, ()):
            if caller in self._building or caller not in self._folders:
                continue
            caller_scope = self.scope(caller)
            for name, raw in args.items():
                values.setdefault(name, []).append(caller_scope.resolve(raw))
        return {
            name: found[0] if all(v == found[0] for v in found[1:]) else Expr(f"var.{name}")
            for name, found in values.items()
        }


class Scope:
    def __init__(self, folder: Folder, passed: dict[str, Any]) -> None:
        self._folder = folder
        self._passed = passed
        self._values: dict[tuple[str, str], Any] = {}
        self._resolving: set[tuple[str, str]] = set()

    def lookup(self, kind: str, name: str) -> Any:
        key = (kind, name)
        if key in self._values:
            return self._values[key]
        if key in self._resolving:
            return Expr(f"{kind}.{name}")
        self._resolving.add(key)
        try:
            value = self._lookup(kind, name)
        finally:
            self._resolving.discard(key)
        self._values[key] = value
        return value

    def _lookup(self, kind: str, name: str) -> Any:
        if kind == "local":
            raw = self._folder.locals.get(name, ABSENT)
            return Expr(f"local.{name}") if raw is ABSENT else self.resolve(raw)
        if name in self._passed:
            return self._passed[name]
        if name in self._folder.env_values:
            agreed = self._folder.env_values[name]
            return Expr(f"var.{name}") if isinstance(agreed, Expr) else self.resolve(agreed)
        if name in self._folder.auto_values:
            return self.resolve(self._folder.auto_values[name])
        default = self._folder.variables.get(name, ABSENT)
        return Expr(f"var.{name}") if default is ABSENT or default is None else self.resolve(default)

    def resolve(self, raw: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return Expr("…")
        if isinstance(raw, str):
            return self._resolve_text(raw)
        if isinstance(raw, list):
            return [self.resolve(v, depth + 1) for v in raw]
        if isinstance(raw, dict):
            return {label_of(k): self.resolve(v, depth + 1) for k, v in raw.items() if k not in META_KEYS}
        return raw

    def _resolve_text(self, raw: str) -> Any:
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            text = _unescape(raw[1:-1])
            return self._interpolate(text) if "${" in text else text
        if raw.startswith("${") and raw.endswith("}"):
            inner = raw[2:-1].strip()
            reference = _REFERENCE.match(inner)
            if reference:
                return self.lookup(reference.group(1), reference.group(2))
            return self._switch(inner)
        return raw  # python-hcl2 < 8 gives literals without quotes

    def _switch(self, inner: str) -> Any:
        """`!flag` and `flag ? literal : literal` on a flag whose value is a known boolean."""
        negation = _NEGATION.fullmatch(inner)
        choice = _CHOICE.fullmatch(inner)
        match = negation or choice
        if match:
            flag = self.lookup(match.group(1), match.group(2))
            if isinstance(flag, bool):
                if negation:
                    return not flag
                chosen = match.group(3 if flag else 4)
                return self._resolve_text(chosen) if chosen.startswith('"') else _number_or_bool(chosen)
        return Expr(shorten(inner))

    def _interpolate(self, text: str) -> Any:
        whole = _INTERPOLATION.fullmatch(text)
        if whole:
            return self.lookup(whole.group(1), whole.group(2))

        def fill(match: re.Match[str]) -> str:
            value = self.lookup(match.group(1), match.group(2))
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value) if isinstance(value, (str, int, float)) else match.group(0)

        return _INTERPOLATION.sub(fill, text)


def _number_or_bool(text: str) -> Any:
    return text == "true" if text in ("true", "false") else int(text)


def _unescape(text: str) -> str:
    return _ESCAPES.sub(lambda m: _ESCAPED[m.group(1)], text) if "\\" in text else text
