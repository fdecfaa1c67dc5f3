"""A portfolio of repositories: a table (terminal, Markdown), JSON lines (one repository a line) and
an HTML heat map of repositories against dimensions, each row linking to that repository's report."""

from __future__ import annotations

import io
import json
from html import escape
from typing import Any

from mlops_ladder import __version__
from mlops_ladder.assessment.engine import DimensionStatus
from mlops_ladder.assessment.portfolio import Row
from mlops_ladder.assessment.render.html import page
from mlops_ladder.levels.catalog import load_model

MARKER = "<!-- mlops-ladder portfolio -->"


def render(rows: list[Row], fmt: str, *, color: bool = False, links: bool = False) -> str:
    if fmt == "json":
        return jsonl(rows, links=links)
    if fmt == "markdown":
        return markdown(rows)
    if fmt == "html":
        return html(rows, links=links)
    return terminal(rows, color=color)


def jsonl(rows: list[Row], *, links: bool = False) -> str:
    """One JSON object per repository, in the order given (`jq`-friendly)."""
    return "".join(json.dumps(_row_dict(row, links), ensure_ascii=False) + "\n" for row in rows)


def _row_dict(row: Row, links: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"tool": "mlops-ladder", "source": row.source, "name": row.name, "kind": row.kind}
    r = row.report
    if r is None:
        return {**out, "error": row.error}
    out.update(
        level=r.level,
        level_name=r.level_name,
        level_on_evidence=r.level_on_evidence,
        ceiling=r.ceiling,
        commit=r.target.commit,
        generated_at=r.generated_at,
        dimensions={d.id: _dim_dict(d) for d in r.dimensions},
        gap_core=[f.criterion.id for f in r.missing_core()],
        error=None,
    )
    if row.kind == "scanned":
        out["seconds"] = round(row.seconds, 3)
    if links:
        out["report"] = f"reports/{row.slug}.html"
    return out


def _dim_dict(d: DimensionStatus) -> dict[str, int]:
    return {
        "core_met": d.core.met,
        "core_total": d.core.total,
        "minor_met": d.minor.met,
        "minor_total": d.minor.total,
    }


def markdown(rows: list[Row]) -> str:
    model = load_model()
    dims = model.dimensions
    lines = [
        MARKER,
        f"# MLOps maturity portfolio: {len(rows)} repositories",
        "",
        _summary(rows),
        "",
        "| Repository | Level | " + " | ".join(d.name for d in dims) + " | Next level needs |",
        "|---|---:|" + "---:|" * len(dims) + "---|",
    ]
    for row in rows:
        if row.report is None:
            empty = " | ".join("" for _ in dims)
            lines.append(f"| {_cell(row.name)} | error | {empty} | {_cell(row.error)} |")
            continue
        r = row.report
        by_id = {d.id: d for d in r.dimensions}
        cells = [_share(by_id.get(d.id)) for d in dims]
        gap = ", ".join(f.criterion.id for f in r.missing_core()) or "-"
        lines.append(f"| {_cell(row.name)} | {r.level} | " + " | ".join(cells) + f" | {gap} |")
    lines += ["", "Cells: criteria met of the dimension (core and minor together)."]
    return "\n".join(lines) + "\n"


def terminal(rows: list[Row], *, color: bool = False, width: int = 140) -> str:
    from rich.console import Console
    from rich.table import Table

    model = load_model()
    table = Table(title=_summary(rows), title_justify="left", box=None, pad_edge=False)
    table.add_column("repository")
    table.add_column("level", justify="right")
    for d in model.dimensions:
        table.add_column(d.name.split(" ")[0].lower(), justify="right")
    table.add_column("next level needs")
    for row in rows:
        if row.report is None:
            table.add_row(row.name, "[red]error[/red]", *["" for _ in model.dimensions], row.error or "")
            continue
        by_id = {d.id: d for d in row.report.dimensions}
        gap = ", ".join(f.criterion.id for f in row.report.missing_core()) or "-"
        shares = [_share(by_id.get(d.id)) for d in model.dimensions]
        table.add_row(row.name, str(row.report.level), *shares, gap)
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False).print(table)
    return buffer.getvalue()


def html(rows: list[Row], *, links: bool = False) -> str:
    model = load_model()
    dims = model.dimensions
    head = "".join(f"<th>{escape(d.name)}</th>" for d in dims)
    body = []
    for row in rows:
        name = escape(row.name)
        if links and row.report is not None:
            name = f'<a href="reports/{escape(row.slug)}.html">{name}</a>'
        if row.report is None:
            body.append(
                f"<tr><th scope=\"row\">{name}</th><td class=\"err\">error</td>"
                f"<td colspan=\"{len(dims)}\" class=\"err\">{escape(row.error or '')}</td></tr>"
            )
            continue
        by_id = {d.id: d for d in row.report.dimensions}
        cells = "".join(_heat_cell(by_id.get(d.id)) for d in dims)
        body.append(
            f'<tr><th scope="row">{name}</th><td class="lvl">{row.report.level}</td>{cells}</tr>'
        )
    style = (
        "<style>.heat td{text-align:center;font-variant-numeric:tabular-nums;color:#1f2328}"
        ".heat td.lvl{font-size:20px;font-weight:700}.heat td.err{color:#cf222e;text-align:left}"
        ".heat td small{display:block;color:#1f2328;opacity:.8}</style>"
    )
    content = (
        f"{MARKER}{style}<h1>MLOps maturity portfolio</h1><p class=\"meta\">{escape(_summary(rows))}</p>"
        '<p class="muted">Each cell: criteria met in that dimension (core and minor); the colour runs from '
        "red (none met) to green (all met). A repository's name opens its own report.</p>"
        f'<table class="heat"><tr><th>Repository</th><th>Level</th>{head}</tr>{"".join(body)}</table>'
    )
    return page(f"MLOps maturity portfolio ({len(rows)} repositories)", content, __version__)


def _heat_cell(d: DimensionStatus | None) -> str:
    if d is None or not (d.core.total + d.minor.total):
        return '<td style="background:#eaeef2">-</td>'
    share = (d.core.met + d.minor.met) / (d.core.total + d.minor.total)
    hue = round(120 * share)  # 0 red .. 120 green
    core = f"core {d.core.met}/{d.core.total}" if d.core.total else "no core"
    title = f"{core}, minor {d.minor.met}/{d.minor.total}"
    return (
        f'<td style="background:hsl({hue},70%,80%)" title="{escape(title)}">'
        f"{round(100 * share)}%<small>{escape(core)}</small></td>"
    )


def _share(d: DimensionStatus | None) -> str:
    if d is None or not (d.core.total + d.minor.total):
        return "-"
    return f"{d.core.met + d.minor.met}/{d.core.total + d.minor.total}"


def _summary(rows: list[Row]) -> str:
    levels = [r.report.level for r in rows if r.report is not None]
    errors = sum(1 for r in rows if r.report is None)
    counts = ", ".join(f"level {n}: {levels.count(n)}" for n in range(6) if levels.count(n))
    text = f"{len(rows)} repositories" + (f" ({counts})" if counts else "")
    return text + (f"; {errors} could not be assessed" if errors else "")


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")
