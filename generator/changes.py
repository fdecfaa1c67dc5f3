"""A plan of file changes, shown (with a diff) or applied as one transaction.

apply() writes every change through a temporary file and os.replace; before the first write
it keeps the previous bytes of every path it will touch, and on any failure (including
Ctrl-C) it puts them all back and removes the files it created: the repository ends as it
was, never half-written.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mlops_ladder.generator.merge import Action


@dataclass(frozen=True)
class FileChange:
    path: str  # repo-relative POSIX path
    action: Action
    layer: str
    content: bytes | None = None  # new bytes (None for REMOVE and skips)
    previous: bytes | None = None  # bytes in the repository before the change (None: absent)
    note: str = ""  # why, and what to wire by hand


@dataclass
class Plan:
    root: Path
    changes: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plan-wide remarks (what to wire by hand)
    warnings: list[str] = field(default_factory=list)  # what will not work as written (the user must act)

    def of(self, *actions: Action) -> list[FileChange]:
        return [c for c in self.changes if c.action in actions]

    @property
    def writes(self) -> list[FileChange]:
        return [c for c in self.changes if c.action.writes]

    @property
    def conflicts(self) -> list[FileChange]:
        return self.of(Action.CONFLICT)

    def diff(self) -> str:
        out: list[str] = []
        for change in self.writes:
            before = _lines(change.previous)
            after = _lines(change.content) if change.action != Action.REMOVE else []
            fromfile = f"a/{change.path}" if change.previous is not None else "/dev/null"
            tofile = f"b/{change.path}" if change.action != Action.REMOVE else "/dev/null"
            out.extend(difflib.unified_diff(before, after, fromfile, tofile))
        return "".join(out)


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    if b"\0" in data[:8192]:
        return ["(binary file)\n"]
    text = data.decode("utf-8", errors="replace")
    return [line if line.endswith("\n") else line + "\n" for line in text.splitlines(keepends=True)]


def apply(plan: Plan, *, before_each: Callable[[FileChange], None] | None = None) -> None:
    """Apply every write of *plan*, all or nothing. *before_each* is a test hook."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for change in plan.writes:
            if before_each is not None:
                before_each(change)
            target = plan.root / change.path
            done.append((target, target.read_bytes() if target.exists() else None))
            if change.action == Action.REMOVE:
                target.unlink()
            else:
                _write_atomically(target, change.content or b"")
    except BaseException:
        _restore(done, plan.root)
        raise


def current_umask() -> int:
    """The process's umask (it can only be read by setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # An existing file keeps its mode; a new one gets what any program would give it under the
    # umask (mkstemp's temporary file is private, 0600, and would otherwise stay so).
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _restore(done: Iterable[tuple[Path, bytes | None]], root: Path) -> None:
    for target, previous in reversed(list(done)):
        if previous is None:
            target.unlink(missing_ok=True)
            _remove_empty_folders(target.parent, root)
        else:
            _write_atomically(target, previous)


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """Remove the folders a failed run created, up to (never including) the repository root."""
    while folder != root and root in folder.parents and folder.exists() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
