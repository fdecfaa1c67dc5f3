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
    sarif = "sarif"
    html = "html"


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
    typer.Option(
        "--format",
        "-f",
        help="Output format: terminal, json, markdown, sarif (SARIF 2.1.0) or html (one self-contained "
        "file).",
        case_sensitive=False,
    ),
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
RepoPaths = Annotated[  # text, not Path, for the same reason as RepoPath
    list[str] | None,
    typer.Argument(
        metavar="PATH",
        help="Repository folder to assess (default: the current folder). Several folders, or JSON reports "
        "made elsewhere, make a portfolio.",
        show_default=False,
    ),
]
InteractiveOption = Annotated[
    bool,
    typer.Option(
        "--interactive",
        "-i",
        help="Ask what the evidence could not settle and save the answers (needs a terminal).",
    ),
]
AnswersFileOption = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        metavar="FILE",
        help="The answers file (default: .mlops-ladder/answers.yml in the repository, when it exists).",
        dir_okay=False,
        show_default=False,
    ),
]
BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        help="An earlier JSON report: show what changed since (criteria met or lost, level up or down).",
        dir_okay=False,
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress and no messages on standard error, only errors.")
]
ReposOption = Annotated[
    Path | None,
    typer.Option(
        "--repos",
        metavar="FILE",
        help="Portfolio: a file listing repository folders or JSON reports, one a line (# comments).",
        dir_okay=False,
        show_default=False,
    ),
]
OutputDirOption = Annotated[
    Path | None,
    typer.Option(
        "--output-dir",
        metavar="DIR",
        help="Portfolio: write index.html, portfolio.md, portfolio.jsonl and each repository's report here.",
        file_okay=False,
        show_default=False,
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        min=1,
        show_default=False,
        help="Portfolio: repositories assessed at once (default: the CPUs).",
    ),
]
