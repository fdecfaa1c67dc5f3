"""Jupyter notebooks: JSON whose code cells are counted and whose import lines are read with a
line scan (nbformat 4, and nbformat 3's worksheets)."""

from __future__ import annotations

import json
import re

from mlops_ladder.assessment.evidence.jsonfile import load_json
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.python.model import Notebook

_IMPORT_LINE = re.compile(r"^\s*(?:from\s+([A-Za-z_][\w.]*)\s+import\b|import\s+([^#;\n]+))", re.MULTILINE)


def read_notebook(files: RepoFiles, path: str) -> Notebook | None:
    text = files.read_text(path)
    if text is None:
        return None
    try:
        data = load_json(text)
    except json.JSONDecodeError as exc:
        files.note(path, f"malformed JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return None
    if not isinstance(data, dict):
        files.note(path, "not a Jupyter notebook: the JSON is not an object")
        return None
    cells = data.get("cells")
    if cells is None:  # nbformat 3 keeps cells in worksheets and code in "input"
        worksheets = [ws for ws in data.get("worksheets") or [] if isinstance(ws, dict)]
        cells = [cell for ws in worksheets for cell in ws.get("cells") or []]
    if not isinstance(cells, list):
        files.note(path, "not a Jupyter notebook: cells is not a list")
        return None
    not_cells = sum(1 for cell in cells if not isinstance(cell, dict))
    if not_cells:
        reason = f"malformed notebook: {not_cells} of {len(cells)} cells are not JSON objects; skipped"
        files.note(path, reason)
    code_cells = 0
    imports: set[str] = set()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_cells += 1
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str) and "import" in source:
            imports.update(_notebook_imports(source))
    return Notebook(path=path, code_cells=code_cells, imports=frozenset(imports))


def _notebook_imports(source: str) -> set[str]:
    found = set()
    for match in _IMPORT_LINE.finditer(source):
        if match.group(1):
            found.add(match.group(1))
            continue
        for item in match.group(2).split(","):
            name = item.split()[0] if item.split() else ""
            if re.fullmatch(r"[A-Za-z_][\w.]*", name):
                found.add(name)
    return found
