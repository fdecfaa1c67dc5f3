"""Adopting a repository written by hand: nothing of the user's changes, the next layers' files are
added where they are needed and would work, and the report says what to wire by hand."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.conftest import git

FIXTURE = Path(__file__).parent.parent / "fixtures" / "handwritten"


@pytest.fixture
def handwritten(tmp_path: Path) -> Path:
    root = tmp_path / "fraud-detection"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "hand-written project")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_fixture_is_a_level_1_repository(handwritten: Path) -> None:
    assert assess(handwritten).level == 1


def test_upgrade_to_3_adopts_without_changing_a_user_file(handwritten: Path, capsys) -> None:
    before = snapshot(handwritten)
    assert run(["upgrade", str(handwritten), "--to", "3"]) == ExitCode.OK
    out = capsys.readouterr().out
    after = snapshot(handwritten)
    for path, content in before.items():
        assert after[path] == content, f"{path} was changed"
    added = set(after) - set(before)
    for expected in (
        "mlops/config.yml",
        "scripts/ci_env.py",
        "infra/main.bicep",
        ".github/workflows/infra.yml",
        "mlops/azureml/train/pipeline.yml",
        ".github/workflows/train.yml",
        ".github/workflows/release.yml",
        ".mlops-ladder/level-3.answers.yml",
    ):
        assert expected in added, expected
    # its own package, not a second one under src/
    assert not any(p.startswith("src/fraud_detection/") for p in added)
    # what it already has is not duplicated: its CI already tests pull requests, its data asset exists
    assert ".github/workflows/ci.yml" not in added
    assert not any(p.startswith("mlops/azureml/data/") for p in added)
    assert "adopting a repository written by hand" in out
    assert "Wire by hand:" in out and "mlops/azureml/train/components/prep.yml" in out
    assert "package_name=fraud_detection" in out


def test_files_that_would_not_import_are_not_added_and_the_users_tests_still_pass(handwritten: Path) -> None:
    planned = plan_upgrade(handwritten, 3)
    not_added = {c.path: c.note for c in planned.plan.of(Action.NOT_ADDED)}
    assert "fraud_detection/train_job.py" in not_added
    assert "imports fraud_detection.data" in not_added["fraud_detection/train_job.py"]
    assert "tests/training/test_tracking.py" in not_added  # needs a conftest that is not added
    from mlops_ladder.generator.changes import apply

    apply(planned.plan)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=handwritten,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_the_users_own_files_are_recorded_and_left_alone_by_update(handwritten: Path) -> None:
    from mlops_ladder.generator.changes import apply
    from mlops_ladder.generator.update import plan_update

    apply(plan_upgrade(handwritten, 2).plan)
    git(handwritten, "add", "-A")
    git(handwritten, "commit", "-q", "-m", "adopted")
    answers = (handwritten / ".mlops-ladder" / "level-1.answers.yml").read_text()
    assert "_mlops_ladder_user_files" in answers and "README.md" in answers
    result = plan_update(handwritten)
    assert [c.path for c in result.plan.writes] == []


def test_answers_can_be_overridden(handwritten: Path, capsys) -> None:
    code = run(
        [
            "upgrade",
            str(handwritten),
            "--dry-run",
            "--data",
            "project_name=fraud",
            "--data",
            "environments=dev,prod",
        ]
    )
    assert code == ExitCode.OK
    out = capsys.readouterr().out
    assert "project_name=fraud" in out and "rg-fraud-prod" in out


def test_an_adopted_repository_stays_adopted_on_the_next_upgrade(handwritten: Path) -> None:
    from mlops_ladder.generator.changes import apply

    apply(plan_upgrade(handwritten, 2).plan)
    git(handwritten, "add", "-A")
    git(handwritten, "commit", "-q", "-m", "adopted level 2")
    planned = plan_upgrade(handwritten, 3)
    assert planned.adopted and planned.layers_added == ["level-3"]
    added = {c.path for c in planned.plan.of(Action.ADD)}
    assert ".github/workflows/release.yml" in added
    assert "tests/test_scoring.py" not in added  # would not import in this repository
    assert not any(p.startswith("src/fraud_detection/") for p in added)
