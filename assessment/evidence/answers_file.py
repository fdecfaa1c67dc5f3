"""The answers file, `.mlops-ladder/answers.yml`: read it (every mistake is a one-line error naming the
file and line) and write it back after the questionnaire, keeping every answer it held.

Schema (version 1), documented in the README ("The questionnaire"):

    version: 1
    answers:
      - criterion: MLL-319        # a criterion id (`mlops-ladder levels`)
        answer: "yes"             # yes | no | unsure
        by: Jane Doe <jane@contoso.com>
        at: 2026-12-06            # the day it was answered (YYYY-MM-DD)
        note: runbook in docs/rollback.md   # optional
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from mlops_ladder.assessment.evidence.answers_model import (
    ANSWER_MAX_AGE_DAYS,
    ANSWER_VALUES,
    Answer,
    AnswersEvidence,
    normalise_value,
)
from mlops_ladder.assessment.evidence.common import Note
from mlops_ladder.errors import BadInputError
from mlops_ladder.levels.catalog import MaturityModel

DEFAULT_PATH = Path(".mlops-ladder") / "answers.yml"
FILE_VERSION = 1
_REQUIRED = ("criterion", "answer", "by", "at")
_KEYS = (*_REQUIRED, "note")
_HINT = "fix that line, or delete the entry and answer it again with `mlops-ladder assess --interactive`"

HEADER = f"""\
# mlops-ladder answers: what no file can show (README, "The questionnaire").
# Written by `mlops-ladder assess --interactive`; you may edit it. Each answer has: criterion (an id
# from `mlops-ladder levels`), answer (yes | no | unsure), by (who answered), at (YYYY-MM-DD) and an
# optional note. Evidence in the files or Azure always outranks an answer; an answer older than
# {ANSWER_MAX_AGE_DAYS} days is shown as stale and asked again.
"""


def load_answers(path: Path, model: MaturityModel, *, shown_as: str | None = None) -> AnswersEvidence:
    """The answers in *path*; BadInputError (file:line: what is wrong) when it breaks the schema."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(
            f"{name}: no such answers file", hint="check the path, or create it with --interactive"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{name}: cannot read: {exc}", hint="check the file's permissions") from None
    return parse_answers(text, model, name)


def parse_answers(text: str, model: MaturityModel, name: str) -> AnswersEvidence:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise BadInputError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})", hint=_HINT) from None
    evidence = AnswersEvidence({}, source=name)
    if root is None:  # an empty file: no answers yet
        return evidence
    top = _mapping(root, name, "the file must be a mapping with `version` and `answers`")
    unknown = set(top) - {"version", "answers"}
    if unknown:
        key = sorted(unknown)[0]
        _fail(name, top[key][0], f"unknown key {key!r} (expected `version` and `answers`)")
    if "version" in top:
        value_node = top["version"][1]
        if _value(value_node) != FILE_VERSION:
            _fail(name, value_node, f"version must be {FILE_VERSION}")
    entries = top.get("answers", (None, None))[1]
    if entries is None or (isinstance(entries, yaml.ScalarNode) and entries.value in ("", "null", "~")):
        return evidence
    if not isinstance(entries, yaml.SequenceNode):
        _fail(name, entries, "`answers` must be a list of answers")
    for node in entries.value:
        answer = _answer(node, name)
        criterion = model.criterion(answer.criterion)
        if criterion is None:
            _fail(name, node, f"unknown criterion id {answer.criterion!r} (`mlops-ladder levels` lists them)")
        if criterion.retired:
            evidence.notes.append(
                Note(f"{name}:{answer.line}", f"answer for retired criterion {criterion.id} ignored")
            )
            continue
        if criterion.id in evidence.answers:
            first = evidence.answers[criterion.id].line
            _fail(name, node, f"{criterion.id} is answered twice (also on line {first})")
        evidence.answers[criterion.id] = answer
    return evidence


