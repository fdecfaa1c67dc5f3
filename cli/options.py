"""Option and argument types shared by the commands (typer `Annotated` aliases)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class ReportFormat(StrEnum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"


# Paths are taken as text, not Path: Path("") is ".", and an empty argument (an unset shell
# variable, `assess ""`) must be refused rather than silently read as the current folder.
RepoPath = Annotated[
    str,
    typer.Argument(
        metavar="PATH", help="Repository folder to assess (default: the current folder).", show_default=False
    ),
]
FormatOption = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="Output format: terminal, json or markdown.", case_sensitive=False),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write the report to this file instead of standard output.",
        dir_okay=False,
        show_default=False,
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Overwrite an --output file that is not an mlops-ladder report.")
]
FailUnderOption = Annotated[
    int | None,
    typer.Option(
        "--fail-under",
        metavar="N",
        min=0,
        max=5,
        show_default=False,
        help="Exit with code 1 when the level is below N (a CI gate).",
    ),
]
ShowAllOption = Annotated[
    bool, typer.Option("--all", "-a", help="List every criterion, not only the next level's.")
]
DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        "-d",
        metavar="KEY=VALUE",
        help="An answer, e.g. project_name=fraud (repeatable; `level` is --level / --to).",
        show_default=False,
    ),
]
