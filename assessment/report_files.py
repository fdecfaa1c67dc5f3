"""Which files are reports this tool wrote: the one test `assess --output` uses before it
replaces a file (anything else needs `--force`).

A file is recognised by its structure, never by merely mentioning the tool:
* JSON: an object with `schema_version` (a string) and `tool.name` == "mlops-ladder";
* SARIF (JSON): a run whose `tool.driver.name` is "mlops-ladder";
* Markdown, HTML and other formats with comments: MARKER_TEXT in a comment that is a whole line,
  the first line (or the second, after an HTML `<!DOCTYPE ...>`); renderers write
  `marker_line()` with their comment syntax (Markdown and HTML: `<!-- mlops-ladder report -->`);
* terminal text: the header line (`mlops-ladder VERSION · PATH ...`) followed by the verdict
  (`Level N of M · NAME`);
* an empty file (nothing a user wrote can be lost).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

TOOL_NAME = "mlops-ladder"
MARKER_TEXT = "mlops-ladder report"
MARKER_TEXTS = (MARKER_TEXT, "mlops-ladder portfolio")  # a repository's report; the portfolio's
MAX_REPORT_BYTES = 64 * 1024 * 1024
"""A larger file is not read to be recognised (a report is a few hundred KiB)."""

_TERMINAL_HEADER = re.compile(r"mlops-ladder \d[\w.+-]* · ")
_TERMINAL_VERDICT = re.compile(r"^Level \d+ of \d+ · ", re.M)


def marker_line(open_comment: str = "<!--", close_comment: str = "-->") -> str:
    """The line a renderer writes first to mark its output as a report (Markdown, HTML, ...)."""
    return f"{open_comment} {MARKER_TEXT} {close_comment}".strip()


def is_report(path: Path) -> bool:
    """Whether *path* holds a report this tool wrote (or nothing at all). False when it cannot be read."""
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    return is_report_text(data.decode("utf-8", errors="replace"))


def is_report_text(text: str) -> bool:
    """Whether *text* is (the whole of) a report this tool wrote; see the module docstring."""
    if not text.strip():
        return True
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return _is_json_report(stripped) or _is_json_lines_report(stripped)
    lines = stripped.splitlines()
    head = lines[:2] if lines and lines[0].lower().startswith("<!doctype") else lines[:1]
    if any(_is_marker(line.strip()) for line in head):
        return True
    return bool(_TERMINAL_HEADER.match(stripped) and _TERMINAL_VERDICT.search(stripped[:4096]))


def _is_marker(line: str) -> bool:
    """A whole-line comment holding exactly one of MARKER_TEXTS, whatever the comment syntax."""
    texts = "|".join(re.escape(t) for t in MARKER_TEXTS)
    match = re.fullmatch(r"(\S+)\s+(?:" + texts + r")(?:\s+(\S+))?", line)
    return match is not None and not any(c.isalnum() for c in match.group(1) + (match.group(2) or ""))


def _is_json_report(text: str) -> bool:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(data, dict):
        return False
    tool = data.get("tool")
    if isinstance(data.get("schema_version"), str) and isinstance(tool, dict):
        return tool.get("name") == TOOL_NAME
    runs = data.get("runs")  # SARIF
    return isinstance(runs, list) and any(_sarif_driver(run) == TOOL_NAME for run in runs)


def _is_json_lines_report(text: str) -> bool:
    """The portfolio's JSON lines: every line an object whose `tool` is this tool."""
    try:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (ValueError, RecursionError):
        return False
    return bool(rows) and all(isinstance(r, dict) and r.get("tool") == TOOL_NAME for r in rows)


def _sarif_driver(run: object) -> object:
    tool = run.get("tool") if isinstance(run, dict) else None
    driver = tool.get("driver") if isinstance(tool, dict) else None
    return driver.get("name") if isinstance(driver, dict) else None
