"""Read answers given on the command line (`--data key=value`) or in a YAML answers file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops_ladder.errors import BadInputError
from mlops_ladder.generator.questions import check_given


def read_answers_file(path: Path, level: int | None = None) -> dict[str, Any]:
    """The answers in *path*, each checked on its own (an error names the file and the key).

    A `level` key is the level a generated project's answers file records: accepted when it is
    *level* or the file was written by mlops-ladder (its `_src_path`), refused otherwise (the level
    is an option, not an answer)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such answers file", hint="check the --answers path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(
            f"{path}: cannot read the answers file: {exc}", hint="give a UTF-8 YAML file"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BadInputError(
            f"{path}: {problem}{where}", hint="the answers file must be a YAML mapping"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInputError(
            f"{path}: expected a mapping of answers, found {type(data).__name__}",
            hint="write one `name: value` per line",
        )
    # Answers files written by copier carry bookkeeping keys (_src_path, _commit): not answers.
    ours = str(data.get("_src_path", "")).startswith("mlops-ladder:")
    answers = {str(k): v for k, v in data.items() if not str(k).startswith("_")}
    if "level" in answers and (ours or answers["level"] == level):
        del answers["level"]
    return check_given(answers, str(path))


def parse_data_options(items: list[str]) -> dict[str, Any]:
    """`--data key=value` options, each checked on its own (an error names the option)."""
    data: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadInputError(
                f"--data {item!r}: expected key=value", hint="for example --data project_name=churn"
            )
        data[key.strip()] = value
    return check_given(data, "--data")
