#!/usr/bin/env python3
r"""Choose the model version to release, and describe its copy in the next environment's workspace.

    az ml model list --name "$MODEL_NAME" --output json > versions.json
    python3 scripts/model_release.py resolve --versions versions.json [--requested 7]
        -> prints the version: the requested one, or the latest that passed the evaluation gate

    az ml model show --name "$MODEL_NAME" --version 7 --output json > model.json
    az ml model download --name "$MODEL_NAME" --version 7 --download-path files
    python3 scripts/model_release.py spec --show model.json --files files \
        --source-workspace mlw-x-dev --run-url "$RUN_URL" --output model.yml
    az ml model create --file model.yml       # in the next workspace: same name, same version

    python3 scripts/model_release.py same --show model.json --existing existing.json
        -> fails unless the version already registered in the next workspace is the same model

    python3 scripts/model_release.py verify --show model.json --files files
        -> fails unless the files' digest is the `model_sha256` tag the register step recorded

The very bytes that were tested are promoted: the register step tags each version with the SHA-256
digest of its files (model_digest.py), and the release verifies it on the files it downloads, on the
copy it hands to the next environment and on the copy registered there.

Only versions registered by the training pipeline's register step are released: that step registers
a model only when the evaluation gate approved it, and tags the version with the gate's bar
(`gate_bar`). A version without that tag (registered by hand) is refused.
Standard library only: CI runners have python3 but not the project's dependencies.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

GATE_TAG = "gate_bar"  # set by the register step, only on versions the gate approved
# Tags the register step sets that identify where a version came from (copies keep them).
IDENTITY_TAGS = ("source_run_id", "git_sha", "data_asset", "model_sha256")
DIGEST_TAG = "model_sha256"  # set by the register step (src/<package>/model_digest.py)


class ReleaseError(ValueError):
    """The requested release cannot go ahead; the message says why."""


def _version_number(model: dict[str, Any]) -> int:
    try:
        return int(str(model.get("version")))
    except ValueError:
        raise ReleaseError(f"model version {model.get('version')!r} is not a number") from None


def passed_gate(model: dict[str, Any]) -> bool:
    return GATE_TAG in (model.get("tags") or {})


def resolve_version(models: list[dict[str, Any]], requested: str = "") -> str:
    """The version to release: *requested* if it exists and passed the gate, else the latest that did."""
    if not models:
        raise ReleaseError("no version of the model is registered: run the training pipeline first")
    requested = requested.strip()
    if requested:
        match = [m for m in models if str(m.get("version")) == requested]
        if not match:
            known = ", ".join(sorted((str(m.get("version")) for m in models), key=lambda v: (len(v), v)))
            raise ReleaseError(f"version {requested} is not registered (registered: {known})")
        if not passed_gate(match[0]):
            raise ReleaseError(
                f"version {requested} has no {GATE_TAG!r} tag: it was not registered by the training "
                "pipeline's evaluation gate, so it is not released"
            )
        return requested
    gated = [m for m in models if passed_gate(m)]
    if not gated:
        raise ReleaseError(f"no registered version carries the {GATE_TAG!r} tag of the evaluation gate")
    return str(max(gated, key=_version_number)["version"])


def find_model_folder(files: Path) -> Path:
    """The downloaded MLflow model folder (the one holding MLmodel), or *files* itself."""
    found = sorted({path.parent for path in files.rglob("MLmodel")}, key=lambda p: (len(p.parts), p))
    if len(found) > 1:
        raise ReleaseError(f"several MLflow models below {files}: {', '.join(map(str, found))}")
    return found[0] if found else files


# Files MLflow adds when it downloads a model through a models:/ URI (MLflow 3.15 writes
# registered_model_meta): metadata of the download, not bytes of the model.
DOWNLOAD_METADATA = frozenset({"registered_model_meta"})


def folder_digest(files: Path) -> str:
    """SHA-256 over the sorted "<file sha256>  <path below the MLmodel folder>" lines (as model_digest.py)."""
    root = find_model_folder(files)
    lines = sorted(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}"
        for path in root.rglob("*") if path.is_file() and path.name not in DOWNLOAD_METADATA
    )
    if not lines:
        raise ReleaseError(f"no model file below {files}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def verify_digest(shown: dict[str, Any], files: Path) -> str:
    """The digest of *files*; ReleaseError unless it is the version's recorded `model_sha256`."""
    label = f"{shown.get('name')}:{shown.get('version')}"
    expected = (shown.get("tags") or {}).get(DIGEST_TAG)
    if not expected:
        raise ReleaseError(
            f"{label} has no {DIGEST_TAG!r} tag: it was registered before digests were recorded, so its "
            "files cannot be verified; retrain, or tag it after checking its files by hand"
        )
    actual = folder_digest(files)
    if actual != expected:
        raise ReleaseError(f"the files of {label} have digest {actual}, not the recorded {expected}")
    return actual


