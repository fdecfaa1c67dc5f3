"""The text of an Azure DevOps project (`ci_system: azure-devops`) names its own pipelines: no README,
doc, comment, Azure ML file or script points at a `.github/` file, which such a project does not have
(its pipelines are `.azure-pipelines/*.yml`), at any level, with both IaC languages, both deployment
kinds and with the Data Factory pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.templates.rendered_text import text_lines

# Levels 1-4 once each; level 5 (which holds every file of the lower levels) with each IaC language,
# each deployment kind and the Data Factory pipeline.
CASES = [
    (1, "terraform", "online", "none"), (2, "bicep", "online", "adf"),
    (3, "terraform", "batch", "none"), (4, "bicep", "online", "none"),
    (5, "bicep", "online", "none"), (5, "bicep", "batch", "adf"),
    (5, "terraform", "online", "adf"), (5, "terraform", "batch", "none"),
]


def github_mentions(root: Path) -> list[str]:
    """Lines that point at a `.github/` path, as `path:line: text`."""
    return [f"{path}:{number}: {line}" for path, number, line in text_lines(root) if ".github/" in line]


def test_the_cases_cover_every_option() -> None:
    assert {case[0] for case in CASES} == {1, 2, 3, 4, 5}
    level_5 = [case for case in CASES if case[0] == 5]
    assert {case[1] for case in level_5} == {"bicep", "terraform"}
    assert {case[2] for case in level_5} == {"online", "batch"}
    assert {case[3] for case in level_5} == {"none", "adf"}


@pytest.mark.parametrize(("level", "iac", "deployment_kind", "data_pipeline"), CASES)
def test_azure_devops_projects_never_point_at_github_files(
        tmp_path: Path, level: int, iac: str, deployment_kind: str, data_pipeline: str) -> None:
    answers = {"ci_system": "azure-devops", "iac": iac, "deployment_kind": deployment_kind,
               "data_pipeline": data_pipeline}
    new_project(tmp_path / "p", level, complete(answers, level))
    assert not (tmp_path / "p" / ".github").exists()
    assert github_mentions(tmp_path / "p") == []


def test_a_github_mention_is_found(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.bicep").write_text("// Deployed by .github/workflows/infra.yml\n")
    (tmp_path / "README.md").write_text("Azure DevOps runs .azure-pipelines/infra.yml\n")
    assert github_mentions(tmp_path) == ["infra/main.bicep:1: // Deployed by .github/workflows/infra.yml"]
