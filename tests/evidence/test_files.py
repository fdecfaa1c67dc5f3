"""Listing and reading files: git-aware, defensive, one bad file never stops the scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import MAX_READ_BYTES, list_repo_files
from tests.conftest import git, make_repo


def test_git_listing_has_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a.py": "x = 1\n", ".gitignore": "secret.env\nbuild/\n"})
    (root / "new.py").write_text("y = 2\n")
    (root / "secret.env").write_text("K=V\n")
    (root / "build").mkdir()
    (root / "build" / "out.py").write_text("z = 3\n")
    files = list_repo_files(root)
    by_path = {f.path: f for f in files.files}
    assert set(by_path) == {".gitignore", "a.py", "new.py"}
    assert by_path["a.py"].tracked and not by_path["new.py"].tracked
    assert files.git.is_repo and files.git.commit_count == 1 and len(files.git.head or "") == 40


def test_plain_folder_skips_tool_folders(tmp_path: Path) -> None:
    layout = {"src/m.py": "", ".venv/lib/x.py": "", "node_modules/p/i.js": ""}
    root = make_repo(tmp_path / "r", layout, commit=False)
    files = list_repo_files(root)
    assert [f.path for f in files.files] == ["src/m.py"]
    assert not files.git.is_repo


def test_deleted_tracked_file_is_not_listed(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a.py": "", "b.py": ""})
    (root / "b.py").unlink()
    assert [f.path for f in list_repo_files(root).files] == ["a.py"]


def test_binary_huge_and_non_utf8_files_become_notes(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "img.yml": b"\x89PNG\r\n\x1a\n\x00\x00",
            "latin.py": "caf\xe9 = 1\n".encode("latin-1"),
            "big.yml": "a: 1\n" * (MAX_READ_BYTES // 5 + 10),
            "ok.py": "x = 1\n",
        },
    )
    files = list_repo_files(root)
    assert files.read_text("img.yml") is None
    assert files.read_text("big.yml") is None
    assert files.read_text("latin.py") == "caf\ufffd = 1\n"
    assert files.read_text("ok.py") == "x = 1\n"
    reasons = {n.path: n.reason for n in files.notes}
    assert reasons["img.yml"] == "not read: binary file"
    assert "over the 2 MiB limit" in reasons["big.yml"]
    assert reasons["latin.py"].startswith("not UTF-8")
    assert "ok.py" not in reasons


def test_files_are_read_once(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a.py": "1\n"})
    files = list_repo_files(root)
    assert files.read_text("a.py") == "1\n"
    (root / "a.py").write_text("2\n")
    assert files.read_text("a.py") == "1\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_is_a_note(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"locked.py": "x\n"}, commit=False)
    (root / "locked.py").chmod(0)
    files = list_repo_files(root)
    assert files.read_text("locked.py") is None
    assert any(n.reason == "not read: permission denied" for n in files.notes)


def test_symlink_loops_and_broken_links_do_not_hang_or_crash(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"src/a.py": "x = 1\n"}, commit=False)
    os.symlink(root / "src", root / "src" / "loop")  # a link to a parent folder
    os.symlink("self1", root / "self2")
    os.symlink("self2", root / "self1")  # a link loop between two files
    os.symlink("missing.py", root / "dangling.py")
    files = list_repo_files(root)
    assert [f.path for f in files.files] == ["src/a.py"]
    reasons = {n.path: n.reason for n in files.notes}
    assert reasons["self1"] == "not read: symbolic link loop"
    assert reasons["dangling.py"] == "not read: file vanished or is a broken link"


def test_symlink_loops_in_a_git_repo(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a.py": "1\n"})
    os.symlink(root, root / "up")
    git(root, "add", "up")
    files = list_repo_files(root)
    assert [f.path for f in files.files] == ["a.py"]


def test_subfolder_of_a_repo_lists_paths_relative_to_it(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"proj/src/a.py": "", "other/b.py": ""})
    files = list_repo_files(root / "proj")
    assert [f.path for f in files.files] == ["src/a.py"]


def test_forgotten_texts_are_read_again_without_new_notes(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"a": 1}')
    (tmp_path / "b.bin").write_bytes(b"\0binary")
    files = list_repo_files(tmp_path)
    texts = (files.read_text("a.json"), files.read_text("b.bin"))
    notes = list(files.notes)
    files.forget_texts()
    assert files._text["a.json"] is not texts[0]  # not held any more
    assert (files.read_text("a.json"), files.read_text("b.bin")) == texts and files.notes == notes
