"""Answers are validated before anything is written: Azure naming rules and length limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.errors import BadInputError
from mlops_ladder.generator.answers_file import parse_data_options, read_answers_file
from mlops_ladder.generator.questions import QUESTION_NAMES, complete, derived_names


def test_defaults_are_complete_and_valid() -> None:
    answers = complete({}, level=3)
    assert set(answers) == set(QUESTION_NAMES)
    assert answers["package_name"] == "churn_model" and answers["model_name"] == "churn-model"
    assert len(answers["name_suffix"]) == 4 and answers["level"] == 3


def test_derived_defaults_follow_the_project_name() -> None:
    answers = complete({"project_name": "fraud"}, level=1)
    assert answers["package_name"] == "fraud" and answers["model_name"] == "fraud"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"project_name": "Churn"}, "project_name 'Churn' must be 3-16 characters"),
        ({"project_name": "a"}, "must be 3-16 characters"),
        ({"project_name": "churn--x"}, "single hyphens"),
        ({"project_name": "churn-"}, "not ending with a hyphen"),
        ({"azure_location": "west europe"}, "did you mean westeurope"),
        ({"environments": ["dev", "dev"]}, "twice"),
        ({"environments": ["Development"]}, "2-5 lowercase"),
        ({"deployment_kind": "stream"}, "must be one of: online, batch"),
        ({"ci_system": "jenkins"}, "must be one of: github"),
        ({"compute_max_nodes": "0"}, "from 1 to 100"),
        ({"compute_max_nodes": "many"}, "not a whole number"),
        ({"name_suffix": "AB"}, "4 lowercase"),
        ({"colour": "blue"}, "unknown answer 'colour'"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(data: dict, message: str) -> None:
    with pytest.raises(BadInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        complete(data, level=3)


def test_names_over_azure_limits_are_refused_naming_the_resource() -> None:
    with pytest.raises(BadInputError, match=r"key vault name 'kv-customer-churn-dev-ab12' would be 26"):
        complete({"project_name": "customer-churn", "name_suffix": "ab12"}, level=1)


def test_every_derived_name_fits_for_the_longest_allowed_inputs() -> None:
    longest = {"project_name": "abcdefghijk", "environments": ["dev", "prod"], "name_suffix": "ab12"}
    answers = complete(longest, level=3)
    assert all(len(name) <= limit for _, name, limit in derived_names(answers))


def test_level_3_needs_two_environments_to_promote_through() -> None:
    with pytest.raises(BadInputError, match="promotes a model through environments") as caught:
        complete({"environments": ["dev"]}, level=3)
    assert "at least two environments" in caught.value.hint
    assert complete({"environments": ["dev"]}, level=2)["environments"] == ["dev"]


def test_data_options_and_lists() -> None:
    data = parse_data_options(["project_name=fraud", "environments=dev,prod"])
    assert complete(data, level=3)["environments"] == ["dev", "prod"]
    with pytest.raises(BadInputError, match="expected key=value"):
        parse_data_options(["project_name"])


def test_answers_file_errors_name_the_file(tmp_path: Path) -> None:
    half = tmp_path / "answers.yml"
    half.write_text("project_name: fraud\nenvironments: [dev,\n")
    with pytest.raises(BadInputError, match=r"answers.yml: .* at line \d+"):
        read_answers_file(half)
    listy = tmp_path / "list.yml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(BadInputError, match="expected a mapping"):
        read_answers_file(listy)
    with pytest.raises(BadInputError, match="no such answers file"):
        read_answers_file(tmp_path / "missing.yml")
    binary = tmp_path / "bin.yml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(BadInputError, match="cannot read the answers file"):
        read_answers_file(binary)


def test_copier_bookkeeping_keys_are_ignored(tmp_path: Path) -> None:
    f = tmp_path / "a.yml"
    f.write_text("_src_path: x\n_commit: v1\nproject_name: fraud\n")
    assert read_answers_file(f) == {"project_name": "fraud"}
