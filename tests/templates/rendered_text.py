"""The text lines of a rendered project, for tests that look for words a variant must not use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def text_lines(root: Path, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, int, str]]:
    """(path relative to *root*, line number, stripped line) of every text file under *root*, in path
    order, except `.git/` and the paths starting with one of *skip*."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or relative.startswith((".git/", *skip)):
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:  # sample data or images: not text a user reads
            continue
        for number, line in enumerate(lines, 1):
            yield relative, number, line.strip()
