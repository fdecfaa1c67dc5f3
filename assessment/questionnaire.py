"""The questionnaire: which criteria to ask about, and turning what people say into answers.

Only what the evidence could not settle is asked: a criterion whose files and Azure resources left it
unknown (the people & process criteria always are), unless it already has a fresh answer; a stale
answer is asked again with the old one as the default. How questions are put to a person is the
caller's business (an `Asker`: questionary in a terminal, a scripted one in tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from mlops_ladder.assessment.engine import BASIS_EVIDENCE, Finding
from mlops_ladder.assessment.evidence.answers_model import ANSWER_VALUES, Answer, AnswersEvidence
from mlops_ladder.levels.questions import question_for

STOP = "stop"  # what an Asker returns to end the questionnaire early (answers so far are kept)
SKIP = "skip"  # leave this one unanswered for now


@dataclass(frozen=True)
class Question:
    finding: Finding  # the criterion and what the evidence found
    ask: str
    why: str
    previous: Answer | None  # a stale answer asked again

    @property
    def criterion_id(self) -> str:
        return self.finding.criterion.id

    @property
    def files_found(self) -> str:
        """What the files (and Azure) showed, without the answers source."""
        found = [r.result.found for r in self.finding.sources if r.source != "answers"]
        return "; ".join(found) if found else "no file can show this; only the team knows"

    @property
    def heading(self) -> str:
        c = self.finding.criterion
        kind = "core" if c.core else "minor"
        return f"{c.id} · level {c.level} {kind} · {c.name}"


class Asker(Protocol):
    def who(self, default: str) -> str | None:
        """Who is answering (None: stop)."""

    def ask(self, question: Question, number: int, total: int) -> str | None:
        """yes / no / unsure, SKIP, or STOP (None means STOP: Ctrl-C or end of input)."""


def questions_to_ask(
    findings: Iterable[Finding], answers: AnswersEvidence | None, *, today: date | None = None
) -> list[Question]:
    """The criteria the evidence could not settle and no fresh answer covers: the core capabilities of
    the lowest levels first (they decide the level), then the rest by level."""
    known = answers.answers if answers else {}
    out = []
    for finding in findings:
        if finding.basis == BASIS_EVIDENCE:
            continue
        previous = known.get(finding.criterion.id)
        if previous is not None and not previous.is_stale(today):
            continue
        text = question_for(finding.criterion)
        out.append(Question(finding, text.ask, text.why, previous))
    out.sort(key=lambda q: (q.finding.criterion.level, not q.finding.criterion.core, q.criterion_id))
    return out


@dataclass
class QuestionnaireResult:
    answers: dict[str, Answer]  # every answer: the ones given before and the new ones
    asked: int
    answered: int
    stopped: bool  # the person stopped before the last question


def run_questionnaire(
    questions: list[Question],
    asker: Asker,
    before: AnswersEvidence | None,
    *,
    who_default: str,
    today: date | None = None,
) -> QuestionnaireResult:
    answers = dict(before.answers) if before else {}
    if not questions:
        return QuestionnaireResult(answers, 0, 0, False)
    who = asker.who(who_default)
    if who is None:
        return QuestionnaireResult(answers, 0, 0, True)
    who = who.strip() or who_default
    when = today or date.today()
    answered = 0
    for number, question in enumerate(questions, start=1):
        reply = asker.ask(question, number, len(questions))
        if reply is None or reply == STOP:
            return QuestionnaireResult(answers, number - 1, answered, True)
        if reply == SKIP:
            continue
        if reply not in ANSWER_VALUES:
            raise ValueError(f"an Asker returned {reply!r}")
        note = question.previous.note if question.previous else ""
        answers[question.criterion_id] = Answer(question.criterion_id, reply, who, when, note)
        answered += 1
    return QuestionnaireResult(answers, len(questions), answered, False)
