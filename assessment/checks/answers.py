"""Checks decided by people's answers to the questionnaire."""

from __future__ import annotations

from typing import Any

from mlops_ladder.assessment.checks.base import CheckResult, EvidenceRef, failed, passed, unknown
from mlops_ladder.assessment.evidence.answers_model import AnswersEvidence


def answer_is(answers: AnswersEvidence, question: str, expected: Any) -> CheckResult:
    """Does the answer to *question* equal *expected*? Unanswered (or "unsure") is unknown."""
    value = answers.answers.get(question)
    where = (EvidenceRef(f"{answers.source}#{question}", f"answered {value!r}"),)
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "unsure", "unknown"}):
        return unknown(f"question {question!r} is not answered")
    if _normalise(value) == _normalise(expected):
        return passed(f"answered {value!r} to {question!r}", where)
    return failed(f"answered {value!r} to {question!r} (expected {expected!r})", where)


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"yes", "true", "y"}:
            return True
        if lowered in {"no", "false", "n"}:
            return False
        return lowered
    return value


CHECKS = (answer_is,)
