"""What the platform checks share about wiring: which infrastructure code CI applies (and the files
it reaches through modules and nested stacks), which bundles CI deploys, and schedules declared
as code that CI applies and whose runs reach code that starts pipelines. Helpers, not checks."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction
from mlops_ladder.assessment.evidence.repo.platforms.model import FactKind, Platform, PlatformFact

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

K = ActionKind
F = FactKind
IAC_SUFFIXES = (".tf", ".yaml", ".yml", ".json", ".template", ".bicep")


def scheduled_submissions(repo: RepoEvidence) -> list[PlatformFact]:
    """Schedules declared as code whose runs reach code that starts pipelines (Cloud Scheduler ->
    function; an EventBridge rule that starts a SageMaker pipeline)."""
    schedules = repo.platforms.of_kind(F.SCHEDULE)
    starts = {f.platform for f in repo.platforms.of_kind(F.SUBMISSION)}
    return [s for s in schedules if s.platform in starts or s.platform is Platform.SAGEMAKER]


def reached_files(repo: RepoEvidence, target: str) -> set[str]:
    """The IaC files that applying *target* (a template, or a Terraform folder) reads, modules included."""
    refs_by_file = repo.iac.module_refs or {}
    if target.endswith(IAC_SUFFIXES):
        pending = [target]
    else:
        folder = "" if target == "." else target
        pending = (
            [
                f.path
                for f in repo.files.under(folder)
                if posixpath.dirname(f.path) == folder and f.path.endswith(".tf")
            ]
            if folder
            else []
        )
    reached: set[str] = set()
    while pending:
        path = pending.pop()
        if path in reached:
            continue
        reached.add(path)
        for referenced in refs_by_file.get(path, []):
            if referenced.endswith(IAC_SUFFIXES):
                pending.append(referenced)
            else:
                pending.extend(
                    f.path for f in repo.files.under(referenced) if posixpath.dirname(f.path) == referenced
                )
    return reached


def applied(repo: RepoEvidence) -> list[tuple[CiAction, set[str]]]:
    """(action, IaC files it reaches) for every CI step that applies infrastructure code."""
    return [
        (action, set().union(*(reached_files(repo, t) for t in action.files if not is_unresolved(t))))
        for action in repo.ci.of_kind(K.APPLY_IAC)
    ]


def applied_by(repo: RepoEvidence, path: str) -> CiAction | None:
    return next((action for action, files in applied(repo) if path in files), None)


def bundle_deploys(repo: RepoEvidence) -> list[CiAction]:
    return [a for a in repo.ci.of_kind(K.DEPLOY_BUNDLE) if a.files]


def in_bundle(repo: RepoEvidence, config: str, fact: PlatformFact) -> bool:
    bundle = next((b for b in repo.platforms.bundles if b.config == config), None)
    return bundle is not None and fact.location.path in bundle.files


def wired_schedule(repo: RepoEvidence) -> tuple[PlatformFact, CiAction] | None:
    """A schedule declared in IaC that CI applies and whose runs reach code that starts pipelines."""
    for schedule in scheduled_submissions(repo):
        action = applied_by(repo, schedule.location.path)
        if action is not None:
            return schedule, action
    return None
