"""The report as one self-contained HTML file: the level ladder, a chart per dimension, the gap to the
next level with remedies, what rests on the team's answers, and every criterion with its evidence
linked to the file (on the repository's web page at the assessed commit, or on this machine).

No script, no font, no image, no network: the style is inlined and a Content-Security-Policy forbids
loading anything, so the file opens the same offline, from an artifact store or an e-mail.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files

from mlops_ladder.assessment.engine import Finding, Tally
from mlops_ladder.assessment.render import wording
from mlops_ladder.assessment.render.links import file_link
from mlops_ladder.assessment.render.symbols import WORD
from mlops_ladder.assessment.report import Report
from mlops_ladder.assessment.report_files import marker_line

# The marker comment after the doctype is how `--output` recognises our HTML files (report_files.py);
# <meta name="generator" content="mlops-ladder X.Y.Z"> says which version wrote it.
GENERATOR = "mlops-ladder"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_EVIDENCE = 10


def render(report: Report, *, show_all: bool = True) -> str:
    title = f"MLOps maturity: level {report.level} · {report.target.path}"
    body = [
        _header(report),
        _baseline(report),
        _ladder(report),
        _dimensions(report),
        _gap(report),
        _answers(report),
        _all_criteria(report),
        _notes(report),
    ]
    return page(title, "".join(body), report.tool_version)


def page(title: str, body: str, version: str) -> str:
    """A complete HTML document with the shared style (the portfolio uses it too)."""
    css = files("mlops_ladder.assessment.render").joinpath("report.css").read_text(encoding="utf-8")
    return (
        f"<!DOCTYPE html>\n{marker_line()}\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta name="generator" content="{GENERATOR} {escape(version)}">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _header(report: Report) -> str:
    t = report.target
    where = f"<code>{escape(t.path)}</code>"
    if t.commit:
        commit = escape(t.commit[:7])
        if t.remote:
            where += f' at <a href="{escape(t.remote)}/commit/{escape(t.commit)}">{commit}</a>'
        else:
            where += f" at <code>{commit}</code>"
    sources = ", ".join(f"{escape(name)}: {escape(s.detail)}" for name, s in report.sources.items())
    parts = [
        "<header><h1>MLOps maturity</h1>",
        f'<p class="meta">{where} · mlops-ladder {escape(report.tool_version)} · '
        f"{escape(report.generated_at)}</p>",
        f'<div class="verdict"><div class="big">{report.level}</div><div><strong>Level {report.level} of '
        f"{report.model.max_level}: {escape(report.level_name)}</strong><br>"
        f'<span class="muted">Evidence: {sources}</span></div></div>',
    ]
    if report.ceiling > report.level:
        parts.append(
            f'<p class="callout">Up to level {report.ceiling} once the unknown criteria are decided.</p>'
        )
    claims = wording.claims_line(report)
    if claims:
        parts.append(f'<p class="callout bad">{escape(claims)}</p>')
    parts.append("</header>")
    return "".join(parts)


def _baseline(report: Report) -> str:
    b = report.baseline
    if b is None:
        return ""
    kind = "good" if b.level_change > 0 else "bad" if b.level_change < 0 else ""
    rows = "".join(
        f"<tr><td>{mark}</td><td><strong>{escape(c.id)}</strong> {escape(c.name)}</td>"
        f"<td>{c.level} {'core' if c.core else 'minor'}</td>"
        f"<td>{escape(wording.OUTCOME_WORD[c.before])}</td><td>{escape(wording.OUTCOME_WORD[c.after])}</td></tr>"
        for mark, changes in (("newly met", b.newly_met), ("lost", b.lost), ("changed", b.other))
        for c in changes
    )
    table = (
        "<table><tr><th></th><th>Criterion</th><th>Level</th><th>Before</th><th>Now</th></tr>"
        f"{rows}</table>"
        if rows
        else "<p>No criterion changed.</p>"
    )
    return (
        f'<section id="baseline"><h2>{escape(wording.baseline_title(b))}</h2>'
        f'<p class="callout {kind}"><strong>{escape(b.headline())}</strong></p>{table}</section>'
    )


def _ladder(report: Report) -> str:
    items = []
    for s in report.levels:
        css = "reached" if s.reached else "next" if s.number == report.next_level else ""
        items.append(
            f'<li class="{css}"><span class="n">{s.number}</span>'
            f"<span><strong>{escape(s.name)}</strong>{' ✔' if s.reached else ''}</span>"
            f"<span>core met {_tally(s.core)}</span><span>minor met {_tally(s.minor)}</span></li>"
        )
    return (
        '<section id="ladder"><h2>The ladder</h2><p class="muted">Core capabilities decide a level (and '
        "those of every lower level); minor practices are the remedies to work on.</p>"
        f'<ol class="ladder">{"".join(items)}</ol></section>'
    )


def _dimensions(report: Report) -> str:
    cards = "".join(
        f'<div class="dim"><h3>{escape(d.name)}</h3>{chart(d.core, d.minor, d.name)}</div>'
        for d in report.dimensions
    )
    legend = '<p class="legend"><span class="l-pass">met</span><span class="l-fail">failed</span>' \
        '<span class="l-unknown">unknown</span></p>'
    return f'<section id="dimensions"><h2>Dimensions</h2>{legend}<div class="dims">{cards}</div></section>'


def chart(core: Tally, minor: Tally, label: str) -> str:
    """An inline SVG: one stacked bar for the core capabilities and one for the minor practices."""
    width, bar = 300, 18
    rows = []
    for i, (name, tally) in enumerate((("core", core), ("minor", minor))):
        y = 4 + i * 30
        rows.append(f'<text x="0" y="{y + 13}">{name}</text>')
        x = 44.0
        span = width - 44 - 56
        if not tally.total:
            rows.append(f'<rect class="seg-empty" x="{x}" y="{y}" width="{span}" height="{bar}" rx="3"/>')
        for css, n in (("seg-pass", tally.met), ("seg-fail", tally.failed), ("seg-unknown", tally.unknown)):
            if tally.total and n:
                w = span * n / tally.total
                rows.append(f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}"/>')
                x += w
        rows.append(f'<text x="{width - 50}" y="{y + 13}">{_tally(tally)}</text>')
    aria = f"{label}: core {_tally(core)}, minor {_tally(minor)} met"
    return (
        f'<svg class="chart" role="img" aria-label="{escape(aria)}" width="{width}" height="64" '
        f'viewBox="0 0 {width} 64" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
    )


def _gap(report: Report) -> str:
    if report.next_level is None:
        return '<section id="gap"><h2>Level 5 reached</h2><p>Every core capability is met.</p></section>'
    target = report.next_level
    core = report.missing_core()
    name = escape(report.model.level(target).name)
    parts = [f'<section id="gap"><h2>To reach level {target} ({name})</h2>']
    if core:
        parts.append(f"<h3>Core capabilities missing ({len(core)})</h3>")
        parts += [_finding(report, f) for f in core]
    else:
        parts.append("<p>No core capability is missing.</p>")
    minor = report.missing_minor()
    if minor:
        parts.append(f"<h3>Minor practices to work on ({len(minor)})</h3>")
        parts += [_finding(report, f) for f in minor]
    lower = report.lower_minor_unmet()
    if lower:
        parts.append(f"<h3>Minor practices of the levels reached, not met yet ({len(lower)})</h3>")
        parts += [_finding(report, f) for f in lower]
    parts.append("</section>")
    return "".join(parts)


def _finding(report: Report, f: Finding, *, anchor: bool = False) -> str:
    """One criterion's card; *anchor* gives it the id links point at (once per page: "Every criterion")."""
    c = f.criterion
    label = wording.answer_label(f)
    badges = f'<span class="badge {f.outcome.value}">{WORD[f.outcome]}</span>'
    if label:
        words = [part.strip() for part in label.split(",")]
        badges += "".join(f' <span class="badge {word}">{word}</span>' for word in words)
    evidence = _evidence(report, f)
    ident = f' id="{escape(c.id)}"' if anchor else ""
    return (
        f'<div class="finding {f.outcome.value}"{ident}><strong>{escape(c.id)}</strong> '
        f"{escape(c.name)} {badges} <span class=\"muted\">level {c.level} {'core' if c.core else 'minor'}"
        f" · {escape(c.dimension)}</span><dl><dt>Looked for</dt><dd>{escape(c.looks_for)}</dd>"
        f"<dt>Found</dt><dd>{escape(f.found)}</dd>"
        + (f"<dt>Evidence</dt><dd>{evidence}</dd>" if evidence else "")
        + f"<dt>Remedy</dt><dd>{escape(c.remedy)}</dd>"
        f"<dt>More</dt><dd><code>mlops-ladder explain {escape(c.id)}</code></dd></dl></div>"
    )


