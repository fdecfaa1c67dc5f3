"""Every criterion has a passing and a failing case (tests/criteria_cases/<ID>.yaml).

Each case is a small repository (plus Azure resources or answers when the criterion reads
them) built in tmp_path; the real collectors run on it and only that criterion is evaluated.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.engine import Evidence, evaluate_criterion
from mlops_ladder.assessment.evidence.answers_model import AnswersEvidence
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence
from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.repo.collect import collect_repo
from mlops_ladder.levels import load_model
from tests.conftest import make_repo

CASES = Path(__file__).parent / "criteria_cases"
RESOURCE_GROUP_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
MODEL = load_model()


def load_case(criterion_id: str, name: str) -> dict:
    path = CASES / f"{criterion_id}.yaml"
    assert path.exists(), f"{criterion_id} has no case file {path.relative_to(CASES.parent.parent)}"
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert name in cases, f"{criterion_id} has no {name!r} case"
    case = dict(cases[name])
    files: dict[str, str] = {}
    for include in case.get("include", []):
        shared = yaml.safe_load((CASES / "_shared" / f"{include}.yaml").read_text(encoding="utf-8"))
        files.update(shared["files"])
    files.update(case.get("files") or {})
    case["files"] = files
    return case


def evidence_for(case: dict, root: Path) -> Evidence:
    repo = collect_repo(make_repo(root, case["files"], commit=case.get("git", True)))
    azure = None
    if "azure_resources" in case:
        resources = [
            Resource(
                type=r["type"],
                name=r.get("name", "r"),
                body=r.get("body", {}),
                location=Location(f"{RESOURCE_GROUP_ID}/providers/{r['type']}/{r.get('name', 'r')}"),
                source="azure",
            )
            for r in case["azure_resources"]
        ]
        azure = AzureEvidence(subscriptions=["0000"], resources=resources)
    answers = AnswersEvidence(case["answers"], source="answers.yml") if "answers" in case else None
    return Evidence(repo=repo, azure=azure, answers=answers)


@pytest.mark.parametrize("name", ["pass", "fail"])
@pytest.mark.parametrize("criterion", MODEL.criteria, ids=lambda c: c.id)
def test_criterion_case(criterion, name: str, tmp_path: Path) -> None:
    case = load_case(criterion.id, name)
    finding = evaluate_criterion(criterion, evidence_for(case, tmp_path / "repo"), strict=True)
    expected = Outcome(case.get("expect", name))
    assert finding.outcome == expected, (
        f"{criterion.id} {name} case: expected {expected.value}, got {finding.outcome.value}: {finding.found}"
    )
    if expected == Outcome.FAIL:
        assert finding.found, "a failure must say what was found"
