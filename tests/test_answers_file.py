"""The answers file: its schema, one-line errors naming file and line, and a lossless rewrite."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.answers_file import (
    load_answers,
    parse_answers,
    render_answers,
    save_answers,
)
from mlops_ladder.assessment.evidence.answers_model import Answer
from mlops_ladder.errors import BadInputError
from mlops_ladder.levels import load_model

MODEL = load_model()

GOOD = """\
version: 1
answers:
  - criterion: MLL-319
    answer: yes
    by: Jane Doe <jane@contoso.com>
    at: 2026-11-02
    note: runbook in docs/rollback.md
  - criterion: mll-410
    answer: "no"
    by: ops
    at: "2026-10-01"
  - criterion: MLL-201
    answer: unsure
    by: ops
    at: 2026-10-01
"""


def test_a_valid_file_gives_one_answer_per_criterion_with_who_when_and_line() -> None:
    answers = parse_answers(GOOD, MODEL, "answers.yml").answers
    assert set(answers) == {"MLL-319", "MLL-410", "MLL-201"}
    rollback = answers["MLL-319"]
    assert (rollback.value, rollback.by, rollback.at, rollback.line) == (
        "yes",
        "Jane Doe <jane@contoso.com>",
        date(2026, 11, 2),
        3,
    )
    assert rollback.note == "runbook in docs/rollback.md"
    assert answers["MLL-410"].value == "no"
    assert answers["MLL-201"].value == "unsure"


def test_an_empty_file_has_no_answers() -> None:
    assert parse_answers("", MODEL, "a.yml").answers == {}
    assert parse_answers("version: 1\nanswers: []\n", MODEL, "a.yml").answers == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answers:\n  - criterion: MLL-999\n    answer: yes\n    by: x\n    at: 2026-01-01\n",
         "a.yml:2: unknown criterion id 'MLL-999'"),
        ("answers:\n  - criterion: MLL-319\n    answer: maybe\n    by: x\n    at: 2026-01-01\n",
         "a.yml:3: `answer` must be one of yes, no, unsure, not 'maybe'"),
        ("answers:\n  - criterion: MLL-319\n    answer: yes\n    by: x\n    at: last week\n",
         "a.yml:5: `at` must be a date (YYYY-MM-DD), not 'last week'"),
        ("answers:\n  - criterion: MLL-319\n    answer: yes\n    at: 2026-01-01\n",
         "a.yml:2: answer without `by`"),
        ("answers:\n  - criterion: MLL-319\n    answer: yes\n    by: [a, b]\n    at: 2026-01-01\n",
         "a.yml:4: `by` must say who answered"),
        ("answers:\n  - criterion: MLL-319\n    answer: yes\n    by: x\n    at: 2026-01-01\n    owner: y\n",
         "a.yml:6: unknown key 'owner'"),
        ("answers:\n  - criterion: 319\n    answer: yes\n    by: x\n    at: 2026-01-01\n",
         "a.yml:2: `criterion` must be a criterion id"),
        ("answers: {MLL-319: yes}\n", "a.yml:1: `answers` must be a list of answers"),
        ("version: 2\nanswers: []\n", "a.yml:1: version must be 1"),
        ("- MLL-319\n", "a.yml:1: the file must be a mapping"),
        ("answers:\n  - criterion: MLL-319\n    answer: yes\n    by: x\n    at: 2026-01-01\n"
         "  - criterion: MLL-319\n    answer: no\n    by: y\n    at: 2026-01-02\n",
         "a.yml:6: MLL-319 is answered twice (also on line 2)"),
        ("answers:\n  - criterion: MLL-319\n   answer: yes\n", "a.yml:3: not valid YAML"),
    ],
)
def test_a_malformed_file_is_one_line_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(BadInputError) as error:
        parse_answers(text, MODEL, "a.yml")
    assert error.value.message.startswith(message), error.value.message
    assert "\n" not in error.value.message
    assert error.value.hint


def test_a_date_in_the_future_is_refused() -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    text = f"answers:\n  - criterion: MLL-319\n    answer: yes\n    by: x\n    at: {tomorrow}\n"
    with pytest.raises(BadInputError, match=r"a\.yml:5: `at` is in the future"):
        parse_answers(text, MODEL, "a.yml")


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"nope\.yml: no such answers file"):
        load_answers(tmp_path / "nope.yml", MODEL)


def test_answers_round_trip_through_the_file_with_any_name_or_note(tmp_path: Path) -> None:
    answers = {
        "MLL-512": Answer("MLL-512", "no", 'Zoë "ops" Müller: lead', date(2026, 3, 1), "see: #42\nnext line"),
        "MLL-115": Answer("MLL-115", "yes", "jane", date(2026, 2, 1)),
    }
    path = tmp_path / ".mlops-ladder" / "answers.yml"
    assert save_answers(path, answers) is None
    again = load_answers(path, MODEL).answers
    assert {k: (v.value, v.by, v.at, v.note) for k, v in again.items()} == {
        k: (v.value, v.by, v.at, v.note) for k, v in answers.items()
    }
    assert path.read_text().startswith("# mlops-ladder answers")
    assert path.read_text().index("MLL-115") < path.read_text().index("MLL-512")


def test_rewriting_a_hand_edited_file_keeps_the_old_one_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "answers.yml"
    own = render_answers({"MLL-115": Answer("MLL-115", "yes", "jane", date(2026, 2, 1))})
    path.write_text(own)
    assert save_answers(path, {}, previous_text=own) is None  # our own layout: nothing to keep
    edited = own + "# ask Bob about MLL-410 next time\n"
    path.write_text(edited)
    backup = save_answers(path, {}, previous_text=edited)
    assert backup == tmp_path / "answers.yml.bak"
    assert backup.read_text() == edited


def test_an_answer_for_a_retired_criterion_is_a_note_not_an_error() -> None:
    retired = MODEL.retired[0].id
    text = f"answers:\n  - criterion: {retired}\n    answer: yes\n    by: x\n    at: 2026-01-01\n"
    evidence = parse_answers(text, MODEL, "a.yml")
    assert evidence.answers == {}
    assert evidence.notes[0].reason == f"answer for retired criterion {retired} ignored"
