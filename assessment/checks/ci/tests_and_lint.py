"""Checks that CI runs the tests and the linter on pull requests, and fails when they fail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import K, T, action_ref, looked_at, trigger_names, where_of
from mlops_ladder.assessment.checks.text import name_list
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence


def runs_on_pull_requests(repo: RepoEvidence, kind: ActionKind, what: str, tools: str) -> CheckResult:
    actions = repo.ci.of_kind(kind)
    on_pr = [a for a in actions if T.PULL_REQUEST in a.triggers]
    gating = [a for a in on_pr if not a.continue_on_error]
    if gating:
        first = gating[0]
        return passed(
            f"{first.command} runs in {where_of(first)}, triggered by pull requests",
            refs(action_ref(a) for a in gating),
        )
    maybe = [a for a in actions if T.PULL_REQUEST in a.possible_triggers and not a.continue_on_error]
    if maybe:
        first = maybe[0]
        return unknown(
            f"{first.command} runs in {where_of(first)} ({trigger_names(first.triggers)}); "
            "whether it also runs on pull requests is set outside the YAML (Azure Repos branch policy, "
            "GitLab branch pipelines)",
            refs(action_ref(a) for a in maybe),
        )
    if on_pr:
        return failed(
            f"{what} on pull requests in {where_of(on_pr[0])} but failures are ignored "
            "(continue-on-error, allow_failure, `|| true` or --exit-zero)",
            refs(action_ref(a, "failure ignored") for a in on_pr),
        )
    if actions:
        return failed(
            f"{what} only under {trigger_names(set().union(*(a.triggers for a in actions)))} "
            f"({name_list(where_of(a) for a in actions)}), never on pull requests",
            refs(action_ref(a) for a in actions),
        )
    return failed(f"no CI step runs {tools}; {looked_at(repo)}")


def ci_runs_tests_on_pull_requests(repo: RepoEvidence) -> CheckResult:
    return runs_on_pull_requests(repo, K.RUN_TESTS, "CI runs the tests", "pytest, tox or nox")


def ci_runs_lint_on_pull_requests(repo: RepoEvidence) -> CheckResult:
    return runs_on_pull_requests(
        repo, K.LINT, "CI runs the linter", "ruff, flake8, pylint, black --check, mypy or pre-commit"
    )


CHECKS = (
    ci_runs_tests_on_pull_requests,
    ci_runs_lint_on_pull_requests,
)
