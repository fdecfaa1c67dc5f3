"""`mlops-ladder report REPORT.json`: render a saved JSON report in any format, without scanning again
(CI assesses once and renders SARIF, Markdown and HTML from that one report)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mlops_ladder.cli.options import (
    BaselineOption,
    FailUnderOption,
    ForceOption,
    FormatOption,
    OutputOption,
    QuietOption,
    ReportFormat,
    ShowAllOption,
)

ReportPath = Annotated[
    Path, typer.Argument(help="A JSON report written by `mlops-ladder assess --format json`.", dir_okay=False)
]


def report(
    path: ReportPath,
    format: FormatOption = ReportFormat.terminal,
    output: OutputOption = None,
    force: ForceOption = False,
    baseline: BaselineOption = None,
    show_all: ShowAllOption = False,
    fail_under: FailUnderOption = None,
    quiet: QuietOption = False,
) -> int:
    """Render a saved JSON report in another format, optionally against a baseline report."""
    from mlops_ladder.assessment.report_io import read_report_json, report_from_dict
    from mlops_ladder.cli.assess import emit, gate

    loaded = report_from_dict(read_report_json(path))
    if baseline is not None:
        from mlops_ladder.assessment.baseline import with_baseline

        with_baseline(loaded, baseline)
    emit(loaded, format.value, output, force=force, show_all=show_all, quiet=quiet)
    return gate(loaded.level, fail_under)
