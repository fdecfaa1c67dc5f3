"""Checks that CI creates Azure ML assets from their YAML: the model monitor schedule, components
and environments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import K, action_ref, looked_at, scripts_calling, where_of
from mlops_ladder.assessment.checks.text import name_list
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

SDK_REGISTER_CALLS = ("components.create_or_update", "environments.create_or_update")


def ci_deploys_monitor(repo: RepoEvidence) -> CheckResult:
    creations = repo.ci.of_kind(K.CREATE_SCHEDULE)
    for action in creations:
        for path in action.files:
            asset = repo.azureml.at(path)
            if asset is not None and asset.kind is AmlKind.MONITOR_SCHEDULE:
                return passed(
                    f"{where_of(action)} creates the model monitor {path}", refs([action_ref(action)])
                )
    unresolved = [a for a in creations if any(is_unresolved(f) for f in a.files)]
    if unresolved:
        return unknown(
            f"{where_of(unresolved[0])} creates a schedule from {unresolved[0].files[0]}, only known at run "
            "time",
            refs(action_ref(a) for a in unresolved),
        )
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    if monitors:
        return failed(
            f"the monitor {monitors[0].path} exists but no CI step creates it (az ml schedule create --file)",
            refs((m.location, "monitor schedule") for m in monitors),
        )
    if creations:
        return failed(
            f"CI creates schedules ({name_list(f for a in creations for f in a.files)}), none of them a "
            "model monitor",
            refs(action_ref(a) for a in creations),
        )
    return failed(f"no CI step creates a model monitor schedule; {looked_at(repo)}")


def ci_registers_components(repo: RepoEvidence) -> CheckResult:
    registrations = repo.ci.of_kind(K.REGISTER_COMPONENT, K.REGISTER_ENVIRONMENT) + scripts_calling(
        repo, *SDK_REGISTER_CALLS
    )
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
