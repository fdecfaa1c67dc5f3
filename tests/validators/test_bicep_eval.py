"""The Bicep evaluator's reading of operator chains: pycep nests `&&`, `||`, `!` and comparisons to
the right without precedence (and `a.b > 0` as `a.(b > 0)`); bicep_eval re-reads them with Bicep's."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.validators.iac_instances  # noqa: F401  (imports bicep_eval in the order it needs)
from tests.validators.bicep_eval import _Bicep

SOURCE = """param env string
var o = {a: {b: 3}, s: ''}
var allOf = env == 'prod' && !empty('x') && o.a.b > 0
var eitherOr = o.a.b == 1 || env == 'prod'
var notFirst = !empty('') && !empty('y')
var andBeforeOr = env == 'dev' && o.a.b == 3 || env == 'prod'
var orThenAnd = env == 'prod' || env == 'dev' && o.a.b == 4
var lastFalse = env == 'prod' && o.a.b == 3 && !empty(o.s)
var compare = o.a.b >= 3 && o.a.b < 4 && env != 'dev'
var plain = o.a.b
"""
EXPECTED = {"allOf": True, "eitherOr": True, "notFirst": False, "andBeforeOr": True, "orThenAnd": True,
            "lastFalse": False, "compare": True, "plain": 3}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_operator_chains_follow_bicep_precedence(tmp_path: Path, name: str) -> None:
    source = tmp_path / "chains.bicep"
    source.write_text(SOURCE)
    assert _Bicep(source, {"env": "prod"}).lookup(name, {}) == EXPECTED[name]


def test_another_environment_turns_the_chain_off(tmp_path: Path) -> None:
    source = tmp_path / "chains.bicep"
    source.write_text(SOURCE)
    assert _Bicep(source, {"env": "dev"}).lookup("allOf", {}) is False
