"""The questionnaire's questions (questions.yaml beside this file), one per criterion id.

`question_for` gives the written question of a criterion, or builds one from the criterion's name
and the first sentence of its doc's "Why it matters" for a criterion the evidence left unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from mlops_ladder.errors import ModelDefinitionError
from mlops_ladder.levels.catalog import Criterion, MaturityModel

QUESTIONS_PATH = Path(__file__).with_name("questions.yaml")


@dataclass(frozen=True)
class QuestionText:
    criterion_id: str
    ask: str  # the question, answered yes / no / unsure
    why: str  # one line: why it matters


@cache
def written_questions() -> dict[str, QuestionText]:
    """The questions written in questions.yaml, by criterion id."""
    try:
        raw = yaml.safe_load(QUESTIONS_PATH.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ModelDefinitionError(f"{QUESTIONS_PATH.name}: {exc}") from None
    out = {}
    for cid, entry in (raw.get("questions") or {}).items():
        if not isinstance(entry, dict) or set(entry) != {"ask", "why"}:
            raise ModelDefinitionError(f"{QUESTIONS_PATH.name}: {cid}: needs exactly `ask` and `why`")
        out[str(cid)] = QuestionText(str(cid), str(entry["ask"]).strip(), str(entry["why"]).strip())
    return out


def question_for(criterion: Criterion) -> QuestionText:
    written = written_questions().get(criterion.id)
    if written is not None:
        return written
    ask = f"Is this true of the project: {criterion.name.rstrip('.')}?"
    return QuestionText(criterion.id, ask, _why(criterion))


def check_questions(model: MaturityModel) -> list[str]:
    """Problems with questions.yaml (for tests): unknown ids, people criteria without a question."""
    ids = {c.id for c in model.criteria}
    problems = [f"{cid}: not a criterion" for cid in written_questions() if cid not in ids]
    for c in model.criteria:
        if "answers" in c.sources and c.id not in written_questions():
            problems.append(f"{c.id}: decided by answers but has no question in {QUESTIONS_PATH.name}")
    return problems


def _why(criterion: Criterion) -> str:
    """The first sentence of the doc's "Why it matters" section, on one line."""
    text = criterion.doc()
    match = re.search(r"^## Why it matters\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    paragraph = " ".join(match.group(1).split()) if match else ""
    sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]
    return sentence or criterion.looks_for
