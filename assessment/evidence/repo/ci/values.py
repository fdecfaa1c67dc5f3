"""Small helpers for values read from CI YAML: literals, `env:` mappings, lists, step labels, paths."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path


def literal(value: object) -> str | None:
    """The string value of a YAML scalar that holds no expression, else None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and not re.search(r"\$\{\{|\$\[|\$\(", value):
        return value
    return None


def literal_env(mapping: object, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """*base* plus the entries of an `env:` / `variables:` mapping. A value that holds an expression
    (`${{ vars.X }}`) is kept as written: the variable is set, to a value known only at run time
    (so `${X:-default}` is not the default)."""
    env = dict(base or {})
    if isinstance(mapping, dict):
        for name, value in mapping.items():
            if isinstance(value, dict):  # GitLab: {value: x, description: y}
                value = value.get("value")
            text = literal(value)
            if text is None and isinstance(value, str):
                text = expand(value, env)  # a value built from other known variables
            if text is not None:
                env[str(name)] = text
    return env


def truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def text_of(value: object) -> str | None:
    return None if value is None else str(value)


def as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def first_line(text: str, width: int = 60) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= width else line[: width - 3] + "..."


def repo_path(base_file: str, reference: str) -> str:
    """A path written in *base_file* (relative to its folder, or to the repo root with a leading /)."""
    if reference.startswith("/"):
        return posixpath.normpath(reference.lstrip("/"))
    return resolve_path(reference, posixpath.dirname(base_file))
