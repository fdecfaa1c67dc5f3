#!/usr/bin/env python3
"""Helpers of the level-4 monitoring workflows, with the standard library only (CI runners have
python3 but not PyYAML).

    python3 scripts/monitoring.py asset --data-file mlops/azureml/data/customers.yml
        prints DATA_NAME=... and DATA_VERSION=... of a data asset YAML
    python3 scripts/monitoring.py reference --data-file mlops/azureml/data/customers.yml \
        --uri "$TRAINING_DATA_URI" --output "$RUNNER_TEMP/reference"
        writes an MLTable that reads the training data asset's file (the monitor's reference data)
        and prints REFERENCE_NAME=... and REFERENCE_VERSION=... (the training asset's version)
    python3 scripts/monitoring.py mltable --uri "$URI" --format csv|jsonl --output DIR
        writes an MLTable that reads CSV files or JSON lines at a datastore URI (batch scoring)
    python3 scripts/monitoring.py live --traffic traffic.json
        prints the deployment that serves most of an online endpoint's traffic (empty if none)
    python3 scripts/monitoring.py breaches --messages messages.json
        reads the drift queue's messages (Event Grid events of breached monitor thresholds) and
        prints BREACHES=<n> and one Markdown line per breach
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import sys
from pathlib import Path
from typing import Any

REFERENCE_SUFFIX = "-reference"
_TOP_LEVEL_SCALAR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):\s*(.*?)\s*(?:#.*)?$")
_READERS = {
    "csv": (
        "  - read_delimited:\n      delimiter: ','\n"
        "      header: all_files_same_headers\n      encoding: utf8\n"
    ),
    "jsonl": "  - read_json_lines:\n      encoding: utf8\n      include_path_column: false\n",
}


class MonitoringError(ValueError):
    """An input the workflow gave cannot be used; the message says which and why."""


def data_asset(path: Path) -> tuple[str, str]:
    """(name, version) of an Azure ML data asset YAML, read without PyYAML (top-level scalars only)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TOP_LEVEL_SCALAR.match(line)
        if match and match.group(2):
            values[match.group(1)] = match.group(2).strip("\"'")
    missing = [key for key in ("name", "version") if not values.get(key)]
    if missing:
        raise MonitoringError(f"{path}: no top-level {' and '.join(missing)}")
    return values["name"], values["version"]


def mltable(uri: str, fmt: str) -> str:
    """The MLTable text that reads *uri* (a file, or a folder of files) in *fmt*."""
    if not uri.startswith(("azureml://", "https://", "abfss://", "wasbs://")):
        raise MonitoringError(f"{uri!r} is not a cloud URI (azureml://, https://, abfss://, wasbs://)")
    if fmt not in _READERS:
        raise MonitoringError(f"unknown format {fmt!r}; use {', '.join(_READERS)}")
    if uri.endswith("/"):
        suffix = "csv" if fmt == "csv" else "jsonl"
        location = f"  - pattern: {uri}**/*.{suffix}\n"
    else:
        location = f"  - file: {uri}\n"
    return (
        "$schema: https://azuremlschemas.azureedge.net/latest/MLTable.schema.json\n"
        "type: mltable\n"
        f"paths:\n{location}"
        f"transformations:\n{_READERS[fmt]}"
    )


def live_deployment(traffic: Any) -> str:
    """The deployment with the largest traffic share; "" when no deployment takes traffic."""
    if not isinstance(traffic, dict):
        raise MonitoringError("expected the endpoint's traffic as a JSON object {deployment: percent}")
    shares = {str(name): int(share) for name, share in traffic.items() if int(share) > 0}
    if not shares:
        return ""
    return max(sorted(shares), key=lambda name: shares[name])


def _event(message: dict[str, Any]) -> dict[str, Any]:
    """The Event Grid event of one queue message (`az storage message get` output), decoded."""
    content = message.get("content", "")
    if isinstance(content, dict):
        return content
    text = str(content).strip()
    if not text.startswith(("{", "[")):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            which = message.get("id", "?")
            raise MonitoringError(f"message {which} is neither JSON nor base64 JSON") from error
    event = json.loads(text)
    return event[0] if isinstance(event, list) and event else event


def breaches(messages: Any) -> list[str]:
    """One Markdown line per breached monitor threshold in the queue messages."""
    if not isinstance(messages, list):
        raise MonitoringError("expected the queue messages as a JSON list")
    lines = []
    for message in messages:
        event = _event(message)
        data = event.get("data") or {}
        tags = {str(k).lower(): v for k, v in (data.get("RunTags") or data.get("runTags") or {}).items()}
        reason = tags.get("azureml_modelmonitor_threshold_breached")
        if not reason:
            continue  # a status change back to Completed, or an unrelated run
        run = data.get("RunId") or data.get("runId") or event.get("subject", "?")
        when = event.get("eventTime") or event.get("time") or "?"
        lines.append(f"- {when}: monitor run `{run}`: {reason}")
    return lines


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError) as error:
        raise MonitoringError(f"{path}: {error}") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    asset = commands.add_parser("asset", help="name and version of a data asset YAML")
    asset.add_argument("--data-file", required=True, type=Path)
    reference = commands.add_parser("reference", help="MLTable of the training data asset")
    reference.add_argument("--data-file", required=True, type=Path)
    reference.add_argument("--uri", required=True, help="the asset's path (az ml data show --query path)")
    reference.add_argument("--output", required=True, type=Path)
    table = commands.add_parser("mltable", help="MLTable of files at a datastore URI")
    table.add_argument("--uri", required=True)
    table.add_argument("--format", required=True, choices=sorted(_READERS))
    table.add_argument("--output", required=True, type=Path)
    live = commands.add_parser("live", help="the deployment that serves the traffic")
    live.add_argument("--traffic", required=True)
    found = commands.add_parser("breaches", help="breached monitor thresholds in the drift queue")
    found.add_argument("--messages", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "asset":
            name, version = data_asset(args.data_file)
            print(f"DATA_NAME={name}\nDATA_VERSION={version}")
        elif args.command in ("reference", "mltable"):
            fmt = "csv" if args.command == "reference" else args.format
            args.output.mkdir(parents=True, exist_ok=True)
            (args.output / "MLTable").write_text(mltable(args.uri, fmt), encoding="utf-8")
            if args.command == "reference":
                name, version = data_asset(args.data_file)
                print(f"REFERENCE_NAME={name}{REFERENCE_SUFFIX}\nREFERENCE_VERSION={version}")
        elif args.command == "live":
            print(live_deployment(_read_json(args.traffic)))
        else:
            lines = breaches(_read_json(args.messages) or [])
            print("\n".join([f"BREACHES={len(lines)}", *lines]))
    except (MonitoringError, OSError, ValueError) as error:
        print(f"monitoring: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
