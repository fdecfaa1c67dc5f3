"""A plan of file changes, shown (with a diff) or applied as one transaction.

apply() writes every change through a temporary file and os.replace, journalling how to undo each
file operation first (transaction.py); on any failure, including Ctrl-C at any moment, it undoes
them all: the repository ends as it was (same bytes and modes, no temporary file, no new folder).
It never writes through a symbolic link (links.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlops_ladder.generator.links import check_write
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.transaction import FaultHook, Journal, interrupts, interrupts_ignored


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


def apply(
    plan: Plan,
    *,
    before_each: Callable[[FileChange], None] | None = None,
    fault: FaultHook | None = None,
) -> None:
    """Apply every write of *plan*, all or nothing (transaction.py). *before_each* (called with each
    change) and *fault* (called at every point between two file operations) are test hooks."""
    journal = Journal(plan.root, fault)
    try:
        with interrupts(journal):  # a Ctrl-C until it returns (even after the last write) undoes all
            for change in plan.writes:
                if before_each is not None:
                    before_each(change)
                check_write(plan.root, change)  # the tree may have changed since the plan was made
                target = plan.root / change.path
                if change.action == Action.REMOVE:
                    journal.remove(target)
                else:
                    journal.write(target, change.content or b"")
    except BaseException:
        with interrupts_ignored():
            journal.rollback()
        raise
