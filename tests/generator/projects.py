"""Generated projects for the upgrade and update tests: made with a fixed name suffix (so two runs
render the same names) and committed the way a user commits their edits."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.conftest import git


def generate(dest: Path, level: int, **data) -> Path:
    new_project(dest, level, complete({"name_suffix": "ab12", **data}, level))
    return dest


def commit_all(root: Path, message: str = "edit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
