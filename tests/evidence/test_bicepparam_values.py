"""Literal values of .bicepparam files, and the values a template's files agree on."""

from __future__ import annotations

from mlops_ladder.assessment.evidence.common import Expr
from mlops_ladder.assessment.evidence.repo.iac.bicep.params import agreed_values, parameter_values

TEXT = """using '../main.bicep'

param env = 'dev'
param networkIsolation = true // a comment
param replicas = 2
param owner = 'o\\'brien'
param location = readEnvironmentVariable('LOCATION')
param name = 'mlw-${env}'
"""


def test_literals_are_read_and_expressions_are_left_unknown() -> None:
    values = parameter_values(TEXT)
    assert values["env"] == "dev" and values["networkIsolation"] is True and values["replicas"] == 2
    assert values["owner"] == "o'brien"
    assert isinstance(values["location"], Expr) and isinstance(values["name"], Expr)


def test_only_values_every_file_sets_alike_are_agreed() -> None:
    dev = {"env": "dev", "isolated": True, "size": 1}
    prod = {"env": "prod", "isolated": True}
    agreed = agreed_values([dev, prod])
    assert agreed["isolated"] is True
    assert isinstance(agreed["env"], Expr) and isinstance(agreed["size"], Expr)
    assert agreed_values([]) == {}
