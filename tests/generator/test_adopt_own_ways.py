"""Adopting hand-written repositories that do things their own way (tests/fixtures/handwritten-forecast:
tests inside the package, CI that runs plain `pytest`, its own sales data, a folder of CI helper
modules beside the ML package, a 14-character name). Adoption must not change how the user's tools
behave, must not add scaffolding that passes for the user's evidence, and must explain every guess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator.changes import apply
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.conftest import git

FIXTURES = Path(__file__).parent.parent / "fixtures"
FORECAST = FIXTURES / "handwritten-forecast"
FRAUD = FIXTURES / "handwritten"


def copy_repo(source: Path, root: Path, drop: tuple[str, ...] = ()) -> Path:
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    for path in drop:
        target = root / path
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "hand-written project")
    return root


def pytest_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MLFLOW_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=root, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


def collected(root: Path) -> list[str]:
    proc = pytest_in(root, "--collect-only", "-q")
    return sorted(line for line in proc.stdout.splitlines() if "::" in line)


@pytest.fixture
def forecast(tmp_path: Path) -> Path:
    return copy_repo(FORECAST, tmp_path / "demandforecast")


def test_the_fixture_is_what_the_tests_assume(forecast: Path) -> None:
    report = assess(forecast)
    met = {f.criterion.id for f in report.findings if f.outcome.is_met}
    assert report.level == 0 and "MLL-104" not in met  # its data is a file it reads, not declared
    assert {"MLL-101", "MLL-102", "MLL-105", "MLL-108", "MLL-116"} <= met and "MLL-109" not in met
    assert len(collected(forecast)) == 6


def test_adoption_leaves_the_users_tests_running_as_before(forecast: Path, capsys) -> None:
    before = collected(forecast)
    assert run(["upgrade", str(forecast)]) == ExitCode.OK
    out = " ".join(capsys.readouterr().out.split())
    # pytest finds and runs exactly the tests it ran before, and they pass
    assert collected(forecast) == before
    proc = pytest_in(forecast, "-q")
    assert proc.returncode == 0, proc.stdout[-3000:]
    # the added pyproject.toml configures ruff only: no pytest settings, no packaging of a src/ layout
    added = tomllib.loads((forecast / "pyproject.toml").read_text())
    assert set(added) == {"tool"} and set(added["tool"]) == {"ruff"}
    assert '[tool.pytest.ini_options] (testpaths = ["tests"] would stop pytest running your tests' in out
    assert "forecasting/tests" in out
    # no second CI workflow beside the one that already tests pull requests
    assert not (forecast / ".github" / "workflows" / "ci.yml").exists()
    assert "your CI already runs the tests on pull requests (.github/workflows/tests.yml)" in out


def test_scaffolding_and_sample_data_do_not_count_as_the_users_evidence(forecast: Path, capsys) -> None:
    planned = plan_upgrade(forecast)
    not_added = {c.path: c.note for c in planned.plan.of(Action.NOT_ADDED)}
    assert "data/sample/customers.csv" in not_added and "mlops/azureml/data/customers.yml" in not_added
    note = not_added["mlops/azureml/data/customers.yml"]
    assert "forecasting/train.py:23 reads data/sales_2023.csv" in note and "data asset" in note
    apply(planned.plan)
    report = assess(forecast)
    findings = {f.criterion.id: f for f in report.findings}
    assert not findings["MLL-104"].outcome.is_met, "the churn sample counted as the user's data source"
    assert report.level == 0
    tested = {ref.location.split(":")[0] for ref in findings["MLL-105"].evidence}
    assert tested <= {"forecasting/tests/test_features.py", "forecasting/tests/test_train.py"}


def test_the_tools_own_tests_are_not_evidence_that_the_ml_code_is_tested(tmp_path: Path) -> None:
    """No tests of its own: whatever adoption adds up to level 3 (release scripts and their tests,
    the CI helper), the ML code is still untested, and the tests that would not run are not added."""
    root = copy_repo(FORECAST, tmp_path / "demand", drop=("forecasting/tests", "ci_tools/tests", ".github"))
    planned = plan_upgrade(root, 3)
    changes = {c.path: c for c in planned.plan.changes}
    assert changes["scripts/model_release.py"].action == Action.ADD
    assert changes["tests/test_release_scripts.py"].action == Action.NOT_ADDED
    apply(planned.plan)
    finding = next(f for f in assess(root).findings if f.criterion.id == "MLL-105")
    assert not finding.outcome.is_met, finding.found


def test_guesses_are_explained(forecast: Path, capsys) -> None:
    assert run(["upgrade", str(forecast), "--dry-run"]) == ExitCode.OK
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "package_name=forecasting: the package with the ML code (forecasting/features.py imports pandas); "
        "not ci_tools (4 modules)"
    ) in out
    assert (
        "project_name=demandforec: the repository folder's name ('demandforecast') shortened to 11 "
        "characters because the key vault name kv-demandforecast-dev-ab12 would be 26 characters and Azure "
        "allows 24"
    ) in out
    assert "choose another with --data project_name=" in out


def test_a_long_name_is_shortened_on_a_word_boundary_and_said_so(tmp_path: Path) -> None:
    root = copy_repo(FORECAST, tmp_path / "weekly-demand-forecast-service")
    planned = plan_upgrade(root)
    assert planned.answers["project_name"] == "weekly"
    note = planned.plan.notes[0]
    assert (
        "project_name=weekly: the repository folder's name ('weekly-demand-forecast-service') shortened"
        in note
    )


def test_an_added_ruff_check_says_that_it_lints_the_existing_code(tmp_path: Path) -> None:
    root = copy_repo(FORECAST, tmp_path / "demand", drop=(".github",))
    planned = plan_upgrade(root)
    ci = next(c for c in planned.plan.changes if c.path == ".github/workflows/ci.yml")
    assert ci.action == Action.ADD
    assert "`ruff check .` also lints all your existing code" in ci.note
    assert "requirements-dev.txt, which was not added" in ci.note  # it installs a file that is not there


def test_a_deployment_that_refers_to_a_file_not_added_says_so(tmp_path: Path) -> None:
    root = copy_repo(FRAUD, tmp_path / "fraud-detection")
    planned = plan_upgrade(root, 3)
    changes = {c.path: c for c in planned.plan.changes}
    assert changes["src/fraud_detection_scoring/score.py"].action == Action.NOT_ADDED
    blue = changes["mlops/azureml/deploy/online/blue.yml"]
    assert blue.action == Action.ADD
    assert "it refers to src/fraud_detection_scoring/score.py, which was not added" in blue.note
    train = changes["mlops/azureml/train/components/train.yml"]
    assert "it refers to fraud_detection/train_job.py, which was not added" in train.note
    workflow = changes[".github/workflows/train.yml"]
    assert "it refers to mlops/azureml/data/customers.yml, which was not added" in workflow.note
