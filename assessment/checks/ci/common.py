"""What the CI checks share: how an action is named in a finding, where a script's module is, and
whether a condition runs a step on failure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, Trigger

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

K = ActionKind
T = Trigger

_ON_FAILURE = re.compile(r"(?<![!(])\bfailure\(\)|(?<!not\()\bfailed\(\)|on_failure|^\|\|", re.I)


def where_of(action: CiAction) -> str:
    root = action.root_pipeline or action.pipeline
    job = f"job {action.job}" + ("" if root == action.pipeline else f" of {root}")
    return f"{action.pipeline} ({job})"


def trigger_names(triggers: Iterable[Trigger]) -> str:
    names = sorted(str(t) for t in triggers)
    return ", ".join(names) if names else "no trigger"


def action_ref(action: CiAction, detail: str | None = None) -> tuple[Location, str]:
    return action.location, detail or f"{action.kind}: {action.command}"


def looked_at(repo: RepoEvidence) -> str:
    pipelines = [p for p in repo.ci.pipelines if not p.is_template]
    if not pipelines:
        return "the repository has no CI pipeline (GitHub Actions, Azure DevOps or GitLab CI)"
    return f"looked at {plural(len(pipelines), 'CI pipeline')}"


def module_of(repo: RepoEvidence, action: CiAction) -> PythonModule | None:
    return repo.python.module_at(action.files[0]) if action.kind is K.RUN_PYTHON and action.files else None


def scripts_calling(repo: RepoEvidence, *suffixes: str) -> list[CiAction]:
    """RUN_PYTHON actions whose script calls one of *suffixes* (e.g. "jobs.create_or_update")."""
    found = []
    for action in repo.ci.of_kind(K.RUN_PYTHON):
        module = module_of(repo, action)
        if module is not None and module.calls_ending(*suffixes):
            found.append(action)
    return found


def runs_on_failure(condition: str | None) -> bool:
    """True for conditions that run a step only when something failed.

    failure() (GitHub), failed() (Azure DevOps), on_failure (GitLab), `a || b` in a script."""
    return bool(condition and _ON_FAILURE.search(condition))
