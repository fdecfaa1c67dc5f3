"""Python 3.12 f-strings (PEP 701) are read on older interpreters: a file is not skipped for one line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.python.collect import collect as collect_python
from mlops_ladder.assessment.evidence.repo.python.fstrings import parse_python, rewrite_fstrings
from tests.conftest import write_files


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('log(f"saved to {join(DIR, "model.pkl")}")\n', "log(f\"saved to {join(DIR, 'model.pkl')}\")\n"),
        ("x = f'{row['k']}' + 'b'\n", "x = f'{row[\"k\"]}' + 'b'\n"),
        ('y = f"{{lit}} {d["a"]!r:>10}"\n', "y = f\"{{lit}} {d['a']!r:>10}\"\n"),
        ('w = f"{d["it\'s"]}"\n', "w = f\"{d['']}\"\n"),  # the other quote is inside: the text goes
        ('s = "plain" + f"{x}"\n', 's = "plain" + f"{x}"\n'),
        ('t = f"""{x}\n', 't = f"""{x}\n'),  # a multi-line string is left alone
    ],
)
def test_rewrite_requotes_strings_nested_in_fstrings(line: str, expected: str) -> None:
    assert rewrite_fstrings(line) == expected


def test_parse_python_reads_pep701_lines_and_keeps_real_syntax_errors() -> None:
    tree = parse_python('import os\nprint(f"at {os.path.join(D, "m.pkl")}")\nx = f"{d["k"]}"\n', "a.py")
    assert isinstance(tree, ast.Module) and len(tree.body) == 3
    with pytest.raises(SyntaxError):
        parse_python('x = f"{d["k"]}"\ndef broken(:\n    pass\n', "b.py")


def test_a_training_script_with_a_pep701_fstring_keeps_its_mlflow_calls(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/train.py": (
        "import logging, os\nimport mlflow\n"
        "with mlflow.start_run():\n"
        '    mlflow.log_metric("accuracy", 0.9)\n'
        '    logging.info(f"Model saved to: {os.path.join(DIR, "model.joblib")}")\n'
    )})
    files = list_repo_files(tmp_path)
    evidence = collect_python(files)
    module = evidence.module_at("src/train.py")
    assert module is not None and not files.notes
    assert [c.name for c in module.calls_ending("log_metric")] == ["mlflow.log_metric"]
