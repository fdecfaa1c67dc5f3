"""Benchmark `mlops-ladder new DEST --level 3 --defaults` (target < 3 s on the 2-core machine).

Times the whole CLI process (start-up, validation, rendering three copier layers, git init and
first commit), median of several runs, each into a fresh folder.

    python bench/bench_new.py [--repeat 5]
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
    parser.add_argument("--level", type=int, default=3)
    args = parser.parse_args()
    exe = shutil.which("mlops-ladder")
    cli = [exe] if exe else [sys.executable, "-m", "mlops_ladder"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat + 1):
            dest = Path(tmp) / f"p{i}"
            start = time.perf_counter()
            proc = subprocess.run(
                [*cli, "new", str(dest), "--level", str(args.level), "--defaults"],
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 2
            if i:  # the first run warms the OS caches
                times.append(elapsed)
    median = statistics.median(times)
    print(
        f"new --level {args.level} --defaults: median {median:.2f} s over {len(times)} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); target < 3 s: {'met' if median < 3 else 'MISSED'}"
    )
    return 0 if median < 3 else 1


if __name__ == "__main__":
    sys.exit(main())
