"""Every template layer's manifest.yml covers exactly what the layer renders, for every option.

The upgrade planner decides file by file from the manifest whether to add a template file to a
hand-written repository; a rendered file without an entry would have no decision, and an entry
that matches nothing (or only files an earlier entry already takes) is stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.generator.answers_file import read_answers_file
from mlops_ladder.generator.layers import MAX_TEMPLATE_LEVEL, TEMPLATES_DIR
from mlops_ladder.generator.manifest import Manifest, load_manifest
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from mlops_ladder.levels.catalog import load_model

LEVELS = tuple(range(1, MAX_TEMPLATE_LEVEL + 1))
ENVIRONMENT_OPTIONS = (["dev", "test", "prod"], ["dev"])
IAC_OPTIONS = ("bicep", "terraform")
# Criteria about every file of a kind: adding one file never meets them (see level-1/manifest.yml).
NEVER_SATISFIED_BY_ADDING = {"MLL-110", "MLL-111", "MLL-313", "MLL-314", "MLL-315"}


def variants(level: int) -> list[dict[str, Any]]:
    kinds = ("online", "batch") if level >= 3 else ("online",)
    github = [{"deployment_kind": kind, "environments": envs, "iac": iac}
              for kind in kinds for envs in ENVIRONMENT_OPTIONS for iac in IAC_OPTIONS]
    # Azure DevOps: one environment list per kind is enough (the CI files do not depend on its length).
    ado = [{"deployment_kind": kind, "environments": ["dev", "test", "prod"], "ci_system": "azure-devops",
            "iac": iac} for kind in kinds for iac in IAC_OPTIONS]
    found = github + ado
    if level >= 2:  # the data pipeline's files are in the level-2 layer; higher layers render it too
        for iac in IAC_OPTIONS:
            found.append({"deployment_kind": "online", "environments": ENVIRONMENT_OPTIONS[0], "iac": iac,
                          "data_pipeline": "adf"})
        found.append({"deployment_kind": "online", "environments": ["dev", "test", "prod"], "iac": "bicep",
                      "data_pipeline": "adf", "ci_system": "azure-devops"})
    return found


VARIANTS = [
    pytest.param(
        level, data,
        id=f"level{level}-{data['deployment_kind']}-{len(data['environments'])}env-{data['iac']}"
        + ("-ado" if data.get("ci_system") == "azure-devops" else "")
        + ("-adf" if data.get("data_pipeline") == "adf" else ""),
    )
    for level in LEVELS
    for data in variants(level)
]


def render_layer(level: int, data: dict[str, Any], dest: Path) -> tuple[list[str], Manifest]:
    """Render one layer alone; return its files and its manifest loaded with the recorded answers."""
    import copier

    copier.run_copy(
        str(TEMPLATES_DIR / f"level-{level}"),
        dest,
        data={"project_name": "fraud-model", **data, "name_suffix": "ab12", "level": level},
        defaults=True,
        quiet=True,
    )
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    answers = {**read_answers_file(dest / f".mlops-ladder/level-{level}.answers.yml", level), "level": level}
    return files, load_manifest(TEMPLATES_DIR / f"level-{level}", answers)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], tuple[list[str], Manifest]]:
    result = {}
    for param in VARIANTS:
        level, data = param.values
        result[(level, param.id)] = render_layer(level, data, tmp_path_factory.mktemp(param.id))
    return result


@pytest.mark.parametrize(("level", "data"), VARIANTS)
def test_every_rendered_file_has_an_entry(rendered, level: int, data: dict, request) -> None:
    files, manifest = rendered[(level, request.node.callspec.id)]
    assert files
    assert [path for path in files if manifest.entry_for(path) is None] == []


@pytest.mark.parametrize("level", LEVELS)
def test_every_entry_is_the_first_match_of_some_file(rendered, level: int) -> None:
    used: set[str] = set()
    patterns: list[str] = []
    for (layer_level, _), (files, manifest) in rendered.items():
        if layer_level != level:
            continue
        patterns = [entry.pattern for entry in manifest.entries]
        used.update(entry.pattern for path in files if (entry := manifest.entry_for(path)))
    assert [pattern for pattern in patterns if pattern not in used] == []


@pytest.mark.parametrize("level", LEVELS)
def test_criteria_exist_and_can_be_met_by_adding_a_file(rendered, level: int) -> None:
    known = {criterion.id for criterion in load_model().criteria}
    _, manifest = next(value for key, value in rendered.items() if key[0] == level)
    listed = {criterion for entry in manifest.entries for criterion in entry.satisfies}
    assert listed
    assert sorted(listed - known) == []
    assert sorted(listed & NEVER_SATISFIED_BY_ADDING) == []


@pytest.mark.parametrize("level", LEVELS)
def test_the_answers_file_is_a_contract_file(rendered, level: int) -> None:
    _, manifest = next(value for key, value in rendered.items() if key[0] == level)
    entry = manifest.entry_for(f".mlops-ladder/level-{level}.answers.yml")
    assert entry is not None and entry.contract and entry.satisfies == ()


@pytest.mark.parametrize(("level", "data"), VARIANTS)
def test_wire_notes_render_to_short_plain_text(rendered, level: int, data: dict, request) -> None:
    _, manifest = rendered[(level, request.node.callspec.id)]
    notes = {entry.pattern: entry.wire for entry in manifest.entries if entry.wire}
    assert notes
    for pattern, note in notes.items():
        assert "{" + "{" not in note and "{%" not in note, pattern
        assert len(note) <= 500, f"{pattern}: {len(note)} characters"
    if level == 1:
        assert "src/fraud_model/" in notes["src/fraud_model/*.py"]
    if level == 3:
        assert f"mlops/azureml/deploy/{data['deployment_kind']}/" in notes[".github/workflows/release.yml"]


@pytest.mark.parametrize("kind", ["online", "batch"])
def test_listed_criteria_are_met_by_a_generated_project(kind: str, tmp_path: Path) -> None:
    """A criterion a manifest says its files meet is met once the project has every layer's files."""
    answers = complete({"name_suffix": "ab12", "deployment_kind": kind}, level=MAX_TEMPLATE_LEVEL)
    new_project(tmp_path / "project", MAX_TEMPLATE_LEVEL, answers)
    findings = {f.criterion.id: f for f in assess(tmp_path / "project").findings}
    unmet = {}
    for level in LEVELS:
        manifest = load_manifest(TEMPLATES_DIR / f"level-{level}", answers)
        for entry in manifest.entries:
            for criterion in entry.satisfies:
                if not findings[criterion].outcome.is_met:
                    unmet[criterion] = f"{entry.pattern}: {findings[criterion].found}"
    assert unmet == {}
