"""The report as Markdown, for pull request comments and job summaries.

The first line is MARKER, which tells `assess --output` that the file is a report it may replace
(assessment/report_files.py). Text from the repository is already printable (one line, no control
characters: report.py); here it is also kept from being read as Markdown: paths go in code spans
fenced longer than any backtick run they hold, and `<` is written `&lt;` elsewhere (a file name
with `<!--` would hide the rest of a pull request comment).
"""

from __future__ import annotations

import re

from mlops_ladder.assessment.engine import Finding, Tally
from mlops_ladder.assessment.render import wording
from mlops_ladder.assessment.render.symbols import SYMBOL, WORD, drift_lines, sources_line
from mlops_ladder.assessment.report import Report
from mlops_ladder.assessment.report_files import marker_line

MARKER = marker_line()


def render(report: Report, *, show_all: bool = False) -> str:
    lines = [
        MARKER,
        f"# MLOps maturity: level {report.level} of {report.model.max_level} ({report.level_name})",
        "",
        _code(report.target.path) + (f" at `{report.target.commit[:7]}`" if report.target.commit else ""),
        f"· mlops-ladder {report.tool_version} · {report.generated_at}",
        "",
    ]
    if report.ceiling > report.level:
        lines += [f"> Up to level {report.ceiling} once the unknown criteria are decided.", ""]
    claims = wording.claims_line(report)
    if claims:
        lines += [f"> **{claims}**", ""]
    lines += baseline_section(report)
    lines += [
        "Core capabilities decide a level; minor practices are the remedies to work on.",
        "",
        "| Level | Reached | Core met | Minor met |",
        "|---|:---:|---:|---:|",
    ]
    lines += [
        f"| {s.number} {s.name} | {'✔' if s.reached else ''} | {_tally(s.core)} | {_tally(s.minor)} |"
        for s in report.levels
    ]
    lines += ["", "| Dimension | Core met | Minor met |", "|---|---:|---:|"]
    lines += [f"| {d.name} | {_tally(d.core)} | {_tally(d.minor)} |" for d in report.dimensions]
    if report.next_level is not None:
        core = report.missing_core()
        lines += ["", f"## To reach level {report.next_level}", ""]
        if not core:
            lines.append("No core capability is missing.")
        else:
            lines += [f"### Core capabilities missing ({len(core)})", ""]
        for finding in core:
            lines += _finding(finding)
        minor = report.missing_minor()
        if minor:
            lines += [f"### Minor practices to work on ({len(minor)})", ""]
            lines += [_finding_item(f) for f in minor]
    lower = report.lower_minor_unmet()
    if lower:
        lines += ["", "## Minor practices of the levels reached, not met yet", ""]
        lines += [_finding_item(f) for f in lower]
    if show_all:
        lines += ["", "## All criteria", ""]
        lines += ["| | Id | Level | Kind | Criterion | Found |", "|---|---|---:|---|---|---|"]
        lines += [
            f"| {SYMBOL[f.outcome]} | {f.criterion.id} | {f.criterion.level} | "
            f"{'core' if f.criterion.core else 'minor'} | {_cell(f.criterion.name)} | {_cell(f.found)} |"
            for f in report.findings
        ]
    if report.drift is not None:
        lines += ["", f"## Drift between code and cloud ({len(report.drift.items)})", ""]
        lines += [f"- {_cell(line)}" for line in drift_lines(report.drift, limit=None)] or ["No drift."]
    lines += _answers(report)
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {_code(n.path)}: {_prose(n.reason)}" for n in report.notes]
    return "\n".join(lines) + "\n"


def baseline_section(report: Report) -> list[str]:
    """What changed since the baseline, first in the report: what a pull-request comment needs."""
    baseline = report.baseline
    if baseline is None:
        return []
    arrow = "⬆️" if baseline.level_change > 0 else "⬇️" if baseline.level_change < 0 else "➡️"
    lines = [f"## {wording.baseline_title(baseline)}", "", f"{arrow} **{baseline.headline()}**", ""]
    if baseline.unchanged:
        return [*lines, "No criterion changed.", ""]
    lines += ["| | Criterion | Level | Before | Now |", "|---|---|---:|---|---|"]
    for mark, changes in (("✔ met", baseline.newly_met), ("✘ lost", baseline.lost), ("~", baseline.other)):
        lines += [
            f"| {mark} | **{c.id}** {_cell(c.name)} | {c.level} {'core' if c.core else 'minor'} | "
            f"{wording.OUTCOME_WORD[c.before]} | {wording.OUTCOME_WORD[c.after]} |"
            for c in changes
        ]
    return [*lines, ""]


def _answers(report: Report) -> list[str]:
    summary = wording.answers_summary(report)
    if summary is None:
        return []
    lines = ["", "## Resting on the team's answers", "", summary, ""]
    lines += [
        f"- {SYMBOL[f.outcome]} **{f.criterion.id}** {_cell(f.criterion.name)}: "
        f"*{wording.answer_label(f)}* ({_cell(wording.answer_detail(f))})"
        for f in report.answered
    ]
    return lines


def _tally(tally: Tally) -> str:
    if not tally.total:
        return "-"
    rest = [f"{n} {word}" for n, word in ((tally.failed, "failed"), (tally.unknown, "unknown")) if n]
    return f"{tally.met}/{tally.total}" + (f" ({', '.join(rest)})" if rest else "")


def _finding(finding: Finding) -> list[str]:
    c = finding.criterion
    lines = [
        f"#### {SYMBOL[finding.outcome]} {c.id}: {c.name} ({WORD[finding.outcome]}{_label(finding)})",
        "",
        f"- **Looked for:** {c.looks_for}",
        f"- **Found:** {_prose(finding.found)}",
    ]
    if len(finding.sources) > 1:
        lines.append(f"- **Sources:** {_prose(sources_line(finding))}")
    lines += [
        f"- **Evidence:** {_code(e.location)} {_prose(e.detail)}".rstrip() for e in finding.evidence[:10]
    ]
    lines += [f"- **Remedy:** {c.remedy}", ""]
    return lines


def _label(finding: Finding) -> str:
    label = wording.answer_label(finding)
    return f", {label}" if label else ""


def _finding_item(finding: Finding) -> str:
    c = finding.criterion
    return (
        f"- {SYMBOL[finding.outcome]} **{c.id}** {_cell(c.name)} (level {c.level}): {_cell(finding.found)}. "
        f"*Remedy:* {_cell(c.remedy)}"
    )


def _cell(text: str) -> str:
    return _prose(text).replace("|", "\\|").replace("\n", " ")


def _prose(text: str) -> str:
    return text.replace("<", "&lt;")


def _code(text: str) -> str:
    """*text* as a code span: fenced by more backticks than its longest run, padded when it starts
    or ends with one (CommonMark's rule)."""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_BACKTICKS = re.compile("`+")
