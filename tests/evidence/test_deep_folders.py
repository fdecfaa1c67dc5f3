"""Folders nested absurdly deep are a note, and the scan goes on (Python 3.11's os.walk recursed
and raised RecursionError on a plain folder nested 10,000 levels deep)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import MAX_FOLDER_DEPTH, list_repo_files
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from tests.conftest import git


def nest(root: Path, depth: int, name: str = "d") -> None:
    """Make root/d/d/.../d (*depth* folders) with a file at the bottom, by descriptors: the path
    is longer than the OS accepts in one piece."""
    descriptor = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=descriptor)
            inner = os.open(name, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        bottom = os.open("bottom.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(bottom, b"x = 1\n")
        os.close(bottom)
    finally:
        os.close(descriptor)


def unnest(top: Path) -> None:
    """Remove a chain made by `nest` (shutil.rmtree recurses): down by descriptors to the bottom,
    then up through `..`, removing each level on the way."""
    descriptor = os.open(top, os.O_RDONLY)
    names = []
    while True:
        entries = os.listdir(descriptor)
        for entry in entries:
            if entry != "d" and entry != "u":
                os.unlink(entry, dir_fd=descriptor)
        below = [entry for entry in entries if entry in ("d", "u")]
        if not below:
            break
        inner = os.open(below[0], os.O_RDONLY, dir_fd=descriptor)
        os.close(descriptor)
        descriptor = inner
        names.append(below[0])
    for name in reversed(names):
        parent = os.open("..", os.O_RDONLY, dir_fd=descriptor)
        os.close(descriptor)
        os.rmdir(name, dir_fd=parent)
        descriptor = parent
    os.close(descriptor)
    top.rmdir()


@pytest.fixture
def deep_tree(tmp_path: Path):
    # On a tmpfs when there is one: removing 10,000 folders from a journalled disk takes ~30 s.
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    root = base / "deep"
    root.mkdir()
    (root / "train.py").write_text("import pandas\n", encoding="utf-8")
    nest(root, 10_000)
    yield root
    unnest(root / "d")
    (root / "train.py").unlink()
    root.rmdir()
    if base != tmp_path:
        base.rmdir()


def test_a_plain_folder_nested_10000_deep_is_a_note_and_the_scan_goes_on(deep_tree: Path, capsys) -> None:
    listed = list_repo_files(deep_tree)
    assert [f.path for f in listed.files] == ["train.py"]
    cut = "/".join(["d"] * (MAX_FOLDER_DEPTH + 1))
    assert [(n.path, n.reason) for n in listed.notes] == [
        (cut, f"folder not read: nested more than {MAX_FOLDER_DEPTH} folders deep")
    ]
    assert run(["assess", str(deep_tree), "--format", "json"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "internal error" not in captured.err
    assert '"folder not read: nested more than' in captured.out


def test_a_git_repository_with_files_deeper_than_the_limit_notes_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "train.py").write_text("import pandas\n", encoding="utf-8")
    nest(root, MAX_FOLDER_DEPTH + 20)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "deep")
    listed = list_repo_files(root)
    assert listed.git.is_repo
    assert [f.path for f in listed.files] == ["train.py"]
    assert [n.path.count("/") + 1 for n in listed.notes] == [MAX_FOLDER_DEPTH + 1]
    # and an untracked chain far deeper than git lists is no error either
    nest(root, 1_200, name="u")
    listed = list_repo_files(root)
    assert [f.path for f in listed.files] == ["train.py"]
    unnest(root / "u")
