"""Benchmark `mlops-ladder upgrade --to 3` on a freshly generated level-2 project (target < 5 s).

Times the whole CLI process: assess, plan (render the new layer, re-render the two existing
layers at the recorded and the current template version for the 3-way update), apply.

    python bench/bench_upgrade.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    exe = shutil.which("mlops-ladder")
    cli = [exe] if exe else [sys.executable, "-m", "mlops_ladder"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "level2"
        subprocess.run(
            [*cli, "new", str(pristine), "--level", "2", "--defaults"], check=True, capture_output=True
        )
        for i in range(args.repeat + 1):
            work = Path(tmp) / f"run{i}"
            shutil.copytree(pristine, work, symlinks=True)
            start = time.perf_counter()
            proc = subprocess.run([*cli, "upgrade", str(work), "--to", "3"], capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                print(proc.stdout[-2000:], proc.stderr, file=sys.stderr)
                return 2
            if i:  # the first run warms the OS caches
                times.append(elapsed)
    median = statistics.median(times)
    print(
        f"upgrade level 2 -> 3: median {median:.2f} s over {len(times)} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); target < 5 s: {'met' if median < 5 else 'MISSED'}"
    )
    return 0 if median < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
