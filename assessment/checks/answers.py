"""The check that reads the team's answers (assessment/evidence/answers_model.py).

The engine calls it for a criterion whose files and Azure resources could not decide it, and for the
people & process criteria that only people can decide (their `answers` source in levels/criteria/).
"""

from __future__ import annotations

from mlops_ladder.assessment.checks.base import CheckResult, EvidenceRef, failed, passed, unknown
from mlops_ladder.assessment.evidence.answers_model import NO, YES, AnswersEvidence


def team_answer(answers: AnswersEvidence, *, criterion_id: str) -> CheckResult:
    """Did the team answer yes for this criterion? Unanswered or "unsure" is unknown."""
    answer = answers.answers.get(criterion_id)
    if answer is None:
        return unknown(f"not answered in {answers.source}")
    where = f"{answers.source}:{answer.line}" if answer.line else answers.source
    said = f"{answer.by} answered {answer.value} on {answer.at.isoformat()}"
    if answer.note:
        said += f" ({answer.note})"
    if answer.is_stale():
        said += f", {answer.age_days()} days ago (stale: ask again with --interactive)"
    ref = (EvidenceRef(where, said),)
    if answer.value == YES:
        return passed(said, ref)
    if answer.value == NO:
        return failed(said, ref)
    return unknown(said, ref)


CHECKS = (team_answer,)
