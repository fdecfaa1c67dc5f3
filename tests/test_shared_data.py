"""tests/shared_data.py: ../shared/ is found beside the checkout, or beside the local checkout a clone
or worktree came from (a new user's `git clone -q . "$(mktemp -d)"` then `.ci/run`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.shared_data import shared_root


def _git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def test_shared_data_is_found_beside_the_checkout_or_the_one_it_came_from(tmp_path: Path) -> None:
    origin = tmp_path / "work" / "main"
    (tmp_path / "work" / "shared").mkdir(parents=True)
    origin.mkdir()
    _git("-C", str(origin), "init", "-q")
    _git("-C", str(origin), "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q",
         "--allow-empty", "-m", "x")
    assert shared_root(origin) == tmp_path / "work" / "shared"
    clone = tmp_path / "elsewhere" / "clone"
    _git("clone", "-q", str(origin), str(clone))
    assert shared_root(clone) == tmp_path / "work" / "shared"
    worktree = tmp_path / "deeper" / "wt" / "branch"
    _git("-C", str(origin), "worktree", "add", "-q", str(worktree), "-b", "branch")
    assert shared_root(worktree) == tmp_path / "work" / "shared"
    lonely = tmp_path / "lonely" / "repo"
    lonely.mkdir(parents=True)
    _git("-C", str(lonely), "init", "-q")
    assert shared_root(lonely) == tmp_path / "lonely" / "shared"  # missing: tests skip, or fail in CI
