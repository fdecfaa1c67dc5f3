"""Progress on a terminal (rich, on standard error): a spinner naming the stage of a long scan, a bar
for a portfolio. Nothing at all when standard error is not a terminal, in CI, or with --quiet."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def stages(enabled: bool, label: str) -> Iterator[Callable[[str], None]]:
    """A spinner showing "<label>: <stage>"; yields the function that names the stage."""
    if not enabled:
        yield lambda stage: None
        return
    from rich.console import Console

    with Console(stderr=True).status(label) as status:
        yield lambda stage: status.update(f"{label}: {stage}")


@contextmanager
def counter(enabled: bool, label: str, total: int) -> Iterator[Callable[[str], None]]:
    """A bar counting finished items; yields the function to call when one finishes."""
    if not enabled:
        yield lambda name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, console=_stderr()) as bar:
        task = bar.add_task(label, total=total)
        yield lambda name: bar.update(task, advance=1, description=f"{label}: {name}")


def _stderr():
    from rich.console import Console

    return Console(stderr=True)
