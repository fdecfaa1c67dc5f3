"""When a job or step runs, from its condition: triggers narrowed by `if:` / `condition:` tests.

GitHub's `github.event_name == 'push'`, Azure DevOps' `eq(variables['Build.Reason'], ...)` and
branch tests (`github.ref == 'refs/heads/main'`) say under which triggers a job or step runs;
`always()` and the like say that a job runs even when a job it needs was skipped.
"""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.ci.model import Trigger

T = Trigger

GITHUB_EVENTS: dict[str, Trigger] = {
    "pull_request": T.PULL_REQUEST,
    "pull_request_target": T.PULL_REQUEST,
    "push": T.PUSH,
    "schedule": T.SCHEDULE,
    "workflow_dispatch": T.MANUAL,
    "repository_dispatch": T.EVENT,
    "workflow_run": T.EVENT,
    "workflow_call": T.CALLED,
    "release": T.RELEASE,
}
AZURE_BUILD_REASONS: dict[str, Trigger] = {
    "pullrequest": T.PULL_REQUEST,
    "individualci": T.PUSH,
    "batchedci": T.PUSH,
    "schedule": T.SCHEDULE,
    "manual": T.MANUAL,
    "resourcetrigger": T.EVENT,
    "buildcompletion": T.EVENT,
}
_GITHUB_EVENT_TEST = re.compile(r"github\.event_name\s*(==|!=)\s*['\"]([\w-]+)['\"]")
_AZURE_REASON_TEST = re.compile(
    r"(not\(\s*)?\b(eq|ne)\(\s*variables\[\s*'build\.reason'\s*\]\s*,\s*'(\w+)'\s*\)", re.I
)
_MAIN_BRANCH_TEST = re.compile(
    r"github\.ref\s*==\s*['\"]refs/heads/"
    r"|\beq\(\s*variables\[\s*'build\.sourcebranch(name)?'\s*\]\s*,\s*'(refs/heads/)?[\w./-]+'\s*\)",
    re.I,
)


def narrow(triggers: frozenset[Trigger], condition: str | None) -> frozenset[Trigger]:
    """The triggers under which a job or step with *condition* runs.

    Understands `github.event_name == 'push'` / `!=`, Azure DevOps `eq|ne(variables['Build.Reason'], ...)`
    and branch tests (`github.ref == 'refs/heads/main'`), which rule out pull request runs.
    """
    if not condition or not triggers:
        return triggers
    wanted: set[Trigger] = set()
    unwanted: set[Trigger] = set()
    for operator, event in _GITHUB_EVENT_TEST.findall(condition):
        trigger = GITHUB_EVENTS.get(event)
        if trigger:
            (wanted if operator == "==" else unwanted).add(trigger)
    for negated, operator, reason in _AZURE_REASON_TEST.findall(condition):
        trigger = AZURE_BUILD_REASONS.get(reason.lower())
        if trigger:
            (wanted if (operator.lower() == "eq") != bool(negated) else unwanted).add(trigger)
    if _MAIN_BRANCH_TEST.search(condition):
        unwanted.add(T.PULL_REQUEST)
    result = set(triggers)
    if wanted:
        result &= wanted
    return frozenset(result - unwanted)


# always(), !cancelled() and succeededOrFailed() run a job whatever happened to the jobs it needs;
# failure() / failed() still need them to have run.
_EVEN_IF_SKIPPED = re.compile(r"always\(\)|cancell?ed\(\)|succeededOrFailed\(\)", re.I)


def runs_even_if_needs_skipped(condition: str | None) -> bool:
    """True when a job condition runs the job even if a job it needs did not run."""
    return bool(condition and _EVEN_IF_SKIPPED.search(condition))
