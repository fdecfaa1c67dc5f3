"""What users commonly do to a generated project, and what `new` and `upgrade` then owe them:
file modes that follow their umask, a warning when an added file imports a module they deleted,
and a README they appended to that upgrades without a conflict."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator.changes import apply
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.generator.projects import commit_all, generate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


# -- file modes --------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002], ids=lambda mask: f"umask-{mask:03o}")
def test_new_creates_the_project_folder_and_files_under_the_umask(tmp_path: Path, mask: int) -> None:
    previous = os.umask(mask)
    try:
        root = generate(tmp_path / "p", 1)
    finally:
        os.umask(previous)
    assert mode(root) == 0o777 & ~mask  # not 0700, the mode of the staging folder it was built in
    assert mode(root / "src") == 0o777 & ~mask
    assert mode(root / "README.md") == 0o666 & ~mask


def test_files_upgrade_adds_follow_the_umask_and_edited_files_keep_their_mode(
    project: Path, umask_027
) -> None:
    readme = project / "README.md"
    readme.chmod(0o664)  # a mode the user chose: an update must keep it
    apply(plan_upgrade(project).plan)
    assert mode(project / "src" / "churn_model" / "register.py") == 0o640  # not mkstemp's 0600
    assert mode(project / "mlops" / "azureml" / "train" / "pipeline.yml") == 0o640
    assert mode(readme) == 0o664


# -- added files that import what the user deleted ----------------------------------------------


def test_upgrade_warns_when_an_added_file_imports_a_deleted_module(project: Path, capsys) -> None:
    (project / "src" / "churn_model" / "train.py").unlink()
    (project / "tests" / "test_train.py").unlink()
    commit_all(project, "we train elsewhere")
    planned = plan_upgrade(project)
    assert planned.plan.warnings == [
        "src/churn_model/train_job.py imports churn_model.train, which the project does not have "
        "(src/churn_model/train.py): it fails on import until you adapt it or restore the module"
    ]
    [train_job] = [c for c in planned.plan.changes if c.path == "src/churn_model/train_job.py"]
    assert "restore" in train_job.note

    assert run(["upgrade", str(project)]) == ExitCode.OK  # added all the same: the layer needs it
    out = capsys.readouterr().out
    assert "Warning: src/churn_model/train_job.py imports churn_model.train" in out
    assert (project / "src" / "churn_model" / "train_job.py").is_file()


def test_no_warning_when_every_imported_module_is_there(project: Path) -> None:
    assert plan_upgrade(project).plan.warnings == []


# -- a README the user appended to --------------------------------------------------------------

NOTES = "\n## Our team's notes\n\nAsk the data owners before changing the data asset.\n"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_text_appended_to_the_readme_survives_upgrades_1_2_3_without_conflict(project: Path, capsys) -> None:
    readme = project / "README.md"
    append(readme, NOTES)
    commit_all(project, "our notes")
    assert run(["upgrade", str(project), "--to", "2"]) == ExitCode.OK
    commit_all(project, "level 2")
    append(readme, "Second note, written at level 2.\n")
    commit_all(project, "another note")
    assert run(["upgrade", str(project), "--to", "3"]) == ExitCode.OK
    text = readme.read_text()
    assert "<<<<<<<" not in text and "CONFLICT" not in capsys.readouterr().out
    assert text.endswith(NOTES + "Second note, written at level 2.\n")
    assert text.index("## Training (level 2)") < text.index("## Release (level 3)") < text.index(NOTES)


def test_text_appended_to_the_readme_survives_a_jump_from_1_to_3(project: Path) -> None:
    readme = project / "README.md"
    append(readme, NOTES)
    commit_all(project, "our notes")
    planned = plan_upgrade(project, to=3)
    assert planned.plan.conflicts == []
    apply(planned.plan)
    text = readme.read_text()
    assert text.endswith(NOTES) and "## Release (level 3)" in text


@pytest.mark.parametrize("level", [1, 2, 3])
def test_the_readme_ends_with_the_same_section_at_every_level(tmp_path: Path, level: int) -> None:
    """Why appending merges: the level sections go above a closing section no level changes."""
    readme = (generate(tmp_path / f"level{level}", level) / "README.md").read_text()
    tail = readme[readme.index("## Keeping the project current") :]
    level1 = (generate(tmp_path / "level1-reference", 1) / "README.md").read_text() if level > 1 else readme
    assert tail == level1[level1.index("## Keeping the project current") :]
    assert tail.count("\n## ") == 0  # nothing after it
