"""Every criterion has a passing and a failing case (tests/criteria_cases/<ID>.yaml).

Each case is a small repository (plus Azure resources or answers when the criterion reads
them) built in tmp_path; the real collectors run on it and only that criterion is evaluated.
Besides `pass` and `fail`, a file holds one `pass-<idiom>` and one `fail-<idiom>` case for each
idiom the criterion recognises (an SDK v1 pipeline, a DVC stage run by CI...): the expected
outcome is the part before the first hyphen, or the case's `expect:`. A case may start from
another criterion's case (`like: MLL-303:pass`) and add or replace files.
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
    if "like" in case:  # start from another criterion's case: `like: MLL-303:pass`
        other_id, _, other_name = str(case["like"]).partition(":")
        other = load_case(other_id, other_name)
        files.update(other["files"])
        for key in ("azure_resources", "answers", "git"):
            if key in other and key not in case:
                case[key] = other[key]
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
    answers = (
        AnswersEvidence.from_values(case["answers"], source="answers.yml") if "answers" in case else None
    )
    return Evidence(repo=repo, azure=azure, answers=answers)


def _case_names(criterion_id: str) -> list[str]:
    path = CASES / f"{criterion_id}.yaml"
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))) if path.exists() else ["pass", "fail"]


ALL_CASES = [(c, name) for c in MODEL.criteria for name in _case_names(c.id)]


@pytest.mark.parametrize("name", ["pass", "fail"])
@pytest.mark.parametrize("criterion", MODEL.criteria, ids=lambda c: c.id)
def test_every_criterion_has_a_pass_and_a_fail_case(criterion, name: str) -> None:
    load_case(criterion.id, name)


def test_idiom_cases_come_in_pairs() -> None:
    """Every idiom a criterion learns is shown passing and failing."""
    for criterion in MODEL.criteria:
        names = _case_names(criterion.id)
        for name in names:
            assert name.partition("-")[0] in ("pass", "fail"), f"{criterion.id}: case {name!r}"
        idioms = {n.partition("-")[2] for n in names if "-" in n}
        for idiom in idioms:
            assert {f"pass-{idiom}", f"fail-{idiom}"} <= set(names), (
                f"{criterion.id}: idiom {idiom!r} needs both pass-{idiom} and fail-{idiom}"
            )


@pytest.mark.parametrize(("criterion", "name"), ALL_CASES, ids=lambda x: x if isinstance(x, str) else x.id)
def test_criterion_case(criterion, name: str, tmp_path: Path) -> None:
    case = load_case(criterion.id, name)
    finding = evaluate_criterion(criterion, evidence_for(case, tmp_path / "repo"), strict=True)
    expected = Outcome(case.get("expect", name.partition("-")[0]))
    assert finding.outcome == expected, (
        f"{criterion.id} {name} case: expected {expected.value}, got {finding.outcome.value}: {finding.found}"
    )
    if expected == Outcome.FAIL:
        assert finding.found, "a failure must say what was found"
