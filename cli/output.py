"""Writing reports to a file without ever overwriting something a user wrote."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.assessment.report_files import is_report
from mlops_ladder.errors import BadInputError, RefusedError


def write_report(path: Path, text: str, *, force: bool = False) -> None:
    """Write *text* to *path*; an existing file must be a report this tool wrote (report_files.py)
    unless *force*."""
    if path.exists() and not force and not is_report(path):
        raise RefusedError(
            f"{path}: exists and is not an mlops-ladder report; not overwriting it",
            hint="choose another --output path, or pass --force",
        )
    if not path.parent.exists():
        raise BadInputError(
            f"{path.parent}: no such folder", hint="create the folder or choose another --output"
        )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(
            f"{path}: cannot write: {exc.strerror}", hint="check the path and permissions"
        ) from None
