"""Evidence given by people: the team's answers to the questionnaire, one per criterion.

An answer records what was answered (yes / no / unsure), who answered and when. Answers live in
`.mlops-ladder/answers.yml` (read and written by answers_file.py); evidence from files or Azure always
outranks them (assessment/engine.py), and an answer older than ANSWER_MAX_AGE_DAYS is stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mlops_ladder.assessment.evidence.common import Note

# An answer about people and process drifts: teams, owners and agreements change. After two quarters
# the report shows it as stale and `assess --interactive` asks it again.
ANSWER_MAX_AGE_DAYS = 180

YES, NO, UNSURE = "yes", "no", "unsure"
ANSWER_VALUES = (YES, NO, UNSURE)


@dataclass(frozen=True)
class Answer:
    criterion: str  # the criterion id it decides, e.g. MLL-319
    value: str  # yes | no | unsure
    by: str  # who answered (name and e-mail, as git knows them)
    at: date  # when
    note: str = ""  # what the person added (a link to the runbook, who owns it)
    line: int | None = None  # where it is in the answers file

    def age_days(self, today: date | None = None) -> int:
        return ((today or date.today()) - self.at).days

    def is_stale(self, today: date | None = None) -> bool:
        return self.age_days(today) > ANSWER_MAX_AGE_DAYS


@dataclass
class AnswersEvidence:
    answers: dict[str, Answer]  # by criterion id
    source: str = "answers"  # where they came from: the answers file's path
    notes: list[Note] = field(default_factory=list)

    @classmethod
    def from_values(
        cls, values: dict[str, Any], *, source: str = "answers", by: str = "test", at: date | None = None
    ) -> AnswersEvidence:
        """Answers given as {criterion id: yes/no/unsure or bool} (tests and library callers)."""
        when = at or date.today()
        return cls(
            {cid: Answer(cid, normalise_value(v) or UNSURE, by, when) for cid, v in values.items()}, source
        )


def normalise_value(value: Any) -> str | None:
    """yes / no / unsure from what YAML or a person gives (True, "Yes", "n"...), or None."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"yes", "y", "true"}:
            return YES
        if lowered in {"no", "n", "false"}:
            return NO
        if lowered in {"unsure", "unknown", "don't know", "?"}:
            return UNSURE
    return None
