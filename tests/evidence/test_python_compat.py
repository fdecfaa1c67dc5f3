"""Code written for Python 3.12 f-strings (PEP 701) is still read on Python 3.11."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.collect import collect_repo
from mlops_ladder.assessment.evidence.repo.python.compat import blank_fstrings
from tests.conftest import make_repo

NESTED_QUOTES = '''import logging
import mlflow

path = "m.pkl"
logging.info(f"saved to {"models/" + path}")
mlflow.log_metric("accuracy", 0.9)
'''


def test_blanked_source_parses_with_the_same_line_numbers() -> None:
    source = 'x = 1\ny = f"""a {f"{x!r:>{"10"}}"}\nb""" + f\'{x}\'\nz = rb"\\x00" # f"not a string"\n'
    blanked = blank_fstrings(source)
    assert blanked is not None
    tree = ast.parse(blanked)
    assert [node.lineno for node in tree.body] == [1, 2, 4]
    assert 'rb"\\x00"' in blanked and '# f"not a string"' in blanked


def test_sources_without_f_strings_or_unterminated_are_left_alone() -> None:
    assert blank_fstrings("x = 'plain'\n") is None
    assert blank_fstrings('x = f"{unclosed\n') is None


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 parses PEP 701 f-strings itself")
def test_a_module_with_nested_quotes_in_f_strings_is_read_with_a_note(tmp_path: Path) -> None:
    repo = collect_repo(make_repo(tmp_path / "repo", {"src/train.py": NESTED_QUOTES}))
    module = repo.python.module_at("src/train.py")
    assert module is not None
    assert any(call.name == "mlflow.log_metric" and call.line == 6 for call in module.calls)
    assert any("f-strings" in note.reason for note in repo.notes if note.path == "src/train.py")
