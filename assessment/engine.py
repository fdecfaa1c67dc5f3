"""Evaluate criteria against collected evidence and score the maturity level.

evaluate: each criterion names, per evidence source, a check and its parameters. A source
that was not collected answers UNKNOWN. The sources combine as: any PASS -> PASS; else any
FAIL -> FAIL; else any NOT_APPLICABLE -> NOT_APPLICABLE; else UNKNOWN. So a criterion that
Azure confirms passes even when the repository cannot show it, and UNKNOWN never becomes FAIL.

Answers (the questionnaire) come last: evidence from files or Azure always outranks them. An answer
decides a criterion only when those sources left it UNKNOWN, and the finding says so in its `basis`:
"answer" for the people & process criteria that only people can decide (their `answers` source in
levels/criteria/), "claim" for a criterion the rubric wants shown in the files ("claims are not
evidence"): it counts, and every report labels it, and `evidence_level` gives the level without it.

score: level N is reached when every *core* criterion of levels 1..N is met (PASS or
NOT_APPLICABLE), as an experienced reviewer decides a level by its core capabilities. Minor
criteria never hold a level back: they are counted per level and reported as the remedies to
work on. The ceiling is the level that would be reached if every UNKNOWN core criterion turned
out to pass: it tells how far the unknowns could lift the verdict.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import CheckResult, EvidenceRef, Outcome
from mlops_ladder.levels.catalog import Criterion, MaturityModel, SourceCheck

if TYPE_CHECKING:  # the engine never needs the collectors, only their results
    from mlops_ladder.assessment.evidence.answers_model import Answer, AnswersEvidence
    from mlops_ladder.assessment.evidence.azure_model import AzureEvidence
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

NOT_COLLECTED = {
    "repo": "no repository was scanned",
    "azure": "Azure was not scanned",
    "answers": "the questionnaire was not answered",
}

_PRECEDENCE = (Outcome.PASS, Outcome.FAIL, Outcome.NOT_APPLICABLE, Outcome.UNKNOWN)


@dataclass
class Evidence:
    """Everything collected for one assessment; a source left as None was not collected."""

    repo: RepoEvidence | None = None
    azure: AzureEvidence | None = None
    answers: AnswersEvidence | None = None

    def of(self, source: str) -> Any:
        return getattr(self, source)


@dataclass(frozen=True)
class SourceResult:
    source: str
    check: str
    result: CheckResult


# What decided a finding (Finding.basis)
BASIS_EVIDENCE = "evidence"  # files or Azure
BASIS_ANSWER = "answer"  # the team's answer to a criterion only people can decide
BASIS_CLAIM = "claim"  # the team's answer to a criterion the files could not show: a claim
BASIS_NONE = "none"  # nothing decided it (unknown)


@dataclass(frozen=True)
class Finding:
    criterion: Criterion
    outcome: Outcome
    found: str
    evidence: tuple[EvidenceRef, ...]
    sources: tuple[SourceResult, ...]
    basis: str = BASIS_EVIDENCE
    answer: Answer | None = None  # the answer that decided it (basis answer or claim)

    @property
    def rests_on_answer(self) -> bool:
        return self.basis in (BASIS_ANSWER, BASIS_CLAIM)


@dataclass(frozen=True)
class Tally:
    """How a group of criteria came out: met (pass or not applicable), failed, unknown."""

    total: int = 0
    met: int = 0
    failed: int = 0
    unknown: int = 0

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Tally:
        outcomes = [f.outcome for f in findings]
        return cls(
            total=len(outcomes),
            met=sum(o.is_met for o in outcomes),
            failed=sum(o == Outcome.FAIL for o in outcomes),
            unknown=sum(o == Outcome.UNKNOWN for o in outcomes),
        )


@dataclass(frozen=True)
class LevelStatus:
    number: int
    name: str
    reached: bool
    core: Tally  # the capabilities that decide the level
    minor: Tally  # the practices reported as remedies


@dataclass(frozen=True)
class DimensionStatus:
    """Counts only: a dimension has no level of its own (only the cumulative core rule gives one)."""

    id: str
    name: str
    core: Tally
    minor: Tally


@dataclass(frozen=True)
class Score:
    level: int
    ceiling: int
    levels: tuple[LevelStatus, ...]
    dimensions: tuple[DimensionStatus, ...]


def evaluate_criterion(
    criterion: Criterion,
    evidence: Evidence,
    checks: Mapping[str, Callable[..., CheckResult]] | None = None,
    *,
    strict: bool = False,
) -> Finding:
    checks = _default_checks() if checks is None else checks
    observed = tuple(
        _run_source(spec, criterion, evidence, checks, strict)
        for spec in criterion.evidence
        if spec.source != "answers"
    )
    outcome = _combine(r.result.outcome for r in observed) if observed else Outcome.UNKNOWN
    basis = BASIS_EVIDENCE if outcome != Outcome.UNKNOWN else BASIS_NONE
    answer = None
    results = observed
    declared = next((spec for spec in criterion.evidence if spec.source == "answers"), None)
    asks_people = declared is not None
    if asks_people or (evidence.answers is not None and outcome == Outcome.UNKNOWN):
        spec = declared or SourceCheck("answers", "team_answer")
        answered = _run_source(spec, criterion, evidence, checks, strict)
        results = (*observed, answered)
        if outcome == Outcome.UNKNOWN and answered.result.outcome != Outcome.UNKNOWN:
            outcome = answered.result.outcome
            basis = BASIS_ANSWER if asks_people else BASIS_CLAIM
            answer = evidence.answers.answers.get(criterion.id)
            observed = (answered,)
    deciding = [r for r in (results if basis == BASIS_NONE else observed) if r.result.outcome == outcome]
    if answer is not None:
        label = "the team's answer" if basis == BASIS_ANSWER else "claimed, not shown in the files"
        found = f"{label}: {deciding[0].result.found}"
    else:
        found = "; ".join(_found_line(r, len(results)) for r in (deciding or results))
    refs: list[EvidenceRef] = []
    for r in deciding:
        refs.extend(r.result.evidence)
    return Finding(criterion, outcome, found, tuple(refs), results, basis, answer)


def evaluate(
    model: MaturityModel,
    evidence: Evidence,
    *,
    strict: bool = False,
    checks: Mapping[str, Callable[..., CheckResult]] | None = None,
) -> list[Finding]:
    checks = _default_checks() if checks is None else checks
    return [evaluate_criterion(c, evidence, checks, strict=strict) for c in model.criteria]


def score(model: MaturityModel, findings: Iterable[Finding]) -> Score:
    findings = list(findings)
    core = [f for f in findings if f.criterion.core]
    reached = _highest_level(model.max_level, core, lambda o: o.is_met)
    ceiling = _highest_level(model.max_level, core, lambda o: o.is_met or o == Outcome.UNKNOWN)
    levels = tuple(
        LevelStatus(
            number=level.number,
            name=level.name,
            reached=level.number <= reached,
            core=Tally.of(f for f in core if f.criterion.level == level.number),
            minor=Tally.of(f for f in findings if f.criterion.level == level.number and not f.criterion.core),
        )
        for level in model.levels[1:]
    )
    dimensions = tuple(
        DimensionStatus(
            id=dim.id,
            name=dim.name,
            core=Tally.of(f for f in core if f.criterion.dimension == dim.id),
            minor=Tally.of(f for f in findings if f.criterion.dimension == dim.id and not f.criterion.core),
        )
        for dim in model.dimensions
    )
    return Score(reached, ceiling, levels, dimensions)


def evidence_level(model: MaturityModel, findings: Iterable[Finding]) -> int:
    """The level on evidence alone: what `score` gives when no claim counts (a claim stays unknown)."""
    core = [f for f in findings if f.criterion.core]
    return _highest_level(
        model.max_level, core, lambda o: o.is_met, met=lambda f: f.basis != BASIS_CLAIM
    )


def _highest_level(
    max_level: int,
    core: list[Finding],
    ok: Callable[[Outcome], bool],
    met: Callable[[Finding], bool] = lambda f: True,
) -> int:
    """The highest N such that every core finding of levels 1..N is ok (the cumulative rule);
    a finding *met* rejects counts as not ok."""
    level = 0
    for n in range(1, max_level + 1):
        if all(ok(f.outcome) and met(f) for f in core if f.criterion.level == n):
            level = n
        else:
            break
    return level


def _run_source(
    spec: SourceCheck,
    criterion: Criterion,
    evidence: Evidence,
    checks: Mapping[str, Callable[..., CheckResult]],
    strict: bool,
) -> SourceResult:
    source_evidence = evidence.of(spec.source)
    if source_evidence is None:
        return SourceResult(spec.source, spec.check, CheckResult(Outcome.UNKNOWN, NOT_COLLECTED[spec.source]))
    check = checks[spec.check]
    params = _params(spec, criterion)
    try:
        result = check(source_evidence, **params)
    except Exception as exc:  # a bug in one check must not hide the other 68 verdicts
        if strict:
            raise
        result = CheckResult(Outcome.UNKNOWN, f"check {spec.check} failed: {type(exc).__name__}: {exc}")
    return SourceResult(spec.source, spec.check, result)


def _params(spec: SourceCheck, criterion: Criterion) -> Mapping[str, Any]:
    """The check's parameters; the answers check is told which criterion it decides."""
    return {**spec.params, "criterion_id": criterion.id} if spec.source == "answers" else spec.params


