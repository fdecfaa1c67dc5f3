"""Symbolic links in a repository the generator reads or writes: never followed out of it.

A committed link (`infra -> /srv/shared`, `notes.txt -> /etc/shadow`) points at the user's machine,
not at the repository: `upgrade` and `update` never read a file through a link that leaves the
repository (its bytes would show in a diff) and never write through any link (writing through a
folder link outside the repository would change files nobody asked to change; replacing a file
link would destroy the link). Each path so skipped is listed in the plan and explained in a note.

A path where the repository has a folder, or under a file of it (`infra/layers` the file where
`infra/layers/x.bicep` needs a folder), cannot be written either: guard_writes keeps it as the
user's own and says so, and the rest of the plan is applied.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mlops_ladder.errors import RefusedError
from mlops_ladder.generator.merge import Action

if TYPE_CHECKING:  # changes.py imports this module
    from mlops_ladder.generator.changes import FileChange, Plan


def first_link(root: Path, path: str) -> tuple[str, str] | None:
    """The first symbolic link on *path* (a folder on the way or the file itself), as
    (its repo-relative path, where it resolves to), or None when the path holds no link."""
    current = root
    parts = PurePosixPath(path).parts
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink():
            return "/".join(parts[: index + 1]), os.path.realpath(current)
        if not current.exists():
            return None  # nothing below a missing folder can be a link
    return None


def leaves(root: Path, resolved: str) -> bool:
    top = os.path.realpath(root)
    return not (resolved == top or resolved.startswith(os.path.join(top, "")))


def readable(root: Path, path: str) -> bool:
    """False when reading *path* would follow a link out of the repository."""
    link = first_link(root, path)
    return link is None or not leaves(root, link[1])


def why_not_writable(root: Path, path: str) -> str | None:
    """Why *path* must not be written (a link on the way or at the file), or None."""
    link = first_link(root, path)
    if link is None:
        return None
    name, resolved = link
    if leaves(root, resolved):
        return f"{name} is a symbolic link to {resolved}, outside the repository; not written through it"
    if name == path:
        return f"{name} is a symbolic link (to {resolved}); left alone rather than replaced by a file"
    return None  # a folder link that stays inside the repository: the file lands inside it too


def guard_writes(plan: Plan) -> Plan:
    """Turn every write of *plan* that would go through a link, or that a folder or file of the
    repository is in the way of, into a skip, and say why in a note."""
    skipped: dict[str, list[str]] = {}
    in_the_way: list[str] = []
    changes = []
    for change in plan.changes:
        # skips too: a file behind a link out of the repository was never read, so it is not "deleted"
        reason = why_not_writable(plan.root, change.path)
        if reason is not None and (change.action.writes or change.action == Action.SKIP_DELETED):
            skipped.setdefault(reason, []).append(change.path)
            change = replace(change, action=Action.LINK_SKIPPED, content=None, note=reason)
        elif change.action.writes and change.action != Action.REMOVE:
            obstacle = what_is_in_the_way(plan.root, change.path)
            if obstacle is not None:
                in_the_way.append(f"{change.path} not written: {obstacle}")
                change = replace(change, action=Action.SKIP_OWN, content=None, note=obstacle)
        changes.append(change)
    plan.changes = changes
    for reason, paths in skipped.items():
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        plan.notes.append(f"{reason}: {len(paths)} file(s) not written ({shown})")
    plan.notes.extend(in_the_way)
    return plan


def what_is_in_the_way(root: Path, path: str) -> str | None:
    """Why no file can be written at *path*: the repository has a folder there, or a file where the path
    needs a folder (infra/layers for infra/layers/x.bicep). None when nothing is in the way (a link on
    the path is why_not_writable's)."""
    parts = PurePosixPath(path).parts
    current = root
    for index, part in enumerate(parts):
        current = current / part
        if current.is_symlink() or not current.exists():
            return None  # below a missing folder nothing is in the way
        last = index == len(parts) - 1
        if last and current.is_dir():
            return "the repository has a folder at this path; left alone"
        if not last and not current.is_dir():
            where = "/".join(parts[: index + 1])
            return f"the repository has a file at {where}, where this path needs a folder"
    return None


def check_write(root: Path, change: FileChange) -> None:
    """Raised in the apply step too: the tree may have changed since the plan was made."""
    reason = why_not_writable(root, change.path)
    if reason is not None:
        raise RefusedError(f"{change.path}: {reason}", hint="nothing was changed; run the command again")
