"""The naming rule holds in Bicep too: every derived resource name of the generated Bicep (a parameter
with a default built from projectName, env and nameSuffix) declares Azure's length limits with
@minLength/@maxLength, the limits agree with the generator's (generator/questions.py), and every
answer the generator accepts gives names within them."""

from __future__ import annotations

import itertools

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import BadInputError, complete, derived_names
from tests.validators.bicep_names import evaluate

# Bicep parameter -> the generator's kind of name (derived_names).
GENERATOR_KIND = {
    "workspaceName": "workspace",
    "storageAccountName": "storage account",
    "keyVaultName": "key vault",
    "containerRegistryName": "container registry",
}


@pytest.fixture(scope="module")
def name_parameters(tmp_path_factory) -> dict[str, tuple[str, int, int]]:
    """name -> (default template, min length, max length) of every derived-name parameter."""
    from pycep import BicepParser

    root = tmp_path_factory.mktemp("names") / "project"
    new_project(root, 3, complete({"name_suffix": "ab12"}, 3))
    found = {}
    for path in [root / "infra" / "main.bicep", *sorted((root / "infra" / "layers").glob("*.bicep"))]:
        for name, param in BicepParser().parse(text=path.read_text())["parameters"].items():
            default = param.get("default")
            if not (isinstance(default, str) and "${" in default and name.endswith("Name")):
                continue
            limits = {d["type"]: d["argument"] for d in param.get("decorators", [])}
            assert "max_length" in limits and "min_length" in limits, (
                f"{path.name}: {name} has no length limits"
            )
            previous = found.setdefault(name, (default, limits["min_length"], limits["max_length"]))
            assert previous == (default, limits["min_length"], limits["max_length"]), (
                f"{name} differs by layer"
            )
    return found


def test_every_derived_name_declares_the_generators_limit(name_parameters) -> None:
    assert set(GENERATOR_KIND) <= set(name_parameters)
    limits = {kind: limit for kind, _, limit in derived_names(complete({"name_suffix": "ab12"}, 3))}
    for parameter, kind in GENERATOR_KIND.items():
        assert name_parameters[parameter][2] == limits[kind], parameter


def test_every_accepted_answer_gives_names_within_the_bicep_limits(name_parameters) -> None:
    checked = 0
    for length, env, suffix in itertools.product(range(3, 17), ["dev", "qa", "prod5"], ["", "ab12"]):
        project = ("a" + "b-c" * 6)[:length].rstrip("-")
        try:
            answers = complete(
                {"project_name": project, "environments": [env, "zz"], "name_suffix": suffix}, 3
            )
        except BadInputError:
            continue
        values = {"projectName": project, "env": env, "nameSuffix": suffix}
        generator = {(kind, name) for kind, name, _ in derived_names(answers)}
        for parameter, (template, low, high) in name_parameters.items():
            name = evaluate(template, values)
            assert low <= len(name) <= high, f"{parameter} {name!r} for project {project!r}"
            if parameter in GENERATOR_KIND:
                assert (GENERATOR_KIND[parameter], name) in generator, f"{parameter}: {name!r}"
        checked += 1
    assert checked > 20
