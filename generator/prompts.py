"""Ask the questions interactively (questionary), pre-filled with what was already given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlops_ladder.generator.questions import QUESTIONS, Question, coerce, default_for


def ask_missing(given: Mapping[str, Any], level: int) -> dict[str, Any]:
    """Ask every askable question not in *given*; Ctrl-C aborts (KeyboardInterrupt)."""
    import questionary

    answers: dict[str, Any] = dict(given)
    for q in QUESTIONS:
        if (
            q.name in given
            or not q.ask
            or (q.name == "deployment_kind" and level < 3)
            or (q.name == "data_pipeline" and level < 2)
        ):
            continue
        default = default_for(q.name, answers)
        value = _ask_one(questionary, q, default)
        if value is None:  # questionary returns None on Ctrl-C
            raise KeyboardInterrupt
        answers[q.name] = coerce(q.name, value)
    return answers


def _ask_one(questionary: Any, q: Question, default: Any) -> Any:
    def check(text: str) -> bool | str:
        if q.validate is None:
            return True
        problem = q.validate(coerce(q.name, text))
        return True if problem is None else f"{q.name} {problem}"

    if q.kind == "choice" and len(q.choices) <= 12:
        return questionary.select(q.prompt, choices=list(q.choices), default=default).ask()
    if q.kind == "list":
        text = questionary.text(
            f"{q.prompt} (comma-separated)", default=", ".join(default), validate=check
        ).ask()
        return text
    return questionary.text(q.prompt, default=str(default), validate=check).ask()
