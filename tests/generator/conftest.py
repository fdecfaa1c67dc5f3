"""Fixtures of the generator tests: a level-1 project generated once per module, and a copy of it per
test to edit, commit and upgrade."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.generator.projects import generate


@pytest.fixture(scope="module")
def level1_project(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "p1", 1)


@pytest.fixture
def project(level1_project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(level1_project, copy, symlinks=True)
    return copy
