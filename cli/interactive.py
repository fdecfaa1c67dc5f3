"""`assess --interactive`: put the questionnaire to a person with questionary, save the answers, and
score again with them. The questions and answers themselves live in assessment/questionnaire.py."""

from __future__ import annotations

import getpass
import subprocess
import sys
from pathlib import Path
from typing import Any

from mlops_ladder.assessment.questionnaire import SKIP, STOP, Question
from mlops_ladder.errors import UsageError

NO_TERMINAL_HINT = (
    "run it in a terminal, or write the answers in .mlops-ladder/answers.yml (README, "
    '"The questionnaire") and assess without --interactive'
)


def require_terminal() -> None:
    """Fail at once, instead of hanging on a prompt nobody sees, when there is no terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "--interactive needs a terminal (standard input and output are not one)", hint=NO_TERMINAL_HINT
        )


class QuestionaryAsker:
    """Asks with questionary; `input`/`output` (prompt_toolkit) let tests drive it without a terminal."""

    def __init__(self, *, input: Any = None, output: Any = None) -> None:
        self._io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def who(self, default: str) -> str | None:
        import questionary

        prompt = "Who is answering? (saved with each answer)"
        return questionary.text(prompt, default=default, **self._io).ask()

    def ask(self, question: Question, number: int, total: int) -> str | None:
        import questionary
        from questionary import Choice

        lines = [
            f"[{number}/{total}] {question.heading}",
            f"  {question.ask}",
            f"  Why it matters: {question.why}",
            f"  The files: {question.files_found}",
        ]
        if question.previous is not None:
            p = question.previous
            lines.append(f"  Last answer: {p.value}, by {p.by} on {p.at.isoformat()} (stale: please confirm)")
        choices = [
            Choice("yes", value="yes", shortcut_key="y"),
            Choice("no", value="no", shortcut_key="n"),
            Choice("unsure", value="unsure", shortcut_key="u"),
            Choice("skip this one for now", value=SKIP, shortcut_key="s"),
            Choice("stop here and save", value=STOP, shortcut_key="q"),
        ]
        default = question.previous.value if question.previous is not None else None
        return questionary.select(
            "\n".join(lines),
            choices=choices,
            default=default,
            use_shortcuts=True,
            instruction="(y/n/u, s to skip, q to stop)",
            **self._io,
        ).ask()


def who_default(root: Path) -> str:
    """The person as git knows them in this repository ("Name <email>"), else the login name."""
    def config(key: str) -> str:
        try:
            proc = subprocess.run(
                ["git", "-C", str(root), "config", "--get", key], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    name, email = config("user.name"), config("user.email")
    if name and email:
        return f"{name} <{email}>"
    try:
        login = getpass.getuser()
    except (OSError, KeyError):
        login = ""
    return name or email or login or "unknown"
