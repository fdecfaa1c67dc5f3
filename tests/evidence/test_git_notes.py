"""When git cannot be used for the assessed folder, the report's notes say why and how it was read."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from tests.conftest import make_repo

FILES = {"train.py": "import pandas\n", ".gitignore": "generated/\n", "generated/out.py": "x = 1\n"}


def test_a_repository_git_refuses_says_so_and_is_read_as_a_plain_folder(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    root = make_repo(tmp_path / "theirs", FILES)
    # git's own switch for "the repository belongs to someone else" (safe.directory)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    listed = list_repo_files(root)
    assert not listed.git.is_repo
    [note] = listed.notes
    assert note.path == "." and "git refuses this repository because another user owns it" in note.reason
    assert f"git config --global --add safe.directory {root}" in note.reason
    assert "generated/out.py" in {f.path for f in listed.files}, "a plain folder: no ignore rules"
    assert run(["assess", str(root), "--format", "json"]) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    assert report["target"]["is_git"] is False
    assert any("safe.directory" in n["reason"] for n in report["notes"])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_repository_owned_by_another_user(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "theirs", FILES)
    for path in [root, *root.rglob("*")]:
        os.lchown(path, 65534, 65534)  # nobody
    listed = list_repo_files(root)
    assert [n.path for n in listed.notes] == ["."]
    assert "safe.directory" in listed.notes[0].reason


def test_a_folder_the_enclosing_repository_ignores_says_so(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {**FILES, "generated/proj/src/model.py": "import torch\n"})
    listed = list_repo_files(root / "generated" / "proj")
    assert not listed.git.is_repo
    assert [f.path for f in listed.files] == ["src/model.py"]
    [note] = listed.notes
    assert "the enclosing git repository ignores this folder (.gitignore:1:generated/" in note.reason
    assert "read as a plain folder" in note.reason
    # a subfolder that is not ignored is still read through git, without a note
    (root / "src").mkdir()
    (root / "src" / "model.py").write_text("import torch\n", encoding="utf-8")
    subfolder = list_repo_files(root / "src")
    assert subfolder.git.is_repo and subfolder.notes == []


def test_a_git_folder_without_git_installed_says_so(tmp_path: Path, monkeypatch) -> None:
    root = make_repo(tmp_path / "repo", FILES)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "git" else real_which(name))
    listed = list_repo_files(root)
    assert [n.reason for n in listed.notes] == [
        "git is not installed: read as a plain folder (every file but tool folders; no git history or "
        "ignore rules)"
    ]
