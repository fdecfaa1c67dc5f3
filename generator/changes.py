"""A plan of file changes, shown (with a diff) or applied as one transaction.

apply() writes every change through a temporary file and os.replace, journalling how to undo each
file operation first (transaction.py); on any failure, including Ctrl-C at any moment, it undoes
them all: the repository ends as it was (same bytes and modes, no temporary file, no new folder).
It never writes through a symbolic link (links.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

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


def in_the_way(root: Path, path: str) -> str | None:
    """Why no file can be written at *path*: the repository has a folder there, or a file where the path
    needs a folder (infra/layers for infra/layers/x.bicep). None when nothing is in the way."""
    parts = PurePosixPath(path).parts
    current = root
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink() or not current.exists():
            return None  # links are links.guard_links's; below a missing folder nothing is in the way
        last = index == len(parts) - 1
        if last and current.is_dir():
            return "the repository has a folder at this path; left alone"
        if not last and not current.is_dir():
            where = "/".join(parts[: index + 1])
            return f"the repository has a file at {where}, where this path needs a folder"
    return None


def guard_paths(plan: Plan) -> Plan:
    """Turn every write of *plan* that a folder or file of the repository is in the way of into a skip."""
    for index, change in enumerate(plan.changes):
        if change.action.writes and change.action != Action.REMOVE:
            reason = in_the_way(plan.root, change.path)
            if reason is not None:
                plan.changes[index] = replace(change, action=Action.SKIP_OWN, content=None, note=reason)
                plan.notes.append(f"{change.path} not written: {reason}")
    return plan


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
