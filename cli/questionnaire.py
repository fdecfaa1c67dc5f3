"""The questionnaire step of `assess --interactive`: ask, save the answers file, say what happened."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_ladder.assessment.evidence.answers_model import AnswersEvidence
from mlops_ladder.assessment.questionnaire import Asker, questions_to_ask, run_questionnaire
from mlops_ladder.assessment.report import Report


def ask_and_save(
    report: Report,
    root: Path,
    file: Path,
    shown: str,
    given: AnswersEvidence | None,
    *,
    quiet: bool = False,
    asker: Asker | None = None,
) -> AnswersEvidence | None:
    """Ask what *report* could not settle; save every answer (also after a stop or Ctrl-C) to *file*.
    Returns the answers to score with (*given* itself when nothing was answered)."""
    from mlops_ladder.assessment.evidence.answers_file import save_answers
    from mlops_ladder.cli.interactive import QuestionaryAsker, who_default

    def say(text: str) -> None:
        if not quiet:
            print(text, file=sys.stderr)

    questions = questions_to_ask(report.findings, given)
    if not questions:
        say(f"Nothing to ask: the evidence and the answers in {shown} settle every criterion.")
        return given
    say(
        f"{len(questions)} {'criterion' if len(questions) == 1 else 'criteria'} the files could not settle. "
        "Evidence in the files always outranks an answer."
    )
    result = run_questionnaire(questions, asker or QuestionaryAsker(), given, who_default=who_default(root))
    if not result.answered:
        say("No answer given; nothing saved.")
        return given
    previous = file.read_text(encoding="utf-8") if file.is_file() else None
    backup = save_answers(file, result.answers, previous_text=previous)
    say(
        f"Saved {result.answered} new {'answer' if result.answered == 1 else 'answers'} to {shown} "
        f"({len(result.answers)} in all)" + (" before stopping." if result.stopped else ".")
        + " Commit it so that later runs and CI use them."
    )
    if backup is not None:
        say(f"Your previous {shown} had edits this rewrite does not keep: it is kept as {backup}.")
    return AnswersEvidence(result.answers, source=shown)
