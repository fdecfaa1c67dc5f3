"""Where CI deploys: the environments of the deployment steps (the facts behind MLL-309).

A deployment step runs in an environment when its job is bound to one (a GitHub environment, an
Azure DevOps deployment job, a GitLab environment), or in each of the environments a variable or
parameter may name (`environment: $(ENVIRONMENT)` set to dev or prod by branch). Deployment steps of
one pipeline that read different per-environment variable files (`variables: - template:
config-prod.yml`) deploy to different environments too.

Production is approved when a deployment runs in an environment named like production (its
required reviewers are set in GitHub or Azure DevOps, outside the files, as the expert accepts) or
after a manual approval step of the same run (ManualValidation, GitLab `when: manual`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.ci.common import K
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

_PRODUCTION = re.compile(r"(^|[^a-z])(prod|prd|production|live)([^a-z]|$)", re.I)


def environments(steps: list[CiAction]) -> dict[str, CiAction]:
    """Environment name -> the first deployment step that runs in it (named or chosen)."""
    found: dict[str, CiAction] = {}
    for action in steps:
        names = action.environment_choices or (action.environment,)
        for name in names:
            if name and not is_unresolved(name):
                found.setdefault(name, action)
    return found


def named_at_run_time(steps: list[CiAction]) -> list[CiAction]:
    return [a for a in steps if a.environment and is_unresolved(a.environment) and not a.environment_choices]


def is_production(name: str) -> bool:
    return bool(_PRODUCTION.search(name))


def approved_before(repo: RepoEvidence, steps: list[CiAction]) -> list[tuple[CiAction, CiAction]]:
    """(approval, deployment) pairs where a manual approval step runs before the deployment."""
    approvals = repo.ci.of_kind(K.APPROVAL)
    return [
        (approval, step) for step in steps for approval in approvals if repo.ci.runs_after(step, approval)
    ]


def per_environment_files(steps: list[CiAction]) -> list[tuple[str, CiAction]]:
    """(variable files, step) for the deployment steps of one pipeline that read different
    per-environment variable files; [] when no pipeline has two such sets."""
    by_root: dict[str, dict[tuple[str, ...], CiAction]] = {}
    for action in steps:
        if action.config_files:
            by_root.setdefault(action.root_pipeline or action.pipeline, {}).setdefault(
                action.config_files, action
            )
    for sets in by_root.values():
        if len(sets) >= 2:
            return [(", ".join(files[-1:]), action) for files, action in sets.items()]
    return []
