"""Validate Azure Pipelines YAML (pipelines and templates) against the Azure Pipelines schema that
check-jsonschema vendors (Microsoft's service-schema.json from azure-pipelines-vscode).

The file is read the way Azure Pipelines reads it: every scalar is a string (the schema types
`timeoutInMinutes: 60` as a string), which a task input typed boolean or number accepts when the text
is one (`failTaskOnMissingResultsFile: true`, as the service coerces it), and compile-time
expression blocks (`- ${{ if ... }}:`, `${{ each ... }}`) are unnested by check-jsonschema's own
`azure-pipelines` data transform. Patterns are Python regular expressions (`--regex-variant python`,
see /work/shared/notes/toolchain.md: the schema's patterns break the default engine).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class _StringLoader(yaml.SafeLoader):
    """Safe YAML where every scalar is text, as Azure Pipelines reads it."""


def _text_scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


for _tag in ("bool", "int", "float", "null", "timestamp"):
    _StringLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _text_scalar)


@cache
def _validator() -> Any:
    import jsonschema

    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("azure-pipelines.json")
    schema = json.loads(text.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    checker = cls.TYPE_CHECKER.redefine_many({
        "boolean": lambda _, value: isinstance(value, bool) or str(value).lower() in ("true", "false"),
        "integer": lambda _, value: isinstance(value, int) or bool(re.fullmatch(r"-?\d+", str(value))),
        "number": lambda _, value: isinstance(value, int | float)
        or bool(re.fullmatch(r"-?\d+(\.\d+)?", str(value))),
    })
    return jsonschema.validators.extend(cls, type_checker=checker)(schema)


def load_pipeline(path: Path) -> Any:
    from check_jsonschema.transforms.azure_pipelines import traverse_data

    return traverse_data(yaml.load(path.read_text(encoding="utf-8"), Loader=_StringLoader))


def schema_problems(path: Path) -> list[str]:
    """One line per schema error of the file (the deepest error of each failed branch)."""
    problems = []
    for error in _validator().iter_errors(load_pipeline(path)):
        while error.context:  # anyOf/oneOf: the branch that got furthest says what is wrong
            error = max(error.context, key=lambda sub: len(sub.absolute_path))
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        problems.append(f"{path.name}: {where}: {error.message[:300]}")
    return problems
