"""Shared by the generator benchmarks: run the CLI, time whole processes, report a median."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def cli() -> list[str]:
    exe = shutil.which("mlops-ladder")
    return [exe] if exe else [sys.executable, "-m", "mlops_ladder"]


def time_runs(make_args: Callable[[int], list[str]], repeat: int) -> list[float] | None:
    """Time `repeat` runs after one warm-up (OS caches); None when a run fails (its stderr is printed)."""
    times = []
    for i in range(repeat + 1):
        args = [*cli(), *make_args(i)]  # preparing a run (e.g. copying a project) is not timed
        start = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr, file=sys.stderr)
            return None
        if i:
            times.append(elapsed)
    return times


def report(label: str, times: list[float], target: float) -> int:
    median = statistics.median(times)
    print(
        f"{label}: median {median:.2f} s over {len(times)} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); "
        f"target < {target:g} s: {'met' if median < target else 'MISSED'}"
    )
    return 0 if median < target else 1
