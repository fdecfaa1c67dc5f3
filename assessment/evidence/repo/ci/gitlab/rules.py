"""When a GitLab job runs.

`rules:` are read first-match-wins for `$CI_PIPELINE_SOURCE` tests (merge_request_event ->
pull request, schedule, push, web -> manual, api / trigger / pipeline -> event), merge request
variables (pull request) and branch tests (branch pipelines only); `only:` / `except:`
keywords likewise; a job with neither follows `workflow: rules`, else branch pipelines
(push). Branch pipelines also run for the source branch of a merge request, so they carry
pull request as a *possible* trigger: whether they gate the merge request is a project
setting the YAML does not show. `when: on_failure` is the job's condition.
"""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.ci.model import Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, text_of

T = Trigger

_SOURCES: dict[str, Trigger] = {
    "merge_request_event": T.PULL_REQUEST,
    "external_pull_request_event": T.PULL_REQUEST,
    "push": T.PUSH,
    "schedule": T.SCHEDULE,
    "web": T.MANUAL,
    "webide": T.MANUAL,
    "api": T.EVENT,
    "trigger": T.EVENT,
    "pipeline": T.EVENT,
    "parent_pipeline": T.EVENT,
    "chat": T.EVENT,
}
_ONLY_KEYWORDS: dict[str, Trigger] = {
    "merge_requests": T.PULL_REQUEST,
    "external_pull_requests": T.PULL_REQUEST,
    "schedules": T.SCHEDULE,
    "web": T.MANUAL,
    "api": T.EVENT,
    "triggers": T.EVENT,
    "pipelines": T.EVENT,
    "chat": T.EVENT,
    "pushes": T.PUSH,
    "branches": T.PUSH,
    "tags": T.PUSH,
}
_SOURCE_TEST = re.compile(r"\$CI_PIPELINE_SOURCE\s*(==|!=)\s*[\"']?([\w-]+)[\"']?")
_SOURCE_PATTERN = re.compile(r"\$CI_PIPELINE_SOURCE\s*(=~|!~)\s*/([^/]*)/")
_MERGE_REQUEST_VARIABLE = re.compile(r"\$CI_MERGE_REQUEST_\w+")
_BRANCH_VARIABLE = re.compile(r"\$CI_COMMIT_(BRANCH|TAG|REF_NAME)\b")
_BRANCH_PIPELINES = (frozenset({T.PUSH}), frozenset({T.PULL_REQUEST}))


def job_condition(job: dict) -> str | None:
    when = text_of(job.get("when"))
    if when in ("on_failure", "always"):
        return f"when: {when}"
    for rule in as_list(job.get("rules")):
        if isinstance(rule, dict) and rule.get("when") == "on_failure":
            return "when: on_failure"
    return None


def _sources(condition: str) -> tuple[set[Trigger], set[Trigger]]:
    """(sources a rule condition asks for, sources it rules out)."""
    wanted: set[Trigger] = set()
    unwanted: set[Trigger] = set()
    for operator, source in _SOURCE_TEST.findall(condition):
        trigger = _SOURCES.get(source.lower())
        if trigger:
            (wanted if operator == "==" else unwanted).add(trigger)
    for operator, pattern in _SOURCE_PATTERN.findall(condition):
        matched = {t for name, t in _SOURCES.items() if re.search(pattern, name)}
        (wanted if operator == "=~" else unwanted).update(matched)
    return wanted, unwanted


def _rules(rules: list, base: tuple[frozenset, frozenset]) -> tuple[frozenset[Trigger], frozenset[Trigger]]:
    triggers: set[Trigger] = set()
    possible: set[Trigger] = set()
    excluded: set[Trigger] = set()
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        condition = str(rule.get("if") or "")
        wanted, unwanted = _sources(condition)
        if wanted:
            matched, maybe = set(wanted), set()
        elif _MERGE_REQUEST_VARIABLE.search(condition):
            matched, maybe = {T.PULL_REQUEST}, set()
        elif _BRANCH_VARIABLE.search(condition):
            matched, maybe = set(base[0]) - {T.PULL_REQUEST}, set()  # branch pipelines, not merge requests
        else:
            matched, maybe = set(base[0]), set(base[1])
        matched -= unwanted
        if str(rule.get("when", "")).lower() == "never":
            if condition and "&&" not in condition:  # a partial test excludes only some runs
                excluded |= matched
            elif not condition:
                break  # `- when: never`: nothing after it matches
            continue
        triggers |= matched - excluded
        possible |= maybe - excluded
    return frozenset(triggers), frozenset(possible - triggers)


def _only(only: object, excepted: object, base: tuple[frozenset, frozenset]) -> tuple[frozenset, frozenset]:
    refs = only.get("refs") if isinstance(only, dict) else only
    if refs is None:
        triggers, possible = set(base[0]), set(base[1])
    else:
        triggers, possible = set(), set()
        for ref in as_list(refs):
            keyword = str(ref).lower()
            triggers.add(_ONLY_KEYWORDS.get(keyword, T.PUSH))  # other entries name branches
            if keyword in ("branches", "pushes"):
                possible.add(T.PULL_REQUEST)
    except_refs = excepted.get("refs") if isinstance(excepted, dict) else excepted
    for ref in as_list(except_refs):
        trigger = _ONLY_KEYWORDS.get(str(ref).lower())
        if trigger and str(ref).lower() not in ("branches", "tags", "pushes"):
            triggers.discard(trigger)
            possible.discard(trigger)
    return frozenset(triggers), frozenset(possible - triggers)


def job_triggers(job: dict, base: tuple[frozenset, frozenset]) -> tuple[frozenset, frozenset]:
    if isinstance(job.get("rules"), list):
        return _rules(job["rules"], base)
    if "only" in job or "except" in job:
        return _only(job.get("only"), job.get("except"), base)
    return base


def workflow_triggers(workflow: object) -> tuple[frozenset, frozenset]:
    rules = workflow.get("rules") if isinstance(workflow, dict) else None
    if isinstance(rules, list):
        return _rules(rules, _BRANCH_PIPELINES)
    return _BRANCH_PIPELINES