def promotion_spec(
    shown: dict[str, Any], files: Path, source_workspace: str, run_url: str
) -> dict[str, Any]:
    """An Azure ML model spec that recreates *shown* (az ml model show) elsewhere, with lineage tags."""
    for key in ("name", "version"):
        if not shown.get(key):
            raise ReleaseError(f"the model description has no {key!r}")
    model_type = shown.get("type") or "mlflow_model"
    folder = find_model_folder(files) if model_type == "mlflow_model" else files
    tags = {str(k): str(v) for k, v in (shown.get("tags") or {}).items()}
    tags.update(
        promoted_from_workspace=source_workspace,
        promoted_from_version=str(shown["version"]),
        promoted_by=run_url,
    )
    spec = {
        "$schema": "https://azuremlschemas.azureedge.net/latest/model.schema.json",
        "name": shown["name"],
        "version": str(shown["version"]),
        "type": model_type,
        "path": str(folder.resolve()),
        "tags": tags,
    }
    if shown.get("description"):
        spec["description"] = shown["description"]
    return spec


def check_same_model(shown: dict[str, Any], existing: dict[str, Any]) -> None:
    """ReleaseError unless *existing* (in the next workspace) is a copy of *shown* (in the source)."""
    source_tags = shown.get("tags") or {}
    existing_tags = existing.get("tags") or {}
    compared = [tag for tag in IDENTITY_TAGS if tag in source_tags]
    if not compared:
        raise ReleaseError(f"the source version has none of the tags {', '.join(IDENTITY_TAGS)} to compare")
    different = [tag for tag in compared if existing_tags.get(tag) != source_tags[tag]]
    if different:
        label = f"{shown.get('name')}:{shown.get('version')}"
        raise ReleaseError(
            f"{label} already exists in this workspace but is another model ({', '.join(different)} "
            "differ): the release stops rather than deploy it"
        )


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    resolve = commands.add_parser("resolve", help="print the version to release")
    resolve.add_argument("--versions", required=True, type=Path, help="output of az ml model list")
    resolve.add_argument("--requested", default="", help="a version number; empty = the latest gated one")
    spec = commands.add_parser("spec", help="write the model spec for the next workspace")
    spec.add_argument("--show", required=True, type=Path, help="output of az ml model show")
    spec.add_argument("--files", required=True, type=Path, help="where az ml model download put the files")
    spec.add_argument("--source-workspace", required=True)
    spec.add_argument("--run-url", required=True, help="the CI run that promotes the model")
    spec.add_argument("--output", required=True, type=Path)
    verify = commands.add_parser("verify", help="fail unless the files have the version's recorded digest")
    verify.add_argument("--show", required=True, type=Path, help="az ml model show of the version")
    verify.add_argument("--files", required=True, type=Path, help="the version's downloaded files")
    same = commands.add_parser("same", help="fail unless the next workspace holds the same model version")
    same.add_argument("--show", required=True, type=Path, help="az ml model show, in the source workspace")
    same.add_argument("--existing", required=True, type=Path, help="az ml model show, in this workspace")
    args = parser.parse_args(argv)
    try:
        if args.command == "resolve":
            print(resolve_version(_read_json(args.versions), args.requested))
        elif args.command == "verify":
            print(f"digest verified: {verify_digest(_read_json(args.show), args.files)}")
        elif args.command == "same":
            shown = _read_json(args.show)
            check_same_model(shown, _read_json(args.existing))
            print(f"{shown['name']}:{shown['version']} is already registered here (same model)")
        else:
            document = promotion_spec(_read_json(args.show), args.files, args.source_workspace, args.run_url)
            # JSON is YAML: the Azure ML CLI reads this file as a model YAML.
            args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
            print(f"model spec for {document['name']}:{document['version']} written to {args.output}")
    except (OSError, ValueError) as error:
        print(f"model_release: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
