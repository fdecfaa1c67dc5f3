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
    """Settings that differ and resources declared but missing, one line each; resources made by
    hand grouped by type; then what could not be compared. The JSON report has every id."""
    lines, by_hand = [], {}
    for item in drift.items:
        if item.kind == "unmanaged":
            by_hand.setdefault(item.type, []).append(item.name)
        else:
            where = item.azure_id if item.kind == "setting" else item.iac_location
            lines.append(f"{item.describe()} [{where}]")
    for resource_type, names in by_hand.items():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        what = "exists" if len(names) == 1 else "exist"
        lines.append(f"{len(names)} {resource_type} {what} in Azure but no infrastructure code declares "
                     f"{'it' if len(names) == 1 else 'them'}: {shown}")
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more (--format json)"]
    return lines + list(drift.notes)
