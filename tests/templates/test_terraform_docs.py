"""The text of a Terraform project (`iac: terraform`) names its own infrastructure: no README, doc,
comment or script mentions a Bicep file or Bicep itself, at any level, for both CI systems, both
deployment kinds and with the Data Factory pipeline. Two exceptions: the Terraform files themselves
(infra/terraform/, whose header comments say which Bicep file of the other variant each one mirrors,
for the maintainers of both), and the deliberate mentions listed in ALLOWED with the line that holds
each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.templates.rendered_text import text_lines

BICEP = re.compile(r"bicep", re.IGNORECASE)
# (path, text of the line): mentions that compare the variants on purpose.
ALLOWED = {
    ("docs/terraform.md", "Resource names follow `mlops/config.yml`, as the Bicep variant's do."),
}
# Every level with both CI systems; at levels 3-4 each CI system is seen with each deployment kind,
# level 5 (which holds every file of the lower levels) with all four, and the Data Factory pipeline
# (level 2 and up) with both CI systems.
CASES = [
    (1, "github", "online", "none"), (1, "azure-devops", "online", "none"),
    (2, "github", "online", "adf"), (2, "azure-devops", "online", "none"),
    (3, "github", "batch", "none"), (3, "azure-devops", "online", "adf"),
    (4, "github", "online", "adf"), (4, "azure-devops", "batch", "none"),
    (5, "github", "online", "adf"), (5, "github", "batch", "none"),
    (5, "azure-devops", "online", "none"), (5, "azure-devops", "batch", "adf"),
]


def bicep_mentions(root: Path) -> list[str]:
    """Lines outside infra/terraform/ that mention Bicep, as `path:line: text`, except the ALLOWED ones."""
    return [f"{path}:{number}: {line}" for path, number, line in text_lines(root, skip=("infra/terraform/",))
            if BICEP.search(line) and (path, line) not in ALLOWED]


def test_the_cases_cover_every_option() -> None:
    assert {case[0] for case in CASES} == {1, 2, 3, 4, 5}
    for ci in ("github", "azure-devops"):
        assert {kind for level, c, kind, _ in CASES if c == ci and level >= 3} == {"online", "batch"}
        assert any(c == ci and adf == "adf" for _, c, _, adf in CASES)


@pytest.mark.parametrize(("level", "ci_system", "deployment_kind", "data_pipeline"), CASES)
def test_terraform_projects_never_mention_bicep(
        tmp_path: Path, level: int, ci_system: str, deployment_kind: str, data_pipeline: str) -> None:
    answers = {"iac": "terraform", "ci_system": ci_system, "deployment_kind": deployment_kind,
               "data_pipeline": data_pipeline}
    new_project(tmp_path / "p", level, complete(answers, level))
    assert not list((tmp_path / "p").rglob("*.bicep*"))
    assert bicep_mentions(tmp_path / "p") == []


def test_the_allowed_mentions_are_still_rendered(tmp_path: Path) -> None:
    """An allow-list entry whose line is gone would hide nothing: keep the list exact."""
    new_project(tmp_path / "p", 1, complete({"iac": "terraform"}, 1))
    rendered = {(path, line.strip()) for path, _ in ALLOWED
                for line in (tmp_path / "p" / path).read_text(encoding="utf-8").splitlines()}
    assert rendered >= ALLOWED


def test_a_bicep_mention_is_found(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "infra" / "terraform").mkdir(parents=True)
    (tmp_path / "docs" / "x.md").write_text("ok\nsee infra/main.bicep\n", encoding="utf-8")
    (tmp_path / "infra" / "runner.sh").write_text("# (infra/layers/53-ci-runners.bicep)\n", encoding="utf-8")
    (tmp_path / "infra" / "terraform" / "10-platform.tf").write_text("# as main.bicep\n", encoding="utf-8")
    assert bicep_mentions(tmp_path) == ["docs/x.md:2: see infra/main.bicep",
                                        "infra/runner.sh:1: # (infra/layers/53-ci-runners.bicep)"]
