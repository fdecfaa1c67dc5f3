"""`mlops-ladder assess`: scan a repository and score its MLOps maturity."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_ladder.cli.options import (
    FailUnderOption,
    ForceOption,
    FormatOption,
    OutputOption,
    RepoPath,
    ReportFormat,
    ShowAllOption,
)
from mlops_ladder.errors import ExitCode


def assess(
    path: RepoPath = Path("."),
    format: FormatOption = ReportFormat.terminal,
    output: OutputOption = None,
    force: ForceOption = False,
    fail_under: FailUnderOption = None,
    show_all: ShowAllOption = False,
) -> int:
    """Assess a repository: level 0-5, the core and minor criteria met, and what the next level needs."""
    from mlops_ladder.assessment.api import assess as run_assessment
    from mlops_ladder.cli.output import write_report

    report = run_assessment(path)
    if format is ReportFormat.json:
        from mlops_ladder.assessment.render import json_report

        text = json_report.render(report)
    elif format is ReportFormat.markdown:
        from mlops_ladder.assessment.render import markdown

        text = markdown.render(report, show_all=show_all)
    else:
        from mlops_ladder.assessment.render import terminal  # rich: only for people

        to_tty = output is None and sys.stdout.isatty()
        text = terminal.render(report, show_all=show_all, color=to_tty, width=_width() if to_tty else 100)
    if output is None:
        sys.stdout.write(text)
    else:
        write_report(output, text, force=force)
        print(f"Level {report.level}: report written to {output}", file=sys.stderr)
    if fail_under is not None and report.level < fail_under:
        print(f"Level {report.level} is below --fail-under {fail_under}.", file=sys.stderr)
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def _width() -> int:
    import shutil

    return max(80, min(shutil.get_terminal_size().columns, 140))
