"""What the checks on a live Azure estate share: the Azure ML item types the scan reads, who made an
item (its ARM `systemData`), which workspace an item belongs to, and the verdict when nothing could
be judged (no workspace read, or the calls that would have shown the items were denied).

Who made an item: ARM stamps every resource with `systemData.createdByType` (and
`lastModifiedByType`): `User` (a person signed in), `Application` (a service principal, as CI signs
in), `ManagedIdentity` (a pipeline agent, a function, a schedule running as an identity) or `Key`.
A service principal or a managed identity is automation; a user is a person at a keyboard.
A user's sign-in name (`createdBy`) is never copied into findings: it is personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.checks.base import CheckResult, unknown
from mlops_ladder.assessment.checks.resources import (
    all_resources,
    blind_refs,
    blind_spots,
    blind_text,
    of_types,
    values_at,
)
from mlops_ladder.assessment.evidence.common import Resource

ML = "Microsoft.MachineLearningServices"
WORKSPACE = f"{ML}/workspaces"
JOB = f"{WORKSPACE}/jobs"
SCHEDULE = f"{WORKSPACE}/schedules"
ONLINE_ENDPOINT = f"{WORKSPACE}/onlineEndpoints"
ONLINE_DEPLOYMENT = f"{ONLINE_ENDPOINT}/deployments"
BATCH_ENDPOINT = f"{WORKSPACE}/batchEndpoints"
BATCH_DEPLOYMENT = f"{BATCH_ENDPOINT}/deployments"
MODEL_VERSION = f"{WORKSPACE}/models/versions"
COMPONENT = f"{WORKSPACE}/components"
ENVIRONMENT = f"{WORKSPACE}/environments"

_AUTOMATION = {"application": "a service principal", "managedidentity": "a managed identity"}


@dataclass(frozen=True)
class Maker:
    """Who made (or last changed) an item: automation True/False, or None when ARM does not say."""

    automation: bool | None
    text: str  # "created by a service principal (3f2a...) on 2026-05-02"


def maker(resource: Resource, *, modified: bool = True) -> Maker:
    """Who made *resource*: automation when a service principal or managed identity created it or
    (with *modified*) last changed it; a person when users did both; None when systemData is absent."""
    stamps = [("created", "createdBy", "createdByType", "createdAt")]
    if modified:
        stamps.append(("last changed", "lastModifiedBy", "lastModifiedByType", "lastModifiedAt"))
    people, unknown_kinds = [], []
    for verb, who_key, kind_key, when_key in stamps:
        kind = _first(resource, f"systemData.{kind_key}")
        who = _first(resource, f"systemData.{who_key}")
        when = str(_first(resource, f"systemData.{when_key}") or "")[:10]
        on = f" on {when}" if when else ""
        if isinstance(kind, str) and kind.lower() in _AUTOMATION:
            return Maker(True, f"{verb} by {_AUTOMATION[kind.lower()]}{f' ({who})' if who else ''}{on}")
        if isinstance(kind, str) and kind.lower() == "user":
            # A person's sign-in name is personal data: reports are shared and kept, so say only
            # that a person did it (the automation ids above are applications, not people).
            people.append(f"{verb} by a user{on}")
            continue
        if kind is not None:
            unknown_kinds.append(f"{verb} by a {kind} credential{f' ({who})' if who else ''}{on}")
    if people and not unknown_kinds:
        return Maker(False, " and ".join(dict.fromkeys(people)))
    return Maker(None, " and ".join(unknown_kinds + people) or "no systemData: who made it is not recorded")


def _first(resource: Resource, path: str) -> Any:
    values = values_at(resource.body, path)
    return values[0] if values else None


def prop(resource: Resource, path: str) -> Any:
    """The first value at *path* in the resource's body, or None."""
    return _first(resource, path)


def workspace_of(resource: Resource) -> str:
    """The id of the workspace an Azure ML item lies under (lower-case), or "" for other resources."""
    path = resource.location.path.lower()
    marker = f"/providers/{WORKSPACE.lower()}/"
    if marker not in path:
        return ""
    head, tail = path.split(marker, 1)
    return f"{head}{marker}{tail.split('/', 1)[0]}"


def parent_of(resource: Resource) -> str:
    """The id of the item a child item lies under (a deployment's endpoint), lower-case."""
    return resource.location.path.lower().rsplit("/", 2)[0]


def items(azure: Any, types: str | Sequence[str]) -> list[Resource]:
    return of_types(all_resources(azure), types)


def workspaces(azure: Any) -> list[Resource]:
    return items(azure, WORKSPACE)


def undecided(azure: Any, types: str | Sequence[str], what: str) -> CheckResult | None:
    """UNKNOWN when no Azure ML workspace was read or a gap may hide items of *types* (a denied
    call never makes a failure); None when the absence of such items can be judged."""
    blind = blind_spots(azure, types)
    if blind:
        return unknown(f"{what} cannot be judged: {blind_text(blind)}", blind_refs(blind))
    if not workspaces(azure):
        blind = blind_spots(azure, WORKSPACE)
        if blind:
            return unknown(f"no Azure ML workspace read; {blind_text(blind)}", blind_refs(blind))
        return unknown(f"no Azure ML workspace was read, so {what} cannot be judged")
    return None


_NOUNS = {
    WORKSPACE.lower(): "workspace",
    JOB.lower(): "job",
    SCHEDULE.lower(): "schedule",
    ONLINE_ENDPOINT.lower(): "online endpoint",
    ONLINE_DEPLOYMENT.lower(): "online deployment",
    BATCH_ENDPOINT.lower(): "batch endpoint",
    BATCH_DEPLOYMENT.lower(): "batch deployment",
    COMPONENT.lower(): "component",
    ENVIRONMENT.lower(): "environment",
}


def item_label(resource: Resource) -> str:
    """ "online deployment 'credit-endpoint/blue'", "schedule 'drift-monitor'"."""
    noun = _NOUNS.get(resource.type_lower, resource.type.rsplit("/", 1)[-1])
    name = resource.name
    if resource.type_lower in (ONLINE_DEPLOYMENT.lower(), BATCH_DEPLOYMENT.lower()):
        name = f"{parent_of(resource).rsplit('/', 1)[-1]}/{name}"
    return f"{noun} '{name}'"


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
