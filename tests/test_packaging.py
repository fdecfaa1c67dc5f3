"""Packaging: every code folder is listed in pyproject.toml, and the data files ship."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
MAPPED = {
    "mlops_ladder": "mlops_ladder",
    "cli": "mlops_ladder.cli",
    "assessment": "mlops_ladder.assessment",
    "levels": "mlops_ladder.levels",
    "generator": "mlops_ladder.generator",
    "templates": "mlops_ladder.templates",
}


def test_every_package_folder_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    for folder, package in MAPPED.items():
        assert config["package-dir"][package] == folder
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            if "templates" in init.parts and init.parent != ROOT / "templates":
                continue  # template content is data, not code
            name = ".".join([package, *rel.parts])
            assert name in listed, (
                f"{name} ({init.parent.relative_to(ROOT)}) is not in pyproject.toml packages"
            )