def _evidence(report: Report, f: Finding) -> str:
    if not f.evidence:
        return ""
    items = []
    for ref in f.evidence[:MAX_EVIDENCE]:
        link = file_link(report.target, ref.location)
        where = (
            f'<a href="{escape(link)}"><code>{escape(ref.location)}</code></a>'
            if link
            else f"<code>{escape(ref.location)}</code>"
        )
        items.append(f"<li>{where} {escape(ref.detail)}</li>")
    more = len(f.evidence) - MAX_EVIDENCE
    if more > 0:
        items.append(f'<li class="muted">... and {more} more (--format json)</li>')
    return f'<ul class="evidence">{"".join(items)}</ul>'


def _answers(report: Report) -> str:
    summary = wording.answers_summary(report)
    if summary is None:
        return ""
    rows = "".join(
        f'<tr><td><a href="#{escape(f.criterion.id)}">{escape(f.criterion.id)}</a></td>'
        f"<td>{escape(f.criterion.name)}</td><td>{escape(wording.answer_label(f))}</td>"
        f"<td>{escape(wording.answer_detail(f))}</td></tr>"
        for f in report.answered
    )
    return (
        f'<section id="answers"><h2>Resting on the team\'s answers</h2><p>{escape(summary)}</p>'
        f"<table><tr><th>Id</th><th>Criterion</th><th>Kind</th><th>Answer</th></tr>{rows}</table></section>"
    )


def _all_criteria(report: Report) -> str:
    parts = ['<section id="criteria"><h2>Every criterion</h2>']
    for level in report.levels:
        findings = [f for f in report.findings if f.criterion.level == level.number]
        met = sum(f.outcome.is_met for f in findings)
        parts.append(
            f"<details><summary><strong>Level {level.number}: {escape(level.name)}</strong> "
            f'<span class="muted">{met}/{len(findings)} met</span></summary>'
        )
        parts += [_finding(report, f, anchor=True) for f in findings]
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _notes(report: Report) -> str:
    if not report.notes:
        return ""
    items = "".join(f"<li><code>{escape(n.path)}</code>: {escape(n.reason)}</li>" for n in report.notes[:200])
    more = f"<p class=\"muted\">... and {len(report.notes) - 200} more</p>" if len(report.notes) > 200 else ""
    return (
        f'<section id="notes"><h2>Notes</h2><p class="muted">{len(report.notes)} files could not be fully '
        f"read.</p><ul>{items}</ul>{more}</section>"
    )


def _tally(tally: Tally) -> str:
    return f"{tally.met}/{tally.total}" if tally.total else "-"
