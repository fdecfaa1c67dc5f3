"""How live models are released, read from the online endpoints and their deployments: whether an
endpoint keeps two deployments to shift traffic between (blue/green, MLL-305), and which model each
deployment serves (MLL-306)."""

from __future__ import annotations

from typing import Any

from mlops_ladder.assessment.checks.azure.common import (
    BATCH_DEPLOYMENT,
    MODEL_VERSION,
    ONLINE_DEPLOYMENT,
    ONLINE_ENDPOINT,
    count,
    item_label,
    items,
    parent_of,
    prop,
    undecided,
    workspaces,
)
from mlops_ladder.assessment.checks.azure.models import model_reference
from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.resources import blind_refs, blind_spots, blind_text, gap_at


def _shares(mapping: Any) -> dict[str, Any]:
    return {str(k): v for k, v in mapping.items()} if isinstance(mapping, dict) else {}


def _split_text(traffic: dict[str, Any], mirror: dict[str, Any]) -> str:
    parts = [f"{name} {share}%" for name, share in traffic.items()]
    parts += [f"{name} mirrors {share}%" for name, share in mirror.items()]
    return ", ".join(parts) or "no traffic set"


def online_traffic_is_split(azure: Any) -> CheckResult:
    """Does an online endpoint keep two or more deployments (blue/green: traffic split between them,
    mirrored to one, or an idle one ready to take over or to roll back to)?

    NOT_APPLICABLE without online endpoints (batch-only); UNKNOWN when the endpoints or their
    deployments could not be read."""
    endpoints = items(azure, ONLINE_ENDPOINT)
    deployments = items(azure, ONLINE_DEPLOYMENT)
    if not endpoints:
        blind = undecided(azure, ONLINE_ENDPOINT, "online rollout")
        return blind or not_applicable(
            f"no online endpoint in the {_workspaces_read(azure)} (batch only)"
        )
    split, single, unread = [], [], []
    for endpoint in endpoints:
        traffic = _shares(prop(endpoint, "properties.traffic"))
        mirror = _shares(prop(endpoint, "properties.mirrorTraffic"))
        mine = [d.name for d in deployments if parent_of(d) == endpoint.location.path.lower()]
        names = list(dict.fromkeys([*traffic, *mirror, *mine]))
        detail = f"deployments {', '.join(names) or 'none'} (traffic: {_split_text(traffic, mirror)})"
        if len(names) >= 2 or any(mirror.values()):
            split.append((endpoint, detail))
        elif (gap := _deployments_unread(azure, endpoint)) is not None:
            unread.append((endpoint, f"{detail}; its deployments could not be read ({gap.reason})"))
        else:
            single.append((endpoint, detail))
    if split:
        endpoint, detail = split[0]
        more = f" (and {len(split) - 1} more endpoints)" if len(split) > 1 else ""
        return passed(
            f"online endpoint '{endpoint.name}' has {detail}{more}",
            refs((e.location, d) for e, d in split),
        )
    if unread:
        endpoint, detail = unread[0]
        return unknown(
            f"online endpoint '{endpoint.name}': {detail}", refs((e.location, d) for e, d in unread)
        )
    endpoint, detail = single[0]
    return failed(
        f"every online endpoint has a single deployment: '{endpoint.name}' has {detail}; a new model"
        " replaces the old one in place, with nothing to shift traffic to or roll back to",
        refs((e.location, d) for e, d in single),
    )


def _deployments_unread(azure: Any, endpoint: Any) -> Any:
    """The gap that hid the deployments of *endpoint* (or the whole workspace), if any."""
    gaps = getattr(azure, "gaps", [])
    path = endpoint.location.path.lower()
    for gap in gaps:
        if gap.covers(ONLINE_DEPLOYMENT) and path.startswith(gap.scope.lower()):
            return gap
    return gap_at(azure, endpoint)


def deployments_serve_registered_model_versions(azure: Any) -> CheckResult:
    """Does every live deployment serve a registered model by name and version?

    FAIL: a deployment serves an anonymous model uploaded from a local folder, files, or a model
    without a version. UNKNOWN when all serve registered versions: Azure resolves `@latest` to a
    version when a model is deployed, so whether the release pinned it only the code shows (the
    repository source decides). NOT_APPLICABLE: no deployment serves a model."""
    deployments = items(azure, (ONLINE_DEPLOYMENT, BATCH_DEPLOYMENT))
    anonymous = frozenset(
        v.location.path.lower()
        for v in items(azure, MODEL_VERSION)
        if str(prop(v, "properties.isAnonymous")).lower() == "true"
    )
    loose, pinned = [], []
    for deployment in deployments:
        reference = model_reference(deployment, anonymous)
        if reference.kind == "none":
            continue
        (pinned if reference.registered else loose).append((deployment, reference.describe()))
    if loose:
        deployment, detail = loose[0]
        more = f" (and {len(loose) - 1} more)" if len(loose) > 1 else ""
        return failed(
            f"{item_label(deployment)} serves {detail}{more}",
            refs((d.location, f"serves {t}") for d, t in loose),
        )
    if pinned:
        deployment, detail = pinned[0]
        gaps = blind_spots(azure, (ONLINE_DEPLOYMENT, BATCH_DEPLOYMENT))
        but = f"; and {blind_text(gaps)}" if gaps else ""
        return unknown(
            f"{count(len(pinned), 'deployment')} read serving registered model versions"
            f" ({item_label(deployment)}: {detail}), but Azure resolves `@latest` to a version when"
            f" deploying: whether the release pins the version only the code shows{but}",
            refs((d.location, f"serves {t}") for d, t in pinned) + blind_refs(gaps),
        )
    blind = undecided(azure, (ONLINE_DEPLOYMENT, BATCH_DEPLOYMENT), "the models deployments serve")
    if blind is not None:
        return blind
    return not_applicable(
        f"{count(len(deployments), 'deployment')} read, none serving a model"
        if deployments
        else f"no online or batch deployment in the {_workspaces_read(azure)}"
    )


def _workspaces_read(azure: Any) -> str:
    return count(len(workspaces(azure)), "Azure ML workspace") + " read"


CHECKS = (online_traffic_is_split, deployments_serve_registered_model_versions)
