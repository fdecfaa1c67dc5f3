"""One entry point for every format of the one report model (the commands call only this)."""

from __future__ import annotations

import shutil

from mlops_ladder.assessment.report import Report

FORMATS = ("terminal", "json", "markdown", "sarif", "html")


def render(report: Report, fmt: str, *, show_all: bool = False, color: bool = False) -> str:
    if fmt == "json":
        from mlops_ladder.assessment.render import json_report

        return json_report.render(report)
    if fmt == "markdown":
        from mlops_ladder.assessment.render import markdown

        return markdown.render(report, show_all=show_all)
    if fmt == "sarif":
        from mlops_ladder.assessment.render import sarif

        return sarif.render(report)
    if fmt == "html":
        from mlops_ladder.assessment.render import html

        return html.render(report)
    from mlops_ladder.assessment.render import terminal  # rich: only for people

    width = max(80, min(shutil.get_terminal_size().columns, 140)) if color else 100
    return terminal.render(report, show_all=show_all, color=color, width=width)
