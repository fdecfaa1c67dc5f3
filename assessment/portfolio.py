"""A portfolio: many repositories assessed in parallel, plus JSON reports made elsewhere (each
repository's CI runs the Action and publishes its report), gathered into one list of rows.

A repository is assessed in a forked worker process (the parent's imports are inherited, so a worker
starts at once); what crosses back is the JSON form of its report. A path that cannot be assessed,
or a file that is not a report, becomes a row with its error: one bad repository never stops the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_ladder.assessment.report import Report
from mlops_ladder.errors import BadInputError, LadderError


@dataclass
class Row:
    source: str  # the path as given (a repository folder or a JSON report)
    name: str  # what the portfolio calls it
    kind: str  # "scanned" (assessed here) or "report" (a JSON report made elsewhere)
    report: Report | None = None
    error: str | None = None
    seconds: float = 0.0
    slug: str = ""  # its file name in an --output-dir (reports/<slug>.html)


def read_repos_file(path: Path) -> list[Path]:
    """The paths listed in *path*, one a line; blank lines and # comments are skipped; relative paths
    are relative to the file's folder."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BadInputError(
            f"{path}: no such file", hint="give a file listing one repository per line"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read: {exc}", hint="check the file") from None
    out = []
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            item = Path(text).expanduser()
            out.append(item if item.is_absolute() else path.parent / item)
    if not out:
        raise BadInputError(
            f"{path}: lists no repository", hint="one repository folder or JSON report per line"
        )
    return out


def assess_portfolio(
    items: Sequence[Path], *, jobs: int | None = None, on_done: Callable[[str], None] | None = None
) -> list[Row]:
    """One row per item, in the order given: folders are assessed in parallel, JSON files are read."""
    done = on_done or (lambda name: None)
    rows = [Row(str(p), _name(p), "report" if p.suffix.lower() == ".json" else "scanned") for p in items]
    for row, item in zip(rows, items, strict=True):
        if row.kind == "report":
            _read_report(row, item)
            done(row.name)
    scanned = [(i, item) for i, item in enumerate(items) if rows[i].kind == "scanned"]
    if scanned:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(scanned)))
        if workers == 1:
            results = (_assess_one(str(item)) for _, item in scanned)
            for (index, _), result in zip(scanned, results, strict=True):
                _fill(rows[index], result)
                done(rows[index].name)
        else:
            fork = "fork" in multiprocessing.get_all_start_methods()  # workers inherit the imports
            context = multiprocessing.get_context("fork" if fork else None)
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {pool.submit(_assess_one, str(item)): index for index, item in scanned}
                for future, index in futures.items():
                    try:
                        _fill(rows[index], future.result())
                    except Exception as exc:  # a worker that died (out of memory, killed)
                        rows[index].error = f"the worker assessing it failed: {type(exc).__name__}: {exc}"
                    done(rows[index].name)
    _slugs(rows)
    return rows


def _assess_one(path: str) -> tuple[dict[str, Any] | None, str | None, float]:
    """In a worker: the JSON form of the report, or the one-line error, and the seconds it took."""
    from mlops_ladder.assessment.api import assess

    start = time.perf_counter()
    try:
        data = assess(path).to_dict()
        return data, None, time.perf_counter() - start
    except LadderError as exc:
        return None, exc.message, time.perf_counter() - start
    except Exception as exc:  # a bug must not take the whole portfolio down
        return None, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - start


def _fill(row: Row, result: tuple[dict[str, Any] | None, str | None, float]) -> None:
    from mlops_ladder.assessment.report_io import report_from_dict

    data, error, seconds = result
    row.seconds = seconds
    if error is not None:
        row.error = error
    else:
        row.report = report_from_dict(data)


def _read_report(row: Row, path: Path) -> None:
    from mlops_ladder.assessment.report_io import read_report_json, report_from_dict

    try:
        report = report_from_dict(read_report_json(path))
    except LadderError as exc:
        row.error = exc.message
        return
    row.report = report
    target = report.target
    if target.remote:  # the repository as its CI knows it, plus the folder inside it
        folder = f"/{target.prefix.rstrip('/')}" if target.prefix else ""
        row.name = target.remote.rsplit("/", 1)[-1] + folder
    else:
        row.name = Path(target.path).name


def _name(path: Path) -> str:
    return path.name if path.name not in ("", ".", "..") else path.resolve().name


def _slugs(rows: list[Row]) -> None:
    """A file name per row, unique in the portfolio (two folders called `app` become app, app-2)."""
    taken: set[str] = set()
    for row in rows:
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", row.name).strip("-.") or "repository"
        slug, n = base, 1
        while slug.lower() in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug.lower())
        row.slug = slug
