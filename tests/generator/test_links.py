"""Symbolic links that leave the repository: `upgrade`, `update` and `new` never write through them,
and neither the assessment nor the generator reads a file through them; each is reported as a note."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode, RefusedError
from mlops_ladder.generator.changes import apply
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.conftest import git, make_repo

SECRET = "AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0==\n"
FIXTURE = Path(__file__).parent.parent / "fixtures" / "handwritten"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("gen") / "project"
    new_project(dest, 1, complete({"name_suffix": "ab12"}, 1))
    return dest


@pytest.fixture
def linked(generated: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A generated level-1 project whose `infra` folder and README are committed links out of it."""
    outside = tmp_path / "outside"
    (outside / "infra").mkdir(parents=True)
    (outside / "infra" / "theirs.bicep").write_text("// another team's platform\n")
    (outside / "notes.md").write_text(SECRET)
    root = tmp_path / "project"
    shutil.copytree(generated, root, symlinks=True)
    shutil.rmtree(root / "infra")
    os.symlink(outside / "infra", root / "infra")
    (root / "README.md").unlink()
    os.symlink(outside / "notes.md", root / "README.md")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")
    return root, outside


def test_upgrade_never_writes_through_a_link_out_of_the_repository(linked, capsys) -> None:
    root, outside = linked
    before = tree(outside)
    assert run(["upgrade", str(root)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert tree(outside) == before, "a file outside the repository was written"
    assert "skip (link) infra/layers/20-training.bicep" in " ".join(out.split())
    assert f"infra is a symbolic link to {outside / 'infra'}, outside the repository" in out
    assert "README.md is a symbolic link to" in out
    assert (root / "README.md").is_symlink() and (root / "infra").is_symlink()  # links kept
    assert (root / "mlops" / "azureml" / "train" / "pipeline.yml").is_file()  # the rest applied
    assert "AccountKey" not in out, "a file behind a link was read into the plan"


def test_dry_run_and_diff_never_show_a_file_behind_a_link(linked, capsys) -> None:
    root, _ = linked
    assert run(["upgrade", str(root), "--dry-run"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "AccountKey" not in out and "c2VjcmV0" not in out


def test_update_skips_links_too(linked, tmp_path: Path) -> None:
    from mlops_ladder.generator.history import TemplateSource, freeze
    from mlops_ladder.generator.layers import TEMPLATES_DIR
    from mlops_ladder.generator.update import plan_update

    newer = tmp_path / "templates"  # a newer template release whose README and Bicep changed
    shutil.copytree(TEMPLATES_DIR, newer, ignore=shutil.ignore_patterns("history", "__pycache__"))
    for name in ("README.md.jinja", "infra/{% if iac == 'bicep' %}main.bicep{% endif %}"):
        changed = newer / "level-1" / "template" / name
        changed.write_text(changed.read_text() + "\n")
    freeze(TEMPLATES_DIR, "v0.1.0", newer / "history")
    source = TemplateSource(current=newer, version="v0.1.1", history=newer / "history")
    root, outside = linked
    before = tree(outside)
    plan = plan_update(root, source).plan
    skipped = {c.path: c for c in plan.changes if c.action == Action.LINK_SKIPPED}
    assert set(skipped) == {"README.md", "infra/main.bicep"}
    assert skipped["README.md"].previous is None, "the file behind the link was read"
    assert any(note.startswith("infra is a symbolic link to") for note in plan.notes)
    apply(plan)
    assert tree(outside) == before


def test_adoption_never_writes_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "shared-platform"
    outside.mkdir()
    root = tmp_path / "fraud-detection"
    shutil.copytree(FIXTURE, root)
    os.symlink(outside, root / "infra")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "hand-written")
    planned = plan_upgrade(root, 2)
    skipped = {c.path for c in planned.plan.of(Action.LINK_SKIPPED)}
    assert "infra/main.bicep" in skipped
    apply(planned.plan)
    assert list(outside.iterdir()) == []


def test_the_apply_step_refuses_a_link_that_appeared_after_planning(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(generated, root, symlinks=True)
    planned = plan_upgrade(root, 2)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, root / "mlops" / "azureml" / "train")  # the folder level 2 writes into
    with pytest.raises(RefusedError, match="outside the repository"):
        apply(planned.plan)
    assert list(outside.iterdir()) == []
    assert not (root / "src" / "churn_model" / "train_job.py").exists(), "the transaction was not undone"


def test_an_answers_folder_or_file_behind_a_link_is_refused(generated: Path, tmp_path: Path, capsys) -> None:
    root = tmp_path / "project"
    shutil.copytree(generated, root, symlinks=True)
    outside = tmp_path / "answers"
    shutil.move(root / ".mlops-ladder", outside)
    os.symlink(outside, root / ".mlops-ladder")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "answers elsewhere")
    assert run(["upgrade", str(root)]) == ExitCode.REFUSED
    assert "error: .mlops-ladder is a symbolic link to" in capsys.readouterr().err
    (root / ".mlops-ladder").unlink()
    (root / ".mlops-ladder").mkdir()
    os.symlink(outside / "level-1.answers.yml", root / ".mlops-ladder" / "level-1.answers.yml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one answers file elsewhere")
    assert run(["update", str(root)]) == ExitCode.BAD_INPUT
    assert "error: .mlops-ladder/level-1.answers.yml: a symbolic link to" in capsys.readouterr().err


def test_new_refuses_a_destination_that_is_a_link(tmp_path: Path, capsys) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.symlink(target, tmp_path / "project")
    assert run(["new", str(tmp_path / "project"), "--defaults"]) == ExitCode.REFUSED
    assert "is a symbolic link" in capsys.readouterr().err
    assert list(target.iterdir()) == []


# -- the assessment ---------------------------------------------------------------------------------


def test_the_assessment_never_reads_a_file_behind_a_link_out_of_the_repository(
    tmp_path: Path, capsys
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "requirements.txt").write_text("pandas==2.2.0\nscikit-learn==1.5.0\n")
    (outside / "settings.env").write_text(SECRET)
    root = make_repo(tmp_path / "repo", {"train.py": "import pandas\n", "inside.txt": "pandas==2.2.0\n"})
    os.symlink(outside / "requirements.txt", root / "requirements.txt")
    os.symlink(outside / "settings.env", root / "settings.env")
    os.symlink("inside.txt", root / "requirements-dev.txt")  # a link inside the repository is fine
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")
    files = list_repo_files(root)
    listed = {f.path for f in files.files}
    assert "requirements.txt" not in listed and "settings.env" not in listed
    assert "requirements-dev.txt" in listed
    reasons = {n.path: n.reason for n in files.notes}
    assert reasons["settings.env"] == (
        f"not read: a symbolic link to {outside / 'settings.env'}, outside the repository (never followed)"
    )
    assert files.read_text("../outside/settings.env") is None  # a path a collector computed
    assert "outside the repository" in {n.path: n.reason for n in files.notes}["../outside/settings.env"]
    assert run(["assess", str(root), "--format", "json"]) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    assert "AccountKey" not in json.dumps(report)
    notes = {n["path"]: n["reason"] for n in report["notes"]}
    assert "outside the repository" in notes["requirements.txt"]
    secrets = next(f for f in report["findings"] if f["id"] == "MLL-110")
    assert secrets["outcome"] == "pass", secrets["found"]
    assert assess(root).level == 0
