"""Network isolation of the ML platform (MLL-514): one check that judges the workspaces declared by
infrastructure code and the live workspaces read from Azure alike (see resources.py for how
resources and property paths are read)."""

from __future__ import annotations

from typing import Any

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.resources import (
    all_resources,
    blind_refs,
    blind_spots,
    blind_text,
    describe_scope,
    external_modules,
    gap_at,
    is_set,
    label,
    leaves,
    nothing_to_judge,
    of_types,
    show,
    values_at,
    values_equal,
)
from mlops_ladder.assessment.evidence.common import Expr, Resource

WORKSPACE = "Microsoft.MachineLearningServices/workspaces"
PRIVATE_ENDPOINT = "Microsoft.Network/privateEndpoints"
ISOLATION_MODES = ("AllowOnlyApprovedOutbound", "AllowInternetOutbound")


def _has_private_endpoint(everything: list[Resource], workspace: Resource) -> bool:
    """A private endpoint to the workspace: declared beside it (group id amlworkspace) or, for a
    workspace read from Azure, an approved private endpoint connection on it."""
    if any(is_set(v) for v in values_at(workspace.body, "properties.privateEndpointConnections")):
        return True
    endpoints = of_types([r for r in everything if not r.existing], PRIVATE_ENDPOINT)
    for endpoint in endpoints:
        groups = leaves(
            values_at(endpoint.body, "properties.privateLinkServiceConnections.properties.groupIds")
        )
        groups += leaves(
            values_at(endpoint.body, "properties.manualPrivateLinkServiceConnections.properties.groupIds")
        )
        if any(isinstance(g, str) and g.lower() == "amlworkspace" for g in groups):
            return True
    return False


def platform_is_network_isolated(resources: Any) -> CheckResult:
    """Is every workspace closed to the public network (publicNetworkAccess Disabled) and its
    traffic kept private by a managed virtual network or a private endpoint?"""
    everything = all_resources(resources)
    workspaces = of_types([r for r in everything if not r.existing], WORKSPACE)
    if not workspaces:
        if not everything:
            return nothing_to_judge(resources)
        if external_modules(resources, WORKSPACE):
            return unknown("the workspace is declared through a registry module whose settings are not read")
        blind = blind_spots(resources, WORKSPACE)
        if blind:
            return unknown(f"no Azure ML workspace read; {blind_text(blind)}", blind_refs(blind))
        return failed(f"{describe_scope(resources)}, none of them an Azure ML workspace")
    open_, undecided, isolated = [], [], []
    for workspace in workspaces:
        gap = gap_at(resources, workspace)
        if gap is not None:
            undecided.append((workspace, f"its settings could not be read ({gap.reason})"))
            continue
        access = values_at(workspace.body, "properties.publicNetworkAccess")
        mode = values_at(workspace.body, "properties.managedNetwork.isolationMode")
        private = _has_private_endpoint(everything, workspace)
        managed = any(values_equal(m, wanted) for m in mode for wanted in ISOLATION_MODES)
        access_text = ", ".join(show(v) for v in access) if access else "not set (Enabled)"
        way = "managed network " + show(mode[0]) if managed else ("a private endpoint" if private else "")
        detail = f"publicNetworkAccess {access_text}" + (
            f", {way}" if way else ", no managed network or private endpoint"
        )
        if any(isinstance(v, Expr) for v in access + mode):
            undecided.append((workspace, detail))
        elif access and all(values_equal(v, "Disabled") for v in access) and (managed or private):
            isolated.append((workspace, detail))
        else:
            open_.append((workspace, detail))
    if open_:
        workspace, detail = open_[0]
        return failed(
            f"{label(workspace)} is reachable from the public network: {detail}",
            refs((w.location, d) for w, d in open_),
        )
    if undecided:
        workspace, detail = undecided[0]
        how = "" if "could not be read" in detail else ", set by an expression"
        return unknown(
            f"{label(workspace)}: {detail}{how}",
            refs((w.location, d) for w, d in undecided),
        )
    workspace, detail = isolated[0]
    more = f" (and {len(isolated) - 1} more)" if len(isolated) > 1 else ""
    blind = blind_spots(resources, WORKSPACE)
    if blind:
        return unknown(f"{label(workspace)}: {detail}{more}; but {blind_text(blind)}", blind_refs(blind))
    return passed(f"{label(workspace)}: {detail}{more}", refs((w.location, d) for w, d in isolated))




CHECKS = (platform_is_network_isolated,)
