"""Writing reports to a file without ever overwriting something a user wrote."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.errors import BadInputError, RefusedError

# Text that marks a file as a report this tool wrote: JSON and SARIF (`"name": "mlops-ladder"`, the
# tool / tool.driver name), Markdown, HTML (<meta name="generator" content="mlops-ladder X">), the
# portfolio's Markdown and JSON lines, terminal text.
REPORT_MARKERS = (
    '"name": "mlops-ladder"',
    "<!-- mlops-ladder report -->",
    '<meta name="generator" content="mlops-ladder ',
    "<!-- mlops-ladder portfolio -->",
    '"tool": "mlops-ladder"',
    "mlops-ladder ",
)


def write_report(path: Path, text: str, *, force: bool = False) -> None:
    if path.exists() and not force and not _is_our_report(path):
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


def _is_our_report(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if not head.strip():
        return True
    return any(marker in head for marker in REPORT_MARKERS)
