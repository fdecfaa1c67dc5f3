"""`mlops-ladder update`: bring a generated project's layers to the current template version."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mlops_ladder.cli.upgrade import DryRunOption
from mlops_ladder.errors import ExitCode

UpdatePath = Annotated[
    str,
    typer.Argument(
        metavar="PATH",
        help="Top folder of the generated project to update (default: the current folder).",
        show_default=False,
    ),
]


def update(path: UpdatePath = ".", dry_run: DryRunOption = False) -> int:
    """Update every template layer of a generated project with a 3-way merge that keeps your edits."""
    from mlops_ladder.assessment.api import resolve_repo_path
    from mlops_ladder.cli.plan_view import show_outcome, show_plan
    from mlops_ladder.generator.changes import apply
    from mlops_ladder.generator.update import plan_update

    result = plan_update(resolve_repo_path(path), dry_run=dry_run)
    for layer_id, old, new in result.layers:
        print(f"{layer_id}: {old} -> {new}" + (" (already current)" if old == new else ""))
    show_plan(result.plan)
    if dry_run and result.dirty:
        print(
            f"\nNote: the work tree has uncommitted changes ({result.dirty}); the real run will refuse "
            "until they are committed or stashed (git stash -u)."
        )
    if dry_run:
        print("\n" + (result.plan.diff() or "(no file changes)"))
        print("Dry run: nothing was written.")
        return ExitCode.OK
    apply(result.plan)
    show_outcome(result.plan)
    if result.plan.conflicts:
        print(f"{len(result.plan.conflicts)} file(s) have conflicts.", file=sys.stderr)
        return ExitCode.CONFLICTS
    return ExitCode.OK
