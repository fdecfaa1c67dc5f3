"""Sentences every renderer shares, so that the terminal, Markdown, HTML and SARIF forms say the same:
what rests on the team's answers, and what changed since a baseline."""

from __future__ import annotations

from mlops_ladder.assessment.baseline import Baseline, Change
from mlops_ladder.assessment.engine import BASIS_CLAIM, Finding
from mlops_ladder.assessment.report import Report

OUTCOME_WORD = {"pass": "pass", "fail": "fail", "unknown": "unknown", "not_applicable": "n/a", None: "absent"}


def answer_label(finding: Finding) -> str:
    """"claim", "answer", plus ", stale" (empty when the finding rests on evidence)."""
    if not finding.rests_on_answer or finding.answer is None:
        return ""
    label = "claim" if finding.basis == BASIS_CLAIM else "answer"
    return label + (", stale" if finding.answer.is_stale() else "")


def claims_line(report: Report) -> str | None:
    """The verdict's caveat when the level rests on claims: None when it does not."""
    if report.level_on_evidence == report.level:
        return None
    lifted = [
        f.criterion.id
        for f in report.claims
        if f.criterion.core and report.level_on_evidence < f.criterion.level <= report.level
    ]
    return (
        f"On the files alone the level is {report.level_on_evidence}: level {report.level} rests on "
        f"the team's claims for {', '.join(lifted)} (answers, not evidence)."
    )


def answers_summary(report: Report) -> str | None:
    """"5 criteria rest on the team's answers alone (2 claims, 1 stale)." or None."""
    answered = report.answered
    if not answered:
        return None
    claims = len(report.claims)
    stale = sum(1 for f in answered if f.answer is not None and f.answer.is_stale())
    extra = [f"{claims} claim{'s' if claims != 1 else ''}"] if claims else []
    if stale:
        extra.append(f"{stale} stale: ask again with --interactive")
    n = len(answered)
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"{n} {'criterion rests' if n == 1 else 'criteria rest'} on the team's answers alone{tail}."


def answer_detail(finding: Finding) -> str:
    """"yes, by Jane on 2026-11-02 (stale)"."""
    a = finding.answer
    if a is None:
        return ""
    return f"{a.value}, by {a.by} on {a.at.isoformat()}" + (" (stale)" if a.is_stale() else "")


def change_line(change: Change) -> str:
    kind = "core" if change.core else "minor"
    return (
        f"{change.id} {change.name} (level {change.level} {kind}): "
        f"{OUTCOME_WORD[change.before]} -> {OUTCOME_WORD[change.after]}"
    )


def baseline_title(baseline: Baseline) -> str:
    when = baseline.generated_at[:10]
    commit = f" at {baseline.commit[:7]}" if baseline.commit else ""
    return f"Since the baseline ({baseline.source}, {when}{commit})"
