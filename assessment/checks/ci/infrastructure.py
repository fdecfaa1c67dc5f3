"""Checks that CI applies the infrastructure code that declares the workspace, and validates it
on pull requests."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import K, action_ref, looked_at, where_of
from mlops_ladder.assessment.checks.ci.tests_and_lint import runs_on_pull_requests
from mlops_ladder.assessment.checks.text import name_list
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

WORKSPACE_TYPE = "microsoft.machinelearningservices/workspaces"
_IAC_SUFFIXES = (".bicep", ".json", ".tf", ".bicepparam")


def _reached_files(repo: RepoEvidence, target: str) -> set[str]:
    """The IaC files a deployment of *target* (a template or a Terraform folder) reads, modules included."""
    module_refs: dict[str, list[str]] = getattr(repo.iac, "module_refs", None) or {}
    folder = "" if target == "." else target
    if target.endswith(_IAC_SUFFIXES):
        start = {target}
    else:  # a Terraform root module: the files of that folder (and below, when modules are not known)
        start = {
            f.path
            for f in (repo.files.under(folder) if folder else repo.files.files)
            if f.path.endswith(".tf")
            and ((not module_refs and folder) or posixpath.dirname(f.path) == folder)
        }
    reached, pending = set(), list(start)
    while pending:
        path = pending.pop()
        if path in reached:
            continue
        reached.add(path)
        for referenced in module_refs.get(path, []):
            if referenced.endswith(_IAC_SUFFIXES):
                pending.append(referenced)
            else:  # a module folder
                pending.extend(
                    f.path for f in repo.files.under(referenced) if posixpath.dirname(f.path) == referenced
                )
    return reached


def applying_actions(repo: RepoEvidence, paths: set[str]) -> list[tuple[CiAction, str]]:
    """(action, target) for CI steps that apply infrastructure code reaching one of *paths*."""
    found = []
    for action in repo.ci.of_kind(K.APPLY_IAC):
        for target in action.files:
            if not is_unresolved(target) and _reached_files(repo, target) & paths:
                found.append((action, target))
    return found


def ci_applies_iac(repo: RepoEvidence) -> CheckResult:
    """Does a CI step apply infrastructure code that declares the ML platform (the workspace)?"""
    applies = repo.ci.of_kind(K.APPLY_IAC)
    remote = repo.ci.unknown_remote_calls()
    if not applies and remote:
        call = remote[0]
        return unknown(
            f"infrastructure may be applied by an unknown remote workflow `{call.reference}` "
            f"({call.pipeline}): cannot tell",
            refs((c.location, c.reference) for c in remote),
        )
    if not applies:
        return failed(
            "no CI step applies infrastructure code (az deployment ... create, azure/arm-deploy, terraform "
            "apply); "
            f"{looked_at(repo)}"
        )
    workspaces = [r for r in repo.resources if r.type_lower == WORKSPACE_TYPE and not r.existing]
    unparsed = {note.path for note in repo.files.notes}
    undecided: list[tuple[CiAction, str]] = []
    for action in applies:
        for target in action.files:
            if is_unresolved(target):
                undecided.append((action, f"applies {target}, only known at run time"))
                continue
            reached = _reached_files(repo, target)
            declared = [w for w in workspaces if w.location.path in reached]
            if declared:
                workspace = declared[0]
                return passed(
                    f"{where_of(action)} applies {target}, which declares the Azure ML workspace "
                    f"{workspace.name} "
                    f"({workspace.location})",
                    refs([action_ref(action), (workspace.location, f"workspace {workspace.name}")]),
                )
            if reached & unparsed:
                undecided.append((action, f"applies {target}, which could not be fully read"))
        if not action.files:
            undecided.append((action, "applies a template that is not a file of this repository"))
    if undecided:
        action, why = undecided[0]
        return unknown(f"{where_of(action)} {why}", refs(action_ref(a, why) for a, why in undecided))
    targets = name_list(f for a in applies for f in a.files)
    return failed(
        f"CI applies {targets}, but none of it declares an Azure ML workspace "
        "(Microsoft.MachineLearningServices/"
        "workspaces)",
        refs(action_ref(a) for a in applies),
    )


def ci_validates_iac_on_pull_requests(repo: RepoEvidence) -> CheckResult:
    return runs_on_pull_requests(
        repo,
        K.VALIDATE_IAC,
        "CI validates the infrastructure code",
        "what-if, validate, bicep build or terraform plan",
    )


CHECKS = (
    ci_applies_iac,
    ci_validates_iac_on_pull_requests,
)
