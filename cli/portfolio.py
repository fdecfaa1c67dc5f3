"""`mlops-ladder assess PATH PATH...` (or `--repos FILE`): a portfolio of repositories and JSON reports
made elsewhere, assessed in parallel, as one table, JSON lines or an HTML heat map."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_ladder.errors import BadInputError, ExitCode, UsageError


def run(
    paths: list[Path],
    *,
    repos: Path | None,
    fmt: str,
    output: Path | None,
    output_dir: Path | None,
    force: bool,
    jobs: int | None,
    quiet: bool,
    fail_under: int | None,
) -> int:
    from mlops_ladder.assessment.portfolio import assess_portfolio, read_repos_file
    from mlops_ladder.assessment.render import portfolio as render
    from mlops_ladder.cli import progress
    from mlops_ladder.cli.output import write_report

    if fmt == "sarif":
        raise UsageError(
            "a portfolio has no SARIF form", hint="use terminal, markdown, json (JSON lines) or html"
        )
    if fmt == "html" and output_dir is None:
        raise UsageError(
            "the HTML portfolio links to each repository's report",
            hint="give --output-dir DIR to write them all",
        )
    items = [*paths, *(read_repos_file(repos) if repos is not None else [])]
    if output_dir is not None:
        _check_output_dir(output_dir)
    with progress.counter(progress.wanted(quiet), "Assessing", len(items)) as finished:
        rows = assess_portfolio(items, jobs=jobs, on_done=finished)
    if output_dir is not None:
        _write_all(rows, output_dir, force=force, write=write_report)
    color = fmt == "terminal" and output is None and sys.stdout.isatty()
    text = render.render(rows, fmt, color=color, links=output_dir is not None)
    if output is None:
        sys.stdout.write(text)
    else:
        write_report(output, text, force=force)
    errors = [row for row in rows if row.report is None]
    if not quiet:
        if output_dir is not None:
            print(f"Portfolio written to {output_dir / 'index.html'}", file=sys.stderr)
        for row in errors:  # the error names the path already
            print(f"not assessed: {row.error}", file=sys.stderr)
    if errors:
        return ExitCode.BAD_INPUT
    below = [row for row in rows if fail_under is not None and row.report.level < fail_under]
    if below:
        names = ", ".join(row.name for row in below)
        print(f"{len(below)} below --fail-under {fail_under}: {names}", file=sys.stderr)
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def _check_output_dir(output_dir: Path) -> None:
    if output_dir.exists() and not output_dir.is_dir():
        raise BadInputError(f"{output_dir}: is a file, not a folder", hint="give a folder for --output-dir")
    if not output_dir.parent.exists():
        raise BadInputError(
            f"{output_dir.parent}: no such folder", hint="create it or choose another --output-dir"
        )


def _write_all(rows, output_dir: Path, *, force: bool, write) -> None:
    """index.html, portfolio.md, portfolio.jsonl and reports/<repository>.{html,json}."""
    from mlops_ladder.assessment.render import portfolio as render
    from mlops_ladder.assessment.render.formats import render as render_report

    (output_dir / "reports").mkdir(parents=True, exist_ok=True)
    for row in rows:
        if row.report is not None:
            write(output_dir / "reports" / f"{row.slug}.html", render_report(row.report, "html"), force=force)
            write(output_dir / "reports" / f"{row.slug}.json", render_report(row.report, "json"), force=force)
    write(output_dir / "index.html", render.render(rows, "html", links=True), force=force)
    write(output_dir / "portfolio.md", render.render(rows, "markdown"), force=force)
    write(output_dir / "portfolio.jsonl", render.render(rows, "json", links=True), force=force)
