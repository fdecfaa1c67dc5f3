"""Snapshots: what a scan read, saved as JSON (`scan-azure --save`) and assessed later without
credentials (`assess --azure-snapshot`). The output of `az graph query` and `az resource list -o json`
loads too, for users who can run the az CLI but not this tool with credentials.

Bodies were redacted when read (redact.py); they are redacted again on save and on load, so a
snapshot never holds a key, password, connection string or SAS signature, whatever made it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlops_ladder import __version__
from mlops_ladder.assessment.evidence.azure.catalog import DETAIL_API, all_collection_types, canonical_type
from mlops_ladder.assessment.evidence.azure.redact import redact
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence, Gap
from mlops_ladder.assessment.evidence.common import Location, Note, Resource
from mlops_ladder.errors import BadInputError, RefusedError

FORMAT_KEY = "mlops_ladder_azure_snapshot"
FORMAT_VERSION = 1


def save(evidence: AzureEvidence, path: Path, *, scope: str, cloud: str, force: bool = False) -> None:
    """Write *evidence* to *path*; never over a file that is not a snapshot, unless forced."""
    if path.exists() and not force and not _is_snapshot(path):
        raise RefusedError(
            f"{path}: exists and is not an mlops-ladder Azure snapshot; not overwriting it",
            hint="choose another --save path, or pass --force",
        )
    document = {
        FORMAT_KEY: FORMAT_VERSION,
        "tool_version": __version__,
        "scanned_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "cloud": cloud,
        "scope": scope,
        "subscriptions": evidence.subscriptions,
        "gaps": [{"scope": g.scope, "types": list(g.types), "reason": g.reason} for g in evidence.gaps],
        "notes": [{"path": n.path, "reason": n.reason} for n in evidence.notes],
        "resources": [
            {
                "type": r.type,
                "name": r.name,
                "id": r.location.path,
                "api_version": r.api_version,
                "body": redact(r.body),
            }
            for r in evidence.resources
        ],
    }
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(json.dumps(document, indent=1, sort_keys=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BadInputError(
            f"{path}: cannot write: {exc.strerror}", hint="check the path and permissions"
        ) from None


def load(path: Path) -> AzureEvidence:
    """A snapshot, or `az graph query` / `az resource list -o json` output, as AzureEvidence."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(
            f"{path}: no such file", hint="give the file written by scan-azure --save"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read: {exc}", hint="check the path and permissions") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise BadInputError(
            f"{path}: not valid JSON (line {getattr(exc, 'lineno', '?')})",
            hint="give a scan-azure snapshot, or the JSON output of `az graph query` / `az resource list`",
        ) from None
    if isinstance(document, dict) and FORMAT_KEY in document:
        return _from_snapshot(document, path)
    rows = _az_rows(document)
    if rows is None:
        raise BadInputError(
            f"{path}: not an Azure snapshot (expected a scan-azure snapshot, or a list of resources "
            "from `az resource list -o json` / `az graph query`)",
            hint="save one with `mlops-ladder scan-azure --subscription ID --save FILE`",
        )
    return _from_az(rows, path)


def _from_snapshot(document: dict, path: Path) -> AzureEvidence:
    if document.get(FORMAT_KEY) != FORMAT_VERSION:
        raise BadInputError(
            f"{path}: snapshot format {document.get(FORMAT_KEY)!r} is not supported (this version reads "
            f"{FORMAT_VERSION})",
            hint="scan again with this version of mlops-ladder",
        )
    try:
        resources = [
            Resource(
                type=r["type"],
                name=r["name"],
                body=redact(r["body"]),
                location=Location(r["id"]),
                api_version=r.get("api_version"),
                source="azure",
            )
            for r in document["resources"]
        ]
        gaps = [Gap(g["scope"], tuple(g["types"]), g["reason"]) for g in document.get("gaps", [])]
        notes = [Note(n["path"], n["reason"]) for n in document.get("notes", [])]
        subscriptions = [str(s) for s in document.get("subscriptions", [])]
    except (KeyError, TypeError) as exc:
        raise BadInputError(
            f"{path}: malformed snapshot ({exc})", hint="save it again with scan-azure"
        ) from None
    notes.append(Note(str(path), f"Azure evidence from a snapshot taken {document.get('scanned_at', '?')}"))
    return AzureEvidence(subscriptions, resources, notes, gaps, origin=str(path))


def _az_rows(document: Any) -> list[dict] | None:
    if isinstance(document, dict) and isinstance(document.get("data"), list):  # az graph query (az >= 2.40)
        document = document["data"]
    if isinstance(document, list) and all(
        isinstance(r, dict) and "id" in r and "type" in r for r in document
    ):
        return document
    return None


def _from_az(rows: list[dict], path: Path) -> AzureEvidence:
    resources = []
    for row in rows:
        body = redact(
            {k: v for k, v in row.items() if k not in ("subscriptionId", "resourceGroup", "tenantId")}
        )
        resource_type = canonical_type(str(row["type"]))
        body["type"] = resource_type
        resource_id = str(row["id"])
        name = str(row.get("name") or resource_id.rsplit("/", 1)[-1])
        resources.append(
            Resource(
                type=resource_type,
                name=name,
                body=body,
                location=Location(resource_id),
                api_version=DETAIL_API.get(resource_type.lower()),
                source="azure",
            )
        )
    subscriptions = sorted(
        {
            r.location.path.split("/")[2]
            for r in resources
            if r.location.path.lower().startswith("/subscriptions/")
        }
    )
    reason = "the az CLI output holds top-level resources only, not the Azure ML workspace detail"
    gaps = [Gap(str(path), tuple(all_collection_types()), reason)]
    # `az resource list` leaves properties out: the settings of those resources are unknown.
    gaps += [
        Gap(r.location.path, (r.type,), "properties not in the az output")
        for r in resources
        if r.type.lower() in DETAIL_API and not isinstance(r.body.get("properties"), dict)
    ]
    notes = [Note(str(path), f"Azure evidence from az CLI output ({len(resources)} resources); {reason}")]
    return AzureEvidence(subscriptions, resources, notes, gaps, origin=str(path))


def _is_snapshot(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return not head.strip() or FORMAT_KEY in head
