"""Was it made by automation? Checks that read who created or last changed live Azure ML items
(`systemData`, see common.py): the monitor schedule (MLL-403), the registered components and
environments (MLL-408), the deployments of registered models (MLL-302) and the workspace itself
(MLL-311). A service principal or managed identity is a pipeline; a user is a person by hand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlops_ladder.assessment.checks.azure.common import (
    BATCH_DEPLOYMENT,
    COMPONENT,
    ENVIRONMENT,
    ONLINE_DEPLOYMENT,
    SCHEDULE,
    WORKSPACE,
    count,
    item_label,
    items,
    maker,
    prop,
    undecided,
    workspaces,
)
from mlops_ladder.assessment.checks.azure.models import model_reference
from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.evidence.common import Resource

# Made by the service when a job is submitted with an inline environment or component: whoever
# submitted the job made them, so they say nothing about registering assets.
ANONYMOUS_ASSETS = {"cliv2anonymousenvironment", "azureml_anonymous"}


def _made_by_automation(
    azure: Any, candidates: list[Resource], what: str, types: str | Sequence[str], *, none_found: str
) -> CheckResult:
    """PASS when automation made (or last changed) one of *candidates*; FAIL when people made all of
    them, or there are none (*none_found* says so); UNKNOWN when a denied call may hide some, or
    ARM does not record who made those that are left."""
    makers = [(r, maker(r)) for r in candidates]
    automated = [(r, m) for r, m in makers if m.automation]
    if automated:
        resource, first = automated[0]
        more = f" (and {len(automated) - 1} more)" if len(automated) > 1 else ""
        return passed(
            f"{item_label(resource)} was {first.text}{more}",
            refs((r.location, f"{item_label(r)}: {m.text}") for r, m in automated),
        )
    blind = undecided(azure, types, what)
    if blind is not None:
        return blind
    if not candidates:
        return failed(none_found)
    unrecorded = [(r, m) for r, m in makers if m.automation is None]
    if unrecorded:
        resource, first = unrecorded[0]
        return unknown(
            f"{item_label(resource)}: {first.text}; cannot tell whether automation made it",
            refs((r.location, f"{item_label(r)}: {m.text}") for r, m in unrecorded),
        )
    resource, first = makers[0]
    return failed(
        f"{what}: {len(candidates)} read, all made by people, none by a service principal or managed "
        f"identity; {item_label(resource)} was {first.text}",
        refs((r.location, f"{item_label(r)}: {m.text}") for r, m in makers),
    )


def _scope_text(azure: Any) -> str:
    return count(len(workspaces(azure)), "Azure ML workspace") + " read"


def monitor_is_created_by_automation(azure: Any) -> CheckResult:
    """Was a model monitor schedule (action CreateMonitor) created or last changed by a service
    principal or managed identity?"""
    monitors = [
        s
        for s in items(azure, SCHEDULE)
        if str(prop(s, "properties.action.actionType") or "").lower() == "createmonitor"
    ]
    return _made_by_automation(
        azure,
        monitors,
        "monitor schedules",
        SCHEDULE,
        none_found=f"no model monitor schedule (action CreateMonitor) in the {_scope_text(azure)}",
    )


def assets_are_registered_by_automation(azure: Any) -> CheckResult:
    """Was a registered component or environment created or last changed by a service principal or
    managed identity (the anonymous ones a job submission makes do not count)?"""
    assets = [r for r in items(azure, (COMPONENT, ENVIRONMENT)) if r.name.lower() not in ANONYMOUS_ASSETS]
    return _made_by_automation(
        azure,
        assets,
        "components and environments",
        (COMPONENT, ENVIRONMENT),
        none_found=f"no registered component or environment in the {_scope_text(azure)}",
    )


def registered_model_is_deployed_by_automation(azure: Any) -> CheckResult:
    """Was an online or batch deployment that serves a registered model version created or last
    changed by a service principal or managed identity?"""
    deployments = items(azure, (ONLINE_DEPLOYMENT, BATCH_DEPLOYMENT))
    serving = [d for d in deployments if model_reference(d).registered]
    none = (
        f"{count(len(deployments), 'deployment')} read, none serving a registered model version"
        if deployments
        else f"no online or batch deployment in the {_scope_text(azure)}"
    )
    return _made_by_automation(
        azure,
        serving,
        "deployments of registered models",
        (ONLINE_DEPLOYMENT, BATCH_DEPLOYMENT),
        none_found=none,
    )


def workspace_is_deployed_by_automation(azure: Any) -> CheckResult:
    """Was an Azure ML workspace created or last changed by a service principal or managed identity
    (a pipeline applying infrastructure code), not by a person?"""
    found = workspaces(azure)
    if not found:
        return undecided(azure, WORKSPACE, "who deploys the workspace") or unknown(
            "no Azure ML workspace was read"
        )
    return _made_by_automation(azure, found, "workspaces", WORKSPACE, none_found="no Azure ML workspace")


CHECKS = (
    monitor_is_created_by_automation,
    assets_are_registered_by_automation,
    registered_model_is_deployed_by_automation,
    workspace_is_deployed_by_automation,
)
