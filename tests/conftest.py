"""Shared fixtures: build repositories on the fly in tmp_path."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(root)}
    proc = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout


def write_files(root: Path, files: Mapping[str, str | bytes | Mapping]) -> None:
    """Write *files*; a value {size_mb: N} makes a sparse file of N MiB (large-file cases)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Mapping):
            with path.open("wb") as handle:
                handle.truncate(int(float(content["size_mb"]) * 1024 * 1024))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_repo(root: Path, files: Mapping[str, str | bytes], *, commit: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    if commit:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "initial")
    return root


@pytest.fixture
def repo_factory(tmp_path: Path):
    counter = iter(range(10_000))

    def factory(files: Mapping[str, str | bytes], *, commit: bool = True) -> Path:
        return make_repo(tmp_path / f"repo{next(counter)}", files, commit=commit)

    return factory
