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