def _answer(node: yaml.Node, name: str) -> Answer:
    fields = _mapping(node, name, "each answer must be a mapping with criterion, answer, by and at")
    for key in fields:
        if key not in _KEYS:
            _fail(name, fields[key][0], f"unknown key {key!r} (expected {', '.join(_KEYS)})")
    for key in _REQUIRED:
        if key not in fields:
            _fail(name, node, f"answer without `{key}`")
    criterion_node = fields["criterion"][1]
    criterion = _value(criterion_node)
    if not isinstance(criterion, str):
        _fail(name, criterion_node, "`criterion` must be a criterion id such as MLL-319")
    value_node = fields["answer"][1]
    value = normalise_value(_value(value_node))
    if value is None:
        allowed = ", ".join(ANSWER_VALUES)
        _fail(name, value_node, f"`answer` must be one of {allowed}, not {value_node.value!r}")
    by_node = fields["by"][1]
    by = _value(by_node)
    if not isinstance(by, str) or not by.strip():
        _fail(name, by_node, "`by` must say who answered (a name or e-mail)")
    at_node = fields["at"][1]
    at = _date(_value(at_node))
    if at is None:
        _fail(name, at_node, f"`at` must be a date (YYYY-MM-DD), not {at_node.value!r}")
    if at > date.today():
        _fail(name, at_node, f"`at` is in the future ({at.isoformat()})")
    note = ""
    if "note" in fields:
        note_node = fields["note"][1]
        note_value = _value(note_node)
        if note_value is not None and not isinstance(note_value, str | int | float):
            _fail(name, note_node, "`note` must be text")
        note = "" if note_value is None else str(note_value)
    return Answer(criterion.strip().upper(), value, by.strip(), at, note.strip(), node.start_mark.line + 1)


def render_answers(answers: dict[str, Answer]) -> str:
    """The answers file's text: the header, then the answers sorted by criterion id."""
    lines = [HEADER.rstrip("\n"), f"version: {FILE_VERSION}"]
    if not answers:
        return "\n".join([*lines, "answers: []"]) + "\n"
    lines.append("answers:")
    for cid in sorted(answers):
        answer = answers[cid]
        # JSON strings are valid YAML double-quoted scalars: any name or note round-trips.
        lines += [
            f"  - criterion: {cid}",
            f"    answer: {json.dumps(answer.value)}",
            f"    by: {json.dumps(answer.by, ensure_ascii=False)}",
            f"    at: {answer.at.isoformat()}",
        ]
        if answer.note:
            lines.append(f"    note: {json.dumps(answer.note, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def save_answers(path: Path, answers: dict[str, Answer], *, previous_text: str | None = None) -> Path | None:
    """Write *answers* to *path*. If the file held edits this rewrite would drop (comments, layout),
    keep the previous file beside it as `<name>.bak` and return that path (nothing a user wrote is lost)."""
    backup = None
    if previous_text is not None and previous_text.strip():
        try:
            unchanged = previous_text == render_answers(_reparse_for_compare(previous_text))
        except BadInputError:
            unchanged = False
        if not unchanged:
            backup = path.with_name(path.name + ".bak")
            backup.write_text(previous_text, encoding="utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_answers(answers), encoding="utf-8")
    except OSError as exc:
        raise BadInputError(
            f"{path}: cannot write: {exc.strerror}", hint="check the path and permissions"
        ) from None
    return backup


def _reparse_for_compare(text: str) -> dict[str, Answer]:
    from mlops_ladder.levels.catalog import load_model

    return parse_answers(text, load_model(), "previous").answers


def _mapping(node: yaml.Node, name: str, message: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        _fail(name, node, message)
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        out[str(key_node.value)] = (key_node, value_node)
    return out


def _value(node: yaml.Node) -> Any:
    """The Python value of a scalar node, typed as YAML types it (dates, booleans, numbers)."""
    if not isinstance(node, yaml.ScalarNode):
        return node  # a list or mapping where a scalar belongs: every caller rejects it
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _fail(name: str, node: yaml.Node, message: str) -> None:
    raise BadInputError(f"{name}:{node.start_mark.line + 1}: {message}", hint=_HINT)
