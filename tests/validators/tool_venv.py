"""Validators that cannot share the test environment, each in its own cached virtual environment.

checkov pins old versions of pycep-parser, packaging and python-dateutil, so it never goes into the
project's environment: the first run creates ~/.cache/mlops-ladder-tools/checkov-<version> (or
$MLOPS_LADDER_TOOLS_CACHE/...) with pip from the configured package index; later runs reuse it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECKOV_VERSION = "3.3.30"


def cache_root() -> Path:
    configured = os.environ.get("MLOPS_LADDER_TOOLS_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "mlops-ladder-tools"


def tool_venv(package: str, version: str, executable: str) -> Path:
    """The executable of *package*==*version*, installed on first use in its own virtual environment."""
    venv = cache_root() / f"{package}-{version}"
    binary = venv / "bin" / executable
    if binary.exists():
        return binary
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{package}=={version}"],
        capture_output=True, text=True,
    )
    if install.returncode != 0 or not binary.exists():
        raise RuntimeError(f"cannot install {package}=={version} into {venv}: {install.stderr[-2000:]}")
    return binary


def checkov() -> Path:
    return tool_venv("checkov", CHECKOV_VERSION, "checkov")


def checkov_json(directory: Path, framework: str) -> dict:
    """checkov's JSON report (offline) on every file of *framework* below *directory*."""
    import json
    import os

    proc = subprocess.run(
        [str(checkov()), "--directory", str(directory), "--framework", framework, "--output", "json",
         "--skip-download"],
        capture_output=True, text=True, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"}, timeout=900,
    )
    assert proc.stdout, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    return result[0] if isinstance(result, list) else result
