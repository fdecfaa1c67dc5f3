"""Shared fixtures: build repositories on the fly in tmp_path; the `needs_shared` marker."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

REQUIRE_SHARED = os.environ.get("MLOPS_LADDER_REQUIRE_SHARED") == "1"
"""Set by .ci/run: a test that needs ../shared/ fails when it is missing instead of being skipped."""


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Mark a test (or a module, as `pytestmark`) that needs *path* under ../shared/."""
    return pytest.mark.needs_shared(path)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs_shared"):
        path = Path(marker.args[0])
        if path.exists():
            continue
        reason = f"{path} is missing (../shared/ must be beside the checkout, see tests/shared_data.py)"
        if REQUIRE_SHARED:
            pytest.fail(f"{reason}; MLOPS_LADDER_REQUIRE_SHARED=1 makes this a failure", pytrace=False)
        pytest.skip(reason)


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
