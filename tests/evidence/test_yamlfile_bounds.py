"""The one YAML loader bounds the work per document: alias bombs, recursive aliases and deep
nesting are one-line YamlErrors (which every collector turns into a note), quickly; real files load."""

from __future__ import annotations

import time

import pytest

from mlops_ladder.assessment.evidence import yamlfile
from mlops_ladder.assessment.evidence.repo.iac.cloudformation import load_template
from mlops_ladder.assessment.evidence.yamlfile import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    YamlError,
    load_yaml,
    load_yaml_all,
)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def merge_key_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["m0: &m0 {a: 1, b: 2}"]
    for level in range(1, levels + 1):
        lines.append(f"m{level}: &m{level}\n  <<: [" + ", ".join([f"*m{level - 1}"] * width) + "]")
        lines.append(f"  k{level}: [" + ", ".join([f"*m{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [billion_laughs(), merge_key_bomb(), "---\nfirst: 1\n---\n" + billion_laughs()],
    ids=["billion-laughs", "merge-keys", "second-document"],
)
def test_an_alias_bomb_is_an_error_not_a_hang(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError, match=r"aliases expand the document to .* an alias bomb"):
        load_yaml_all(text)
    if not text.startswith("---"):
        with pytest.raises(YamlError, match="alias bomb"):
            load_yaml(text)
    assert time.perf_counter() - started < 5  # generous: the check is linear in what is written


def test_a_recursive_alias_is_an_error() -> None:
    with pytest.raises(YamlError, match="line 1, column 4: an alias refers to the node that contains it"):
        load_yaml("a: &x [1, *x]\n")


def test_nesting_is_bounded_with_or_without_aliases() -> None:
    assert load_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(YamlError, match=f"nested more than {MAX_DEPTH} levels deep"):
        load_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    # each half is shallow; the alias makes the whole deep
    half = MAX_DEPTH // 2 + 5
    text = "a: &x " + "[" * half + "]" * half + "\nb: " + "[" * half + "*x" + "]" * half + "\n"
    with pytest.raises(YamlError, match="nested more than"):
        load_yaml(text)
    # block style, as a CI file would nest it
    block = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + " " * (MAX_DEPTH + 1) + "v: 1\n"
    with pytest.raises(YamlError, match="nested more than"):
        load_yaml(block)


def test_cloudformation_tags_nest_within_the_bounds_too() -> None:
    deep = "!Ref [" * 600 + "x" + "]" * 600
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
    text += f"    X: {deep}\n"
    with pytest.raises(ValueError, match="nested more than"):
        load_template(text)
    with pytest.raises(ValueError, match="alias bomb"):
        load_template("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n" + billion_laughs())


def test_real_files_load_whatever_their_size_and_anchors(monkeypatch) -> None:
    # a large file with one alias: more nodes than the alias limit (lowered here to keep the test
    # fast), all written out
    monkeypatch.setattr(yamlfile, "MAX_EXPANDED_NODES", 5_000)
    jobs = "".join(f"job{i}:\n  script: [echo {i}, pytest]\n  tags: [a, b]\n" for i in range(1_000))
    assert len(load_yaml("anchor: &a 1\nref: *a\n" + jobs)) == 1_002
    with pytest.raises(YamlError, match="alias bomb"):  # the lowered limit is the one in force
        load_yaml("jobs: &j\n  " + jobs.replace("\n", "\n  ") + "\nagain: [*j, *j]\n")
    monkeypatch.undo()
    # GitLab-style defaults merged into many jobs: aliases add less than what is written
    shared = "x: &defaults\n  image: python:3.11\n  tags: [docker, linux]\n  retry: 2\n"
    many = shared + "".join(f"job{i}:\n  <<: *defaults\n  script: [echo {i}]\n" for i in range(500))
    data = load_yaml(many)
    assert data["job499"]["image"] == "python:3.11" and data["job0"].key_line("script") == 7
    # anchors that multiply a small document a lot, but stay under the limit
    assert load_yaml(billion_laughs(levels=4, width=9))["lol4"][0][0][0][0] == ["lol"]
    assert MAX_EXPANDED_NODES > 9**4


def test_text_without_anchors_skips_the_alias_pass_but_not_the_depth_bound() -> None:
    # `&&` in a shell command is not an anchor; the document still loads
    assert load_yaml("steps:\n  - run: make && make test\n")["steps"][0]["run"] == "make && make test"
    with pytest.raises(YamlError, match="nested more than"):
        load_yaml("run: x\nj: " + "[" * 150 + "]" * 150)