def _combine(outcomes: Iterable[Outcome]) -> Outcome:
    seen = set(outcomes)
    return next((o for o in _PRECEDENCE if o in seen), Outcome.UNKNOWN)


def _found_line(result: SourceResult, n_sources: int) -> str:
    return f"{result.source}: {result.result.found}" if n_sources > 1 else result.result.found


def _default_checks() -> Mapping[str, Callable[..., CheckResult]]:
    from mlops_ladder.assessment.checks.registry import CHECKS

    return CHECKS


def check_signature_problems(
    model: MaturityModel, checks: Mapping[str, Callable[..., Any]] | None = None
) -> list[str]:
    """Criteria whose check is missing or whose parameters the check does not accept (for tests)."""
    checks = _default_checks() if checks is None else checks
    problems = []
    for criterion in model.criteria:
        for spec in criterion.evidence:
            check = checks.get(spec.check)
            if check is None:
                problems.append(f"{criterion.id}: no check named {spec.check!r}")
                continue
            try:
                inspect.signature(check).bind(object(), **_params(spec, criterion))
            except TypeError as exc:
                problems.append(f"{criterion.id}: {spec.check}{tuple(spec.params)}: {exc}")
    return problems


__all__ = [
    "BASIS_ANSWER",
    "BASIS_CLAIM",
    "BASIS_EVIDENCE",
    "BASIS_NONE",
    "DimensionStatus",
    "Evidence",
    "Finding",
    "LevelStatus",
    "Score",
    "Tally",
    "evaluate",
    "evaluate_criterion",
    "evidence_level",
    "score",
]
