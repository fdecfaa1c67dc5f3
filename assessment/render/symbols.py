"""Outcome symbols shared by the text renderers."""

from mlops_ladder.assessment.checks.base import Outcome

SYMBOL = {
    Outcome.PASS: "✔",
    Outcome.FAIL: "✘",
    Outcome.UNKNOWN: "?",
    Outcome.NOT_APPLICABLE: "–",
}

WORD = {
    Outcome.PASS: "pass",
    Outcome.FAIL: "fail",
    Outcome.UNKNOWN: "unknown",
    Outcome.NOT_APPLICABLE: "n/a",
}

STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "red",
    Outcome.UNKNOWN: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}


def sources_line(finding) -> str:
    """ "repo fail · azure pass (decided)": each source's outcome, and which decided the criterion."""
    return " · ".join(
        f"{s.source} {WORD[s.result.outcome]}" + (" (decided)" if s.result.outcome == finding.outcome else "")
        for s in finding.sources
    )


MAX_DRIFT_LINES = 20


def drift_lines(drift, limit: int | None = MAX_DRIFT_LINES) -> list[str]:
    """One line per drift item (settings that differ first), then what could not be compared."""
    items = list(drift.items)
    shown = items if limit is None else items[:limit]
    lines = []
    for item in shown:
        where = item.azure_id or item.iac_location
        lines.append(f"{item.describe()} [{where}]")
    if len(items) > len(shown):
        lines.append(f"... and {len(items) - len(shown)} more (--format json)")
    return lines + list(drift.notes)
