"""The contract every check follows.

A check is a pure function named as a true/false question about the evidence
(`ci_runs_tests_on_pull_requests`). Its first parameter is the evidence of one source
(`repo: RepoEvidence`, `azure: AzureEvidence`, `answers: AnswersEvidence`, or `resources`
for the generic resource checks that work on code and live Azure alike); the rest are
keyword parameters given by the criterion in levels/criteria/*.yaml. It returns a
CheckResult: an outcome, one line saying what was found, and references to the evidence.

Outcomes: PASS, FAIL, UNKNOWN (the evidence cannot decide; never counted as a failure),
NOT_APPLICABLE (the criterion does not apply, e.g. online rollout for a batch-only project;
counts as met).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from mlops_ladder.assessment.evidence.common import Location


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"

    @property
    def is_met(self) -> bool:
        return self in (Outcome.PASS, Outcome.NOT_APPLICABLE)


@dataclass(frozen=True)
class EvidenceRef:
    """One piece of evidence: where (file:line or resource id) and what is there."""

    location: str
    detail: str = ""

    @classmethod
    def at(cls, location: Location | str, detail: str = "") -> EvidenceRef:
        return cls(str(location), detail)


@dataclass(frozen=True)
class CheckResult:
    outcome: Outcome
    found: str
    evidence: tuple[EvidenceRef, ...] = ()


def passed(found: str, evidence: Iterable[EvidenceRef] = ()) -> CheckResult:
    return CheckResult(Outcome.PASS, found, tuple(evidence))


def failed(found: str, evidence: Iterable[EvidenceRef] = ()) -> CheckResult:
    return CheckResult(Outcome.FAIL, found, tuple(evidence))


def unknown(found: str, evidence: Iterable[EvidenceRef] = ()) -> CheckResult:
    return CheckResult(Outcome.UNKNOWN, found, tuple(evidence))


def not_applicable(found: str, evidence: Iterable[EvidenceRef] = ()) -> CheckResult:
    return CheckResult(Outcome.NOT_APPLICABLE, found, tuple(evidence))


def refs(items: Iterable[tuple[Location | str, str]], limit: int = 10) -> tuple[EvidenceRef, ...]:
    """Evidence references from (location, detail) pairs, at most *limit* of them."""
    out = []
    for location, detail in items:
        out.append(EvidenceRef.at(location, detail))
        if len(out) >= limit:
            break
    return tuple(out)
