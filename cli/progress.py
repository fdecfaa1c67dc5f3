"""Progress on a terminal (rich, on standard error): a line naming the stage of a long scan, a bar
counting the repositories of a portfolio. Nothing at all when standard error is not a terminal, in
CI, or with --quiet.

Both redraw only when something changes (no refresh thread): the scan forks workers to parse a large
repository and the portfolio forks one per CPU, and forking while another thread runs is unsafe (the
parser falls back to one process when it sees one)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def wanted(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def stages(enabled: bool, label: str) -> Iterator[Callable[[str], None]]:
    """Shows "<stage> · <label>" (the stage first: a long label, such as a deep path, is what a narrow
    terminal cuts); yields the function that names the stage."""
    if not enabled:
        yield lambda stage: None
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    with Live(Text(label), console=Console(stderr=True), auto_refresh=False, transient=True) as live:
        yield lambda stage: live.update(Text.assemble(("⠿ ", "green"), f"{stage} · {label}"), refresh=True)


@contextmanager
def counter(enabled: bool, label: str, total: int) -> Iterator[Callable[[str], None]]:
    """A bar counting finished items; yields the function to call when one finishes."""
    if not enabled:
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), auto_refresh=False, transient=True) as bar:
        task = bar.add_task(label, total=total)
        bar.refresh()
        yield lambda name: bar.update(task, advance=1, description=f"{label}: {name}", refresh=True)
