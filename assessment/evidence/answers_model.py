"""Evidence given by people: answers to the questionnaire (question id -> value)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Note


@dataclass
class AnswersEvidence:
    answers: dict[str, Any]
    source: str = "answers"  # where they came from: a file path or "questionnaire"
    notes: list[Note] = field(default_factory=list)
