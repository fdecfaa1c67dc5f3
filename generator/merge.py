"""Three-way decisions for one file: base (the template as it was rendered), ours (the file in
the repository now), theirs (the template as it renders now). Never loses a user's line: a
change the user made is either kept, merged, or written with conflict markers that hold both
sides and reported.

A file the user keeps with Windows line endings (CRLF, as a checkout with core.autocrlf has every text
file) is compared and merged with the template's versions converted to CRLF: a line-ending change is
not an edit of every line, and what is written keeps the user's line endings."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Action(StrEnum):
    ADD = "add"  # a new template file; the repository has no file there
    UPDATE = "update"  # the user never changed it: take the template's new version
    MERGE = "merge"  # both changed it, on different lines: merged cleanly
    CONFLICT = "conflict"  # both changed the same lines: written with markers, both sides kept
    REMOVE = "remove"  # the template dropped it and the user never changed it
    SKIP_OWN = "skip-own"  # the repository already has its own file at that path: left alone
    SKIP_DELETED = "skip-deleted"  # the user deleted the template's file: respected
    KEEP_EDITED = "keep-edited"  # the template dropped it but the user changed it: kept
    NOT_ADDED = "not-added"  # adopting a repository: a template file that would not work there as is
    LINK_SKIPPED = "link-skipped"  # a symbolic link on the path: never written through (generator/links.py)

    @property
    def writes(self) -> bool:
        return self in (Action.ADD, Action.UPDATE, Action.MERGE, Action.CONFLICT, Action.REMOVE)


@dataclass(frozen=True)
class Decision:
    action: Action | None  # None: nothing to do
    content: bytes | None = None  # what to write (None with REMOVE)


def decide(base: bytes | None, ours: bytes | None, theirs: bytes | None, path: str) -> Decision:
    if ours is not None and uses_crlf(ours):
        base, theirs = to_crlf(base), to_crlf(theirs)
    if theirs is not None and base is None:
        if ours is None:
            return Decision(Action.ADD, theirs)
        return Decision(None) if ours == theirs else Decision(Action.SKIP_OWN)
    if theirs is None:
        if base is None or ours is None:
            return Decision(None)
        return Decision(Action.REMOVE) if ours == base else Decision(Action.KEEP_EDITED)
    # base and theirs both exist
    if ours is None:
        return Decision(None) if base == theirs else Decision(Action.SKIP_DELETED)
    if ours == theirs or base == theirs:
        return Decision(None)  # nothing new from the template, or the user already has it
    if ours == base:
        return Decision(Action.UPDATE, theirs)
    merged, clean = merge_bytes(ours, base, theirs, path)
    return Decision(Action.MERGE if clean else Action.CONFLICT, merged)


def has_our_markers(data: bytes, path: str) -> bool:
    """*data* still holds the conflict markers an earlier merge of *path* wrote (merge_bytes's labels)."""
    lines = data.splitlines()
    return f"<<<<<<< {path} (yours)".encode() in lines and f">>>>>>> {path} (template now)".encode() in lines


def uses_crlf(data: bytes) -> bool:
    """A text file whose every line ends with CRLF."""
    return b"\0" not in data and b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")


def to_crlf(data: bytes | None) -> bytes | None:
    """*data* with every line ending in CRLF (a binary file, or None, as it is)."""
    if data is None or b"\0" in data:
        return data
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def merge_bytes(ours: bytes, base: bytes, theirs: bytes, path: str) -> tuple[bytes, bool]:
    """A line-based 3-way merge (git merge-file, diff3 markers). Returns (content, clean)."""
    if b"\0" in ours or b"\0" in base or b"\0" in theirs or shutil.which("git") is None:
        return _conflict_whole(ours, theirs, path), False
    with tempfile.TemporaryDirectory(prefix="mlops-ladder-merge-") as tmp:
        files = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            f = Path(tmp) / name
            f.write_bytes(data)
            files.append(str(f))
        proc = subprocess.run(
            [
                "git",
                "merge-file",
                "-p",
                "--diff3",
                "-L",
                f"{path} (yours)",
                "-L",
                f"{path} (template before)",
                "-L",
                f"{path} (template now)",
                *files,
            ],
            capture_output=True,
        )
    if proc.returncode < 0 or proc.returncode > 127:  # git failed (not a conflict count)
        return _conflict_whole(ours, theirs, path), False
    return proc.stdout, proc.returncode == 0


def _conflict_whole(ours: bytes, theirs: bytes, path: str) -> bytes:
    """Both whole versions with markers, when a line merge is impossible (binary, no git)."""
    return b"".join(
        [
            f"<<<<<<< {path} (yours)\n".encode(),
            ours,
            b"" if ours.endswith(b"\n") else b"\n",
            b"=======\n",
            theirs,
            b"" if theirs.endswith(b"\n") else b"\n",
            f">>>>>>> {path} (template now)\n".encode(),
        ]
    )
