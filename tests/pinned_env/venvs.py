"""Virtual environments holding exactly a set of pip pins, built once and cached by their hash.

The suite runs some generated code under the exact pins of an Azure ML environment (a conda file's
pip section) rather than under the suite's own packages. Building such an environment downloads and
installs ~500 MB, so it is kept in a cache folder named after a hash of the Python version and the
pins: the same pins reuse it, changed pins build a new one. The cache lives in
$MLOPS_LADDER_TEST_CACHE, else $XDG_CACHE_HOME/mlops-ladder-tests, else ~/.cache/mlops-ladder-tests.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import yaml

EXACT_PIN = re.compile(r"[A-Za-z0-9_.\[\]-]+==\S+")
READY_MARKER = "mlops-ladder-pins.txt"  # written last: a folder without it is an interrupted build


def cache_root() -> Path:
    if os.environ.get("MLOPS_LADDER_TEST_CACHE"):
        return Path(os.environ["MLOPS_LADDER_TEST_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlops-ladder-tests"


def conda_pip_pins(conda_file: Path) -> list[str]:
    """The pip section of a conda environment file; every entry must be an exact `name==version` pin."""
    spec = yaml.safe_load(conda_file.read_text())
    section = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
    loose = [line for line in section if not EXACT_PIN.fullmatch(str(line))]
    if loose:
        raise ValueError(f"{conda_file}: pip entries that are not exact pins: {loose}")
    return [str(line) for line in section]


def pinned_python(pins: Iterable[str]) -> Path:
    """The python of a virtual environment with exactly *pins* installed (built on first use)."""
    pins = sorted(pins)
    key = "\n".join([f"python {sys.version_info.major}.{sys.version_info.minor}", *pins])
    folder = cache_root() / f"venv-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    python = folder / "bin" / "python"
    if (folder / READY_MARKER).is_file():
        return python
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Built beside its final place, then renamed: a venv's python finds its packages through the
    # pyvenv.cfg next to it, so the folder can move; an interrupted build never looks ready.
    staging = Path(tempfile.mkdtemp(prefix=f"{folder.name}.building-", dir=folder.parent))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(staging)], check=True)
        install = subprocess.run(
            [str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", *pins],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            raise RuntimeError(f"pip install {' '.join(pins)} failed:\n{install.stderr[-3000:]}")
        (staging / READY_MARKER).write_text(key + "\n")
        if (folder / READY_MARKER).is_file():  # another run built the same environment meanwhile
            return python
        shutil.rmtree(folder, ignore_errors=True)  # an interrupted earlier build
        try:
            staging.rename(folder)
        except OSError:  # another run finished the same environment first: use that one
            if not (folder / READY_MARKER).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return python
