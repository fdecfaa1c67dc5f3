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


RepoPath = Annotated[
    Path,
    typer.Argument(help="Repository folder to assess (default: the current folder).", show_default=False),
]
FormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
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
    typer.Option("--data", "-d", help="An answer as key=value (repeatable).", show_default=False),
]
