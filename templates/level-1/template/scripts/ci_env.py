#!/usr/bin/env python3
"""Print the names of one environment as KEY=value lines, for CI steps.

    python3 scripts/ci_env.py dev >> "$GITHUB_ENV"    # RESOURCE_GROUP, WORKSPACE, LOCATION, ...
    python3 scripts/ci_env.py --list                 # environment names, in promotion order
    python3 scripts/ci_env.py --format azure-devops dev  # ##vso[task.setvariable] lines (Azure Pipelines)

Reads mlops/config.yml with the standard library only (CI runners have python3 but not PyYAML),
so the file must stay in the simple block style it is rendered in.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "mlops" / "config.yml"
REQUIRED_ENV_KEYS = ("resource_group", "workspace", "online_endpoint", "batch_endpoint")


class ConfigError(ValueError):
    """The config file is not in the supported subset of YAML, or lacks a name."""


def _scalar(text: str, line_number: int) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text[:1] in "[{&*!|>\"'":
        raise ConfigError(f"line {line_number}: unsupported value {text!r} (use a plain or quoted scalar)")
    return int(text) if text.lstrip("-").isdigit() else text


def _strip_comment(line: str) -> str:
    """Drop a `# comment` (at the start or after a space) that is not inside quotes."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip()
    return line.rstrip()


def parse_simple_yaml(text: str) -> dict[str, Any]:
    """Parse nested `key: value` mappings with space indentation (the shape of mlops/config.yml)."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        if not line.strip():
            continue
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise ConfigError(f"line {line_number}: indent with spaces, not tabs")
        indent = len(line) - len(line.lstrip(" "))
        key, colon, value = line.strip().partition(":")
        if not colon or not key or key.startswith("- ") or (value and not value.startswith(" ")):
            raise ConfigError(f"line {line_number}: expected `key: value` or `key:`, got {line.strip()!r}")
        while indent <= stack[-1][0]:
            stack.pop()
        parent = stack[-1][1]
        if key in parent:
            raise ConfigError(f"line {line_number}: duplicate key {key!r}")
        value = value.strip()
        if value:
            parent[key] = _scalar(value, line_number)
        else:
            parent[key] = {}
            stack.append((indent, parent[key]))
    return root


def load_config(path: str | Path = DEFAULT_CONFIG) -> dict[str, Any]:
    return parse_simple_yaml(Path(path).read_text(encoding="utf-8"))


def environment_names(config: dict[str, Any]) -> list[str]:
    environments = config.get("environments")
    if not isinstance(environments, dict) or not environments:
        raise ConfigError("no `environments:` mapping in the config")
    return list(environments)


def environment_variables(config: dict[str, Any], env: str) -> dict[str, str]:
    """The KEY=value pairs CI needs for *env*."""
    names = environment_names(config)
    if env not in names:
        raise ConfigError(f"unknown environment {env!r}; the config defines {', '.join(names)}")
    settings = config["environments"][env]
    missing = [key for key in REQUIRED_ENV_KEYS if key not in settings]
    if missing:
        raise ConfigError(f"environment {env!r} lacks {', '.join(missing)}")
    compute = config.get("compute") or {}
    values = {
        "ENVIRONMENT": env,
        "PROJECT_NAME": config["project"],
        "PACKAGE_NAME": config.get("package", ""),
        "NAME_SUFFIX": config.get("name_suffix", ""),
        "LOCATION": config["location"],
        "MODEL_NAME": config["model_name"],
        "RESOURCE_GROUP": settings["resource_group"],
        "WORKSPACE": settings["workspace"],
        "ONLINE_ENDPOINT": settings["online_endpoint"],
        "BATCH_ENDPOINT": settings["batch_endpoint"],
        "COMPUTE_NAME": compute.get("name", ""),
        "COMPUTE_SIZE": compute.get("size", ""),
        "COMPUTE_MAX_NODES": compute.get("max_nodes", ""),
    }
    return {key: str(value) for key, value in values.items()}


def format_lines(variables: dict[str, str], style: str) -> list[str]:
    """`KEY=value` lines (GitHub's $GITHUB_ENV), or the logging commands that set pipeline variables
    in Azure Pipelines (later steps of the job see them as $(KEY) and as environment variables)."""
    if style == "azure-devops":
        for key, value in variables.items():
            if "\n" in value or "\r" in value:  # would end the logging command early
                raise ConfigError(f"the value of {key} ({value!r}) cannot be passed to Azure Pipelines")
        return [f"##vso[task.setvariable variable={key}]{value}" for key, value in variables.items()]
    return [f"{key}={value}" for key, value in variables.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the names of one environment as KEY=value lines.")
    parser.add_argument("env", nargs="?", help="environment name, e.g. dev")
    parser.add_argument("--list", action="store_true", help="print the environment names in promotion order")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="path of mlops/config.yml")
    parser.add_argument("--format", choices=("env", "azure-devops"), default="env",
                        help="env: KEY=value lines (default); azure-devops: ##vso[task.setvariable] lines")
    args = parser.parse_args(argv)
    if not args.list and not args.env:
        parser.error("give an environment name or --list")
    try:
        config = load_config(args.config)
        lines = environment_names(config) if args.list else format_lines(
            environment_variables(config, args.env), args.format
        )
    except (OSError, ConfigError, KeyError) as error:
        print(f"ci_env: {args.config}: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
