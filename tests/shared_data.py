"""Where the data kept beside the checkout is: `../shared/` (Bicep type definitions, Microsoft's Azure
API examples, the SARIF schema, the calibration set).

Beside the checkout first. A clone of a local checkout (`git clone -q . "$(mktemp -d)"`, as a new user
tries the CI) or a `git worktree` lives elsewhere: then beside the checkout it came from.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


def shared_root(checkout: Path = CHECKOUT) -> Path:
    """`../shared` of *checkout*, or of the local checkout it was cloned from or is a worktree of;
    the first when none exists (tests that need it then skip, or fail under .ci/run)."""
    beside = checkout.parent / "shared"
    if beside.is_dir():
        return beside
    for question in (["config", "--get", "remote.origin.url"], ["rev-parse", "--path-format=absolute",
                                                                "--git-common-dir"]):
        answer = subprocess.run(["git", "-C", str(checkout), *question], capture_output=True, text=True)
        source = Path(answer.stdout.strip()) if answer.returncode == 0 and answer.stdout.strip() else None
        if source is None or not source.is_dir():
            continue  # no origin, or a remote one (a URL)
        source = source.parent if source.name == ".git" else source  # the common dir: its checkout
        if (source.parent / "shared").is_dir():
            return source.parent / "shared"
    return beside


SHARED = shared_root()
