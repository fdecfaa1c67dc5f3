"""Checks that CI creates Azure ML assets: the model monitor schedule (from its YAML, an SDK script, a
known template, or infrastructure code CI applies), components and environments."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import K, action_ref, looked_at, scripts_calling, where_of
from mlops_ladder.assessment.checks.ci.infrastructure import applying_actions
from mlops_ladder.assessment.checks.text import name_list
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

SDK_REGISTER_CALLS = ("components.create_or_update", "environments.create_or_update")
SDK_MONITOR_CALLS = ("MonitorDefinition", "MonitorSchedule")  # azure-ai-ml monitoring, created as a schedule
SCHEDULE_TYPE = "microsoft.machinelearningservices/workspaces/schedules"


def _iac_monitors(repo: RepoEvidence) -> list:
    """Azure ML schedules that create a monitor, declared in infrastructure code."""
    return [
        r for r in repo.resources if r.type_lower == SCHEDULE_TYPE and _action_type(r.body) == "createmonitor"
    ]


def _action_type(body: dict) -> str:
    properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    action = properties.get("action") if isinstance(properties.get("action"), dict) else {}
    return str(action.get("actionType", "")).lower()


def ci_deploys_monitor(repo: RepoEvidence) -> CheckResult:
    """Is a model monitor scheduled by automation: CI creates the monitor schedule (az ml schedule create,
    an SDK script, a known template), or CI applies infrastructure code that declares it?"""
    creations = repo.ci.of_kind(K.CREATE_SCHEDULE)
    for action in creations:
        for path in action.files:
            asset = repo.azureml.at(path)
            if asset is not None and asset.kind is AmlKind.MONITOR_SCHEDULE:
                return passed(
                    f"{where_of(action)} creates the model monitor {path}", refs([action_ref(action)])
                )
        if action.target_kind == "monitor":
            return passed(
                f"{where_of(action)} schedules a monitor ({action.command})", refs([action_ref(action)])
            )
    scripts = [a for a in scripts_calling(repo, *SDK_MONITOR_CALLS) if a.kind is K.RUN_PYTHON]
    if scripts:
        return passed(
            f"{where_of(scripts[0])} runs {scripts[0].files[0]}, which creates a monitor schedule with "
            "azure-ai-ml",
            refs(action_ref(a) for a in scripts),
        )
    declared = _iac_monitors(repo)
    applied = applying_actions(repo, {r.location.path for r in declared})
    if applied:
        action, path = applied[0]
        return passed(
            f"{where_of(action)} applies {path}, which declares a monitor schedule",
            refs([action_ref(action)] + [(r.location, f"{r.type} {r.name}") for r in declared]),
        )
    unresolved = [a for a in creations if any(is_unresolved(f) for f in a.files)]
    if unresolved:
        return unknown(
            f"{where_of(unresolved[0])} creates a schedule from {unresolved[0].files[0]}, only known at run "
            "time",
            refs(action_ref(a) for a in unresolved),
        )
    remote = repo.ci.unknown_remote_calls()
    if remote:
        call = remote[0]
        return unknown(
            f"a monitor may be scheduled by an unknown remote workflow `{call.reference}` ({call.pipeline}): "
            "cannot tell",
            refs((c.location, c.reference) for c in remote),
        )
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    if monitors:
        return failed(
            f"the monitor {monitors[0].path} exists but no CI step creates it (az ml schedule create --file)",
            refs((m.location, "monitor schedule") for m in monitors),
        )
    if declared:
        return failed(
            f"{declared[0].location.path} declares a monitor schedule, but no CI step applies it",
            refs((r.location, f"{r.type} {r.name}") for r in declared),
        )
    if creations:
        return failed(
            f"CI creates schedules ({name_list(f for a in creations for f in a.files)}), none of them a "
            "model monitor",
            refs(action_ref(a) for a in creations),
        )
    return failed(f"no CI step creates a model monitor schedule; {looked_at(repo)}")


def ci_registers_components(repo: RepoEvidence) -> CheckResult:
    # Chained, not concatenated: a helper script many steps run can register in each of them (only the
    # first few are named).
    registrations = [
        *itertools.islice(
            itertools.chain(
                repo.ci.of_kind(K.REGISTER_COMPONENT, K.REGISTER_ENVIRONMENT),
                scripts_calling(repo, *SDK_REGISTER_CALLS),
            ),
            10,
        )
    ]
    if registrations:
        action = registrations[0]
        return passed(
            f"{where_of(action)} registers with `{action.command}`",
            refs(action_ref(a) for a in registrations),
        )
    return failed(
        "no CI step registers Azure ML components or environments (az ml component create, az ml environment "
        f"create); {looked_at(repo)}"
    )


CHECKS = (
    ci_deploys_monitor,
    ci_registers_components,
)
