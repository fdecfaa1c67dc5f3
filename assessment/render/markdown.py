"""The report as Markdown, for pull request comments and job summaries."""

from __future__ import annotations

from mlops_ladder.assessment.engine import Finding
from mlops_ladder.assessment.render.symbols import SYMBOL, WORD
from mlops_ladder.assessment.report import Report

MARKER = "<!-- mlops-ladder report -->"


def render(report: Report, *, show_all: bool = False) -> str:
    lines = [
        MARKER,
        f"# MLOps maturity: level {report.level} of {report.model.max_level} ({report.level_name})",
        "",
        f"`{report.target.path}`" + (f" at `{report.target.commit[:7]}`" if report.target.commit else ""),
        f"· mlops-ladder {report.tool_version} · {report.generated_at}",
        "",
    ]
    if report.ceiling > report.level:
        lines += [f"> Up to level {report.ceiling} once the unknown criteria are decided.", ""]
    lines += ["| Dimension | Level | Met | Failed | Unknown |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {d.name} | {d.level} | {d.met} | {d.failed} | {d.unknown} |" for d in report.dimensions]
    lines += ["", "| Level | Reached | Required met | Failed | Unknown |", "|---|:---:|---:|---:|---:|"]
    lines += [
        f"| {s.number} {s.name} | {'✔' if s.reached else ''} | {s.met}/{s.required} "
        f"| {s.failed} | {s.unknown} |"
        for s in report.levels
    ]
    if report.next_level is not None:
        blocking = report.blocking()
        lines += ["", f"## To reach level {report.next_level}", ""]
        if not blocking:
            lines.append("Nothing required blocks it.")
        for finding in blocking:
            lines += _finding(finding)
    findings = report.findings if show_all else report.advisory_unmet()
    if findings:
        lines += ["", "## All criteria" if show_all else "## Advisory at the next level", ""]
        lines += ["| | Id | Criterion | Found |", "|---|---|---|---|"]
        lines += [
            f"| {SYMBOL[f.outcome]} | {f.criterion.id} | {_cell(f.criterion.name)} | {_cell(f.found)} |"
            for f in findings
        ]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- `{n.path}`: {n.reason}" for n in report.notes]
    return "\n".join(lines) + "\n"


def _finding(finding: Finding) -> list[str]:
    c = finding.criterion
    lines = [
        f"### {SYMBOL[finding.outcome]} {c.id}: {c.name} ({WORD[finding.outcome]})",
        "",
        f"- **Looked for:** {c.looks_for}",
        f"- **Found:** {finding.found}",
    ]
    lines += [f"- **Evidence:** `{e.location}` {e.detail}".rstrip() for e in finding.evidence[:10]]
    lines += [f"- **Remedy:** {c.remedy}", ""]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
