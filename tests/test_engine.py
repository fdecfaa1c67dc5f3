"""Gating and unknown handling of the scoring engine, on a small model built in the test."""

from __future__ import annotations

from mlops_ladder.assessment.checks.base import CheckResult, Outcome
from mlops_ladder.assessment.engine import Evidence, evaluate, evaluate_criterion, score
from mlops_ladder.levels.catalog import Criterion, Dimension, Level, MaturityModel, SourceCheck


def fixed(outcome: Outcome):
    def check(evidence, **params) -> CheckResult:
        return CheckResult(outcome, f"fixed {outcome.value}")

    return check


CHECKS = {o.value: fixed(o) for o in Outcome}


def criterion(ident: str, level: int, outcome: str, *, core: bool = True, sources=("repo",)) -> Criterion:
    return Criterion(
        id=ident,
        name=ident,
        level=level,
        dimension="d1" if level % 2 else "d2",
        core=core,
        looks_for="x",
        evidence=tuple(SourceCheck(s, outcome) for s in sources),
        remedy="fix it",
        layer="l",
        refs=("r",),
    )


def model(*criteria: Criterion) -> MaturityModel:
    return MaturityModel(
        levels=tuple(Level(n, f"L{n}", "") for n in range(6)),
        dimensions=(Dimension("d1", "D1", ""), Dimension("d2", "D2", "")),
        layers=(),
        criteria=criteria,
        sources={},
    )


EVIDENCE = Evidence(repo=object())


def run(m: MaturityModel):
    return score(m, evaluate(m, EVIDENCE, checks=CHECKS, strict=True))


def test_level_is_highest_with_all_core_met_cumulatively() -> None:
    m = model(
        criterion("a", 1, "pass"),
        criterion("b", 2, "pass"),
        criterion("c", 3, "fail"),
        criterion("d", 4, "pass"),
    )
    s = run(m)
    assert s.level == 2
    assert s.ceiling == 2
    assert [lv.reached for lv in s.levels] == [True, True, False, False, False]


def test_a_lower_gap_blocks_higher_levels_even_when_they_pass() -> None:
    s = run(model(criterion("a", 1, "fail"), criterion("b", 2, "pass"), criterion("c", 3, "pass")))
    assert s.level == 0


def test_unknown_is_not_a_failure_but_does_not_reach_the_level() -> None:
    s = run(model(criterion("a", 1, "pass"), criterion("b", 2, "unknown"), criterion("c", 3, "pass")))
    assert s.level == 1
    assert s.ceiling == 5
    assert s.levels[1].core.unknown == 1 and s.levels[1].core.failed == 0


def test_minor_criteria_never_block_and_are_counted_apart() -> None:
    s = run(
        model(criterion("a", 1, "pass"), criterion("b", 1, "fail", core=False), criterion("c", 2, "pass"))
    )
    assert s.level == 5
    assert (s.levels[0].core.total, s.levels[0].core.met) == (1, 1)
    assert (s.levels[0].minor.total, s.levels[0].minor.failed) == (1, 1)


def test_unknown_minor_criteria_do_not_limit_the_ceiling() -> None:
    s = run(
        model(criterion("a", 1, "pass"), criterion("b", 2, "fail"), criterion("c", 2, "unknown", core=False))
    )
    assert (s.level, s.ceiling) == (1, 1)


def test_not_applicable_counts_as_met() -> None:
    assert run(model(criterion("a", 1, "not_applicable"), criterion("b", 2, "fail"))).level == 1


def test_sources_combine_pass_over_fail_over_not_applicable_over_unknown() -> None:
    def combined(*outcomes: str) -> Outcome:
        sources = ("repo", "azure")[: len(outcomes)]
        c = Criterion(
            "x",
            "x",
            1,
            "d1",
            True,
            "x",
            tuple(SourceCheck(s, o) for s, o in zip(sources, outcomes, strict=True)),
            "r",
            "l",
            (),
        )
        ev = Evidence(repo=object(), azure=object())
        return evaluate_criterion(c, ev, CHECKS, strict=True).outcome

    assert combined("fail", "pass") == Outcome.PASS
    assert combined("unknown", "fail") == Outcome.FAIL
    assert combined("not_applicable", "unknown") == Outcome.NOT_APPLICABLE
    assert combined("not_applicable", "fail") == Outcome.FAIL
    assert combined("unknown", "unknown") == Outcome.UNKNOWN


def test_a_source_that_was_not_collected_is_unknown_with_the_reason() -> None:
    c = criterion("a", 1, "pass", sources=("azure",))
    finding = evaluate_criterion(c, Evidence(repo=object()), CHECKS, strict=True)
    assert finding.outcome == Outcome.UNKNOWN
    assert "Azure was not scanned" in finding.found


