"""The report for people in a terminal (rich): the verdict, the levels and dimensions (core
capabilities and minor practices met), and what stands between the repository and the next level:
the missing core capabilities first, each with evidence and remedy, then the minor practices."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from mlops_ladder.assessment.engine import Finding, Tally
from mlops_ladder.assessment.render import wording
from mlops_ladder.assessment.render.symbols import STYLE, SYMBOL, WORD, drift_lines, sources_line
from mlops_ladder.assessment.report import Report

MAX_EVIDENCE_LINES = 5
MAX_NOTES = 10


def render(report: Report, *, show_all: bool = False, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    console.print(build(report, show_all=show_all))
    return buffer.getvalue()


def build(report: Report, *, show_all: bool = False) -> Group:
    parts: list = [
        _header(report),
        _verdict(report),
        *_baseline(report),
        Text(""),
        _dimensions(report),
        Text(""),
        _levels(report),
    ]
    if show_all:
        parts += [Text(""), _all_findings(report)]
    parts += _next_level(report)
    parts += _drift(report)
    parts += _answers(report)
    parts += _notes(report)
    return Group(*parts)


def _header(report: Report) -> Text:
    target = report.target
    where = "git" if target.is_git else "plain folder, not a git repository"
    if target.commit:
        where += f" {target.commit[:7]}"
    sources = ", ".join(name for name, s in report.sources.items() if s.collected)
    return Text.assemble(
        ("mlops-ladder ", "bold"),
        (report.tool_version, ""),
        " · ",
        (target.path, "cyan"),
        f" ({where}) · evidence: {sources}",
    )


def _verdict(report: Report) -> Text:
    text = Text.assemble(
        "\n", (f"Level {report.level} of {report.model.max_level}", "bold"), f" · {report.level_name}"
    )
    if report.ceiling > report.level:
        missing = [name for name, s in report.sources.items() if not s.collected]
        how = f" (not collected: {', '.join(missing)})" if missing else ""
        text.append(
            f"\nUp to level {report.ceiling} once the unknown criteria are decided{how}.", style="yellow"
        )
    claims = wording.claims_line(report)
    if claims:
        text.append(f"\n{claims}", style="yellow")
    return text


def _baseline(report: Report) -> list:
    baseline = report.baseline
    if baseline is None:
        return []
    style = "green" if baseline.level_change > 0 else "red" if baseline.level_change < 0 else ""
    parts: list = [
        Text(""),
        Text.assemble((wording.baseline_title(baseline) + ": ", "bold"), (baseline.headline(), style)),
    ]
    for title, changes, mark in (
        ("newly met", baseline.newly_met, ("✔", "green")),
        ("lost", baseline.lost, ("✘", "red")),
        ("other changes", baseline.other, ("~", "yellow")),
    ):
        if changes:
            parts.append(Text(f"  {title}:", style="dim"))
            parts.extend(Text.assemble(f"    {mark[0]} ", wording.change_line(c)) for c in changes)
    return parts


def _answers(report: Report) -> list:
    summary = wording.answers_summary(report)
    if summary is None:
        return []
    parts: list = [Text(f"\n{summary}", style="bold")]
    for f in report.answered:
        parts.append(
            Text.assemble(
                (f"  {SYMBOL[f.outcome]} {f.criterion.id} ", STYLE[f.outcome]),
                f.criterion.name,
                (f" [{wording.answer_label(f)}: {wording.answer_detail(f)}]", "dim"),
            )
        )
    return parts


def _tally(tally: Tally) -> Text:
    """ "3/5" plus what the rest are: "3/5 (1 failed, 1 unknown)"."""
    if not tally.total:
        return Text("-", style="dim")
    text = Text(f"{tally.met}/{tally.total}")
    rest = [f"{n} {word}" for n, word in ((tally.failed, "failed"), (tally.unknown, "unknown")) if n]
    if rest:
        text.append(f" ({', '.join(rest)})", style="dim")
    return text


def _dimensions(report: Report) -> Table:
    table = Table(title="Dimensions", title_justify="left", box=None, pad_edge=False)
    table.add_column("dimension")
    table.add_column("core met")
    table.add_column("minor met")
    for d in report.dimensions:
        table.add_row(d.name, _tally(d.core), _tally(d.minor))
    return table


def _levels(report: Report) -> Table:
    table = Table(
        title="Levels (core capabilities decide a level; minor practices are remedies)",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    table.add_column("")
    table.add_column("level")
    table.add_column("core met")
    table.add_column("minor met")
    for s in report.levels:
        mark = Text("✔", style="green") if s.reached else Text("·", style="dim")
        table.add_row(mark, f"{s.number} {s.name}", _tally(s.core), _tally(s.minor))
    return table


def _next_level(report: Report) -> list:
    target = report.next_level
    if target is None:
        parts: list = [Text("\nLevel 5 reached: every core capability is met.", style="green")]
    else:
        core = report.missing_core()
        name = report.model.level(target).name
        parts = [
            Text.assemble(
                "\n",
                (f"To reach level {target} ({name})", "bold"),
                f", {_count(len(core), 'core capability is', 'core capabilities are')} missing:"
                if core
                else ": no core capability is missing.",
            )
        ]
        for finding in core:
            parts.append(_finding_block(finding))
        minor = report.missing_minor()
        if minor:
            parts.append(
                Text(f"\nMinor practices of level {target} to work on (they do not block it):", style="bold")
            )
            parts.extend(_finding_line(finding) for finding in minor)
    lower = report.lower_minor_unmet()
    if lower:
        parts.append(Text("\nMinor practices of the levels already reached, not met yet:", style="bold"))
        parts.extend(_finding_line(finding) for finding in lower)
    return parts


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _finding_block(finding: Finding) -> Group:
    c = finding.criterion
    lines = [
        Text(""),
        Text.assemble(
            (f"{SYMBOL[finding.outcome]} {c.id} ", STYLE[finding.outcome]),
            (c.name, "bold"),
            (f"  [{c.dimension}, {WORD[finding.outcome]}{_label(finding)}]", "dim"),
        ),
        _field("looked for", c.looks_for),
        _field("found", finding.found),
    ]
    if len(finding.sources) > 1:
        lines.append(_field("sources", sources_line(finding)))
    for ref in finding.evidence[:MAX_EVIDENCE_LINES]:
        lines.append(_field("evidence", f"{ref.location}  {ref.detail}".rstrip()))
    if len(finding.evidence) > MAX_EVIDENCE_LINES:
        lines.append(_field("", f"... and {len(finding.evidence) - MAX_EVIDENCE_LINES} more (--format json)"))
    lines.append(_field("remedy", c.remedy))
    lines.append(_field("explain", f"mlops-ladder explain {c.id}"))
    return Group(*lines)


def _label(finding: Finding) -> str:
    label = wording.answer_label(finding)
    return f", {label}" if label else ""


def _finding_line(finding: Finding) -> Group:
    c = finding.criterion
    return Group(
        Text.assemble(
            (f"  {SYMBOL[finding.outcome]} {c.id} ", STYLE[finding.outcome]),
            c.name,
            (f" — {finding.found}", "dim"),
        ),
        _field("remedy", c.remedy),
    )


def _drift(report: Report) -> list:
    """Drift between the infrastructure code and Azure (only when Azure was scanned)."""
    if report.drift is None:
        return []
    if not report.drift.items and not report.drift.notes:
        return [Text("\nCode and cloud agree: no drift in the ML platform's resources.", style="green")]
    parts: list = [Text(f"\nDrift between code and cloud ({len(report.drift.items)}):", style="bold")]
    parts += [Text(f"  {line}") for line in drift_lines(report.drift)]
    return parts


def _field(label: str, value: str) -> Text:
    return Text.assemble((f"    {label:<12}", "dim"), value)


def _all_findings(report: Report) -> Table:
    table = Table(title="All criteria", title_justify="left", box=None, pad_edge=False)
    table.add_column("")
    table.add_column("id")
    table.add_column("lvl", justify="right")
    table.add_column("core")
    table.add_column("criterion")
    table.add_column("found")
    for f in report.findings:
        c = f.criterion
        table.add_row(
            Text(SYMBOL[f.outcome], style=STYLE[f.outcome]),
            c.id,
            str(c.level),
            "core" if c.core else "minor",
            c.name,
            Text(f.found),  # a Text, not a str: rich would read markup ("[red]") in a file name
        )
    return table


def _notes(report: Report) -> list:
    if not report.notes:
        return []
    parts: list = [Text(f"\nNotes ({len(report.notes)} files could not be fully read):", style="bold")]
    for note in report.notes[:MAX_NOTES]:
        parts.append(Text(f"  {note}", style="dim"))
    if len(report.notes) > MAX_NOTES:
        parts.append(Text(f"  ... and {len(report.notes) - MAX_NOTES} more (--format json)", style="dim"))
    return parts
