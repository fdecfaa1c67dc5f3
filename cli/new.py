"""`mlops-ladder new`: create a project at a maturity level from the template layers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mlops_ladder.cli.options import DataOption
from mlops_ladder.errors import BadInputError, ExitCode

Destination = Annotated[
    str,
    typer.Argument(
        metavar="DEST", help="Folder to create (must not exist, or be empty).", show_default=False
    ),
]
LevelOption = Annotated[
    int,
    typer.Option(
        "--level",
        "-l",
        metavar="N",
        help="Maturity level to scaffold, 1-5.",
    ),
]
DefaultsOption = Annotated[
    bool, typer.Option("--defaults", help="Use defaults for every unanswered question.")
]
AnswersOption = Annotated[
    Path | None,
    typer.Option("--answers", metavar="FILE", help="YAML file of answers (key: value).", show_default=False),
]
NoGitOption = Annotated[bool, typer.Option("--no-git", help="Do not git init and commit the new project.")]


def new(
    dest: Destination,
    level: LevelOption = 1,
    defaults: DefaultsOption = False,
    data: DataOption = None,
    answers: AnswersOption = None,
    no_git: NoGitOption = False,
) -> int:
    """Create a new Azure ML project at a maturity level (1-5), ready to push."""
    from mlops_ladder.generator.answers_file import parse_data_options, read_answers_file
    from mlops_ladder.generator.new import check_destination, check_level, new_project
    from mlops_ladder.generator.questions import complete

    if not dest.strip():
        raise BadInputError(
            "an empty DEST was given", hint="name the folder to create, e.g. `new churn-model`"
        )
    check_level(level)
    check_destination(Path(dest))  # before any question: do not waste the user's time
    given = read_answers_file(answers, level) if answers else {}
    given.update(parse_data_options(data or []))
    if not defaults:
        if not sys.stdin.isatty():
            raise BadInputError(
                "no terminal to ask the questions on",
                hint="pass --defaults (with --data key=value or --answers FILE) to run non-interactively",
            )
        from mlops_ladder.generator.prompts import ask_missing

        given = ask_missing(given, level)
    result = new_project(Path(dest), level, complete(given, level), git=not no_git)
    print(
        f"Created {result.dest} at MLOps level {result.level} ({len(result.files)} files, "
        f"layers: {', '.join(result.layers)})."
    )
    if result.answers.get("ci_system") == "azure-devops":
        print(
            "Next: read its README.md, then set up Azure DevOps with docs/azure-devops.md (service "
            "connections, environments, variable groups, pipelines), then push it."
        )
    else:
        print("Next: read its README.md (infrastructure, OIDC set-up, training and release), then push it.")
    return ExitCode.OK