def test_a_crashing_check_is_reported_unknown_and_does_not_stop_the_rest() -> None:
    def boom(evidence, **params):
        raise RuntimeError("bug")

    c = Criterion("a", "a", 1, "d1", True, "x", (SourceCheck("repo", "boom"),), "r", "l", ())
    finding = evaluate_criterion(c, EVIDENCE, {"boom": boom})
    assert finding.outcome == Outcome.UNKNOWN
    assert "RuntimeError: bug" in finding.found


def test_dimensions_count_core_and_minor_criteria_and_have_no_level_of_their_own() -> None:
    # d1 holds odd levels, d2 even ones.
    s = run(
        model(
            criterion("a", 1, "pass"),
            criterion("b", 2, "fail"),
            criterion("c", 3, "pass"),
            criterion("d", 3, "unknown", core=False),
        )
    )
    dims = {
        d.id: (d.core.total, d.core.met, d.core.failed, d.minor.total, d.minor.unknown) for d in s.dimensions
    }
    assert dims == {"d1": (2, 2, 0, 1, 1), "d2": (1, 0, 1, 0, 0)}
    assert not hasattr(s.dimensions[0], "level")


# -- answers: evidence outranks them; an answer alone is labelled ---------------------------------
def _answers(**values):
    from mlops_ladder.assessment.evidence.answers_model import AnswersEvidence

    return AnswersEvidence.from_values(values, source=".mlops-ladder/answers.yml")


def _with_team_answer():
    from mlops_ladder.assessment.checks.answers import team_answer

    return {**CHECKS, "team_answer": team_answer}


def test_an_answer_decides_only_what_files_and_azure_left_unknown() -> None:
    checks = _with_team_answer()
    for repo_outcome, answer, expected, basis in [
        ("fail", "yes", Outcome.FAIL, "evidence"),  # evidence outranks the answer
        ("pass", "no", Outcome.PASS, "evidence"),
        ("unknown", "yes", Outcome.PASS, "claim"),  # a claim: the rubric wants it in the files
        ("unknown", "no", Outcome.FAIL, "claim"),
        ("unknown", "unsure", Outcome.UNKNOWN, "none"),
    ]:
        c = criterion("MLL-201", 2, repo_outcome)
        finding = evaluate_criterion(
            c, Evidence(repo=object(), answers=_answers(**{"MLL-201": answer})), checks, strict=True
        )
        assert (finding.outcome, finding.basis) == (expected, basis), (repo_outcome, answer)
        if basis == "claim":
            assert finding.found.startswith("claimed, not shown in the files: test answered")
            assert finding.evidence[0].location == ".mlops-ladder/answers.yml"
            assert finding.answer is not None and finding.rests_on_answer


def test_a_people_criterion_rests_on_an_answer_not_a_claim() -> None:
    c = Criterion(
        "MLL-319", "rollback", 3, "d1", False, "x", (SourceCheck("answers", "team_answer"),), "r", "l", ()
    )
    checks = _with_team_answer()
    finding = evaluate_criterion(c, Evidence(repo=object(), answers=_answers(**{"MLL-319": True})), checks)
    assert (finding.outcome, finding.basis) == (Outcome.PASS, "answer")
    assert finding.found.startswith("the team's answer: test answered yes on ")
    unanswered = evaluate_criterion(c, Evidence(repo=object()), checks)
    assert (unanswered.outcome, unanswered.basis) == (Outcome.UNKNOWN, "none")
    assert "the questionnaire was not answered" in unanswered.found


def test_claims_lift_the_level_but_the_level_on_evidence_alone_is_kept() -> None:
    from mlops_ladder.assessment.engine import evidence_level

    m = model(criterion("MLL-101", 1, "pass"), criterion("MLL-201", 2, "unknown"), criterion("c", 3, "fail"))
    findings = evaluate(
        m, Evidence(repo=object(), answers=_answers(**{"MLL-201": "yes"})), checks=_with_team_answer()
    )
    assert score(m, findings).level == 2
    assert evidence_level(m, findings) == 1


def test_a_stale_answer_says_so() -> None:
    from datetime import date, timedelta

    from mlops_ladder.assessment.checks.answers import team_answer
    from mlops_ladder.assessment.evidence.answers_model import ANSWER_MAX_AGE_DAYS, AnswersEvidence

    old = date.today() - timedelta(days=ANSWER_MAX_AGE_DAYS + 1)
    answers = AnswersEvidence.from_values({"MLL-319": "yes"}, at=old)
    result = team_answer(answers, criterion_id="MLL-319")
    assert result.outcome == Outcome.PASS
    assert f"{ANSWER_MAX_AGE_DAYS + 1} days ago (stale" in result.found
    assert answers.answers["MLL-319"].is_stale()
    assert not AnswersEvidence.from_values({"MLL-319": "yes"}).answers["MLL-319"].is_stale()
