"""Core capabilities that the rubric states as alternatives.

An expert accepts "an evaluation gate that can block, *or* a smoke test of the deployed endpoint"
as the quality gate of level 3. Each check here runs the checks of its alternatives and combines
them: the first alternative that passes decides; otherwise UNKNOWN when one of them cannot be
decided (never a failure the evidence does not show); otherwise FAIL, saying what each found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, Outcome, failed, unknown
from mlops_ladder.assessment.checks.ci.deployment import ci_asserts_model_metrics, ci_smoke_tests_endpoint
from mlops_ladder.assessment.checks.code.deployment import has_evaluation_gate

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence


def any_of(evidence: object, alternatives: list[tuple[str, Callable[..., CheckResult]]]) -> CheckResult:
    """PASS with the first passing alternative; else UNKNOWN if one is undecided; else FAIL."""
    results = [(what, check(evidence)) for what, check in alternatives]
    for what, result in results:
        if result.outcome is Outcome.PASS:
            return CheckResult(Outcome.PASS, f"{what}: {result.found}", result.evidence)
    undecided = [(what, r) for what, r in results if r.outcome is Outcome.UNKNOWN]
    summary = "; ".join(f"{what}: {r.found}" for what, r in results)
    evidence_refs = tuple(ref for _, r in results for ref in r.evidence)[:10]
    if undecided:
        return unknown(summary, evidence_refs)
    return failed(summary, evidence_refs)


def has_quality_gate(repo: RepoEvidence) -> CheckResult:
    """Does something stop a worse model before production: a blocking evaluation gate, a CI smoke test
    of the deployed endpoint, or a CI check of the model's metrics that stops the release?"""
    return any_of(
        repo,
        [
            ("evaluation gate", has_evaluation_gate),
            ("smoke test", ci_smoke_tests_endpoint),
            ("CI metric check", ci_asserts_model_metrics),
        ],
    )


CHECKS = (has_quality_gate,)
