"""Checks of how CI signs in to Azure (OIDC, not stored secrets) and of GitHub Actions hygiene
(actions pinned to a commit, token permissions restricted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import looked_at
from mlops_ladder.assessment.checks.text import name_list, plural
from mlops_ladder.assessment.evidence.common import Location

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence


def ci_uses_oidc_for_azure(repo: RepoEvidence) -> CheckResult:
    logins = list({(login.location, login.method): login for login in repo.ci.logins}.values())
    secrets = [login for login in logins if login.method == "secret"]
    if secrets:
        first = secrets[0]
        where = f"{first.pipeline} (job {first.job})" if first.job else first.pipeline
        return failed(
            f"{where} signs in to Azure with a stored secret: {first.detail}",
            refs((login.location, login.detail) for login in secrets),
        )
    federated = [login for login in logins if login.method == "oidc"]
    undecided = [login for login in logins if login.method != "oidc"]
    if federated and not undecided:
        return passed(
            f"{plural(len(federated), 'Azure sign-in')} in CI, all with OIDC (workload identity federation)",
            refs((login.location, login.detail) for login in federated),
        )
    if undecided:
        return unknown(
            f"{plural(len(undecided), 'Azure sign-in')} in CI whose method the YAML does not show "
            f"({undecided[0].detail})",
            refs((login.location, login.detail) for login in undecided),
        )
    return unknown(f"no Azure sign-in found in CI; {looked_at(repo)}")


def _github_workflows(repo: RepoEvidence) -> list:
    return [p for p in repo.ci.pipelines if p.system == "github"]


def ci_actions_are_pinned(repo: RepoEvidence) -> CheckResult:
    if not _github_workflows(repo):
        return not_applicable("no GitHub Actions workflow in the repository")
    third_party = list({(r.uses, r.location): r for r in repo.ci.action_refs if not r.local}.values())
    unpinned = [r for r in third_party if not r.pinned]
    if unpinned:
        return failed(
            f"{plural(len(unpinned), 'action reference')} not pinned to a commit SHA: "
            f"{name_list((r.uses for r in unpinned), limit=5)}",
            refs((r.location, f"uses: {r.uses}") for r in unpinned),
        )
    if not third_party:
        return passed("the workflows use no third-party actions")
    return passed(
        f"all {plural(len(third_party), 'third-party action reference')} are pinned to a commit SHA",
        refs((r.location, f"uses: {r.uses}") for r in third_party),
    )


def ci_permissions_are_restricted(repo: RepoEvidence) -> CheckResult:
    workflows = _github_workflows(repo)
    if not workflows:
        return not_applicable("no GitHub Actions workflow in the repository")
    problems: list[tuple[Location, str]] = []
    checked = [w for w in workflows if not w.is_template]  # called workflows get at most the caller's token
    for workflow in checked:
        if workflow.permissions == "write-all":
            problems.append((Location(workflow.path, 1), "permissions: write-all"))
        for job in workflow.jobs:
            if job.permissions == "write-all":
                problems.append((job.location, f"job {job.id}: permissions: write-all"))
            elif workflow.permissions is None and job.permissions is None:
                problems.append((job.location, f"job {job.id} runs with the default token permissions"))
    if problems:
        return failed(
            f"{plural(len(problems), 'place')} with unrestricted token permissions: {problems[0][1]} "
            f"({problems[0][0]})",
            refs(problems),
        )
    return passed(
        f"{plural(len(checked), 'workflow')} set permissions at the top or on every job, none write-all",
        refs((Location(w.path), "permissions set") for w in checked),
    )


CHECKS = (
    ci_uses_oidc_for_azure,
    ci_actions_are_pinned,
    ci_permissions_are_restricted,
)
