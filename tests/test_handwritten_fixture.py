"""tests/fixtures/handwritten is a level-1 project written by a person, in its own layout.

Upgrade tests adopt it; these tests keep it what they assume: exactly level 1 today, with every
level-1 criterion met by the project's own files (none in the mlops-ladder layout).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.assessment.checks.base import Outcome
from tests.conftest import make_repo

FIXTURE = Path(__file__).parent / "fixtures" / "handwritten"
# criterion -> a file of the fixture's own layout its evidence must name
OWN_EVIDENCE = {
    "MLL-102": "fraud_detection/training.py",
    "MLL-103": "requirements/base.txt",
    "MLL-104": "aml/data/transactions.yml",
    "MLL-105": "tests/test_training.py",
    "MLL-106": "ruff.toml",
    "MLL-108": ".github/workflows/checks.yml",
    "MLL-112": "aml/data/transactions.yml",
}


def fixture_files() -> dict[str, str]:
    return {
        path.relative_to(FIXTURE).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(FIXTURE.rglob("*"))
        if path.is_file() and not {"__pycache__", ".pytest_cache", ".ruff_cache"} & set(path.parts)
    }


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_repo(tmp_path_factory.mktemp("handwritten") / "repo", fixture_files())
    report = assess(root)
    assert report.level == 1
    return {finding.criterion.id: finding for finding in report.findings}


def test_the_fixture_is_small_and_not_generated() -> None:
    files = fixture_files()
    assert len(files) < 15
    assert not any(path.startswith((".mlops-ladder/", "src/", "mlops/")) for path in files)


def test_level_1_is_met_by_the_projects_own_files(findings: dict) -> None:
    for criterion, path in OWN_EVIDENCE.items():
        finding = findings[criterion]
        assert finding.outcome is Outcome.PASS, (criterion, finding.found)
        assert path in {ref.location.split(":")[0] for ref in finding.evidence}, (criterion, finding.evidence)
    core = [c for c, f in findings.items() if f.criterion.level == 1 and f.criterion.core]
    assert [c for c in core if not findings[c].outcome.is_met] == []


def test_level_2_is_not_reached_for_want_of_training_automation(findings: dict) -> None:
    for criterion in ("MLL-201", "MLL-202", "MLL-203", "MLL-204", "MLL-205", "MLL-206"):
        assert findings[criterion].outcome is Outcome.FAIL, (criterion, findings[criterion].found)
