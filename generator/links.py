"""Symbolic links in a repository the generator reads or writes: never followed out of it.

A committed link (`infra -> /srv/shared`, `notes.txt -> /etc/shadow`) points at the user's machine,
not at the repository: `upgrade` and `update` never read a file through a link that leaves the
repository (its bytes would show in a diff) and never write through any link (writing through a
folder link outside the repository would change files nobody asked to change; replacing a file
link would destroy the link). Each path so skipped is listed in the plan and explained in a note.
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


def guard_links(plan: Plan) -> Plan:
    """Turn every write of *plan* that would go through a link into a skip, and say why in a note."""
    skipped: dict[str, list[str]] = {}
    changes = []
    for change in plan.changes:
        # skips too: a file behind a link out of the repository was never read, so it is not "deleted"
        reason = why_not_writable(plan.root, change.path)
        if reason is None or (not change.action.writes and change.action != Action.SKIP_DELETED):
            changes.append(change)
            continue
        skipped.setdefault(reason, []).append(change.path)
        changes.append(replace(change, action=Action.LINK_SKIPPED, content=None, note=reason))
    plan.changes = changes
    for reason, paths in skipped.items():
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        plan.notes.append(f"{reason}: {len(paths)} file(s) not written ({shown})")
    return plan


def check_write(root: Path, change: FileChange) -> None:
    """Raised in the apply step too: the tree may have changed since the plan was made."""
    reason = why_not_writable(root, change.path)
    if reason is not None:
        raise RefusedError(f"{change.path}: {reason}", hint="nothing was changed; run the command again")
