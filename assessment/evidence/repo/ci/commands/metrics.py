"""A script that checks a model's metric against a threshold and fails the run when it misses it: a
quality gate written in the CI script itself.

The script reads a metric (an `az ml job show` query, the MLflow REST API or client, a metrics file
a job wrote), compares it with a threshold (`-lt`, `awk '{print ($1 >= $2)}'`, `bc`, `[[ $A < $B ]]`,
a Python comparison) and exits non-zero. All three must be in the script; the comparison's line is
reported.
"""

from __future__ import annotations

import functools
import re

_READS = re.compile(r"metric|mlflow|runs/get", re.I)
_COMPARES = re.compile(r"\s-(lt|le|gt|ge)\s|[<>]=?\s*\$?[{(]?\w")  # -lt, <, >=, awk ($1 >= $2)
_THRESHOLD = re.compile(r"\bthreshold\b", re.I)
_FAILS = re.compile(r"\bexit\s+(?!0\b)[\w$\"'-]+|\bsys\.exit\(\s*[1-9]|\braise\b|::error::")


@functools.lru_cache(maxsize=4096)  # pure; a script is read again from each state it starts in
def metric_check_line(script: str) -> int | None:
    """The 0-based line of the threshold comparison when *script* checks a metric and fails on it."""
    if not (_READS.search(script) and _FAILS.search(script)):
        return None
    lines = script.splitlines()
    for pattern in (_COMPARES, _THRESHOLD):  # a comparison's line, else the threshold's
        for number, line in enumerate(lines):
            stripped = line.strip()
            if stripped.startswith("#") or not pattern.search(stripped):
                continue
            if "<<" in stripped or (stripped.startswith(("echo", "cat")) and "awk" not in stripped):
                continue  # a here-document or a message, not a comparison
            return number
    return None
