"""Benchmark `mlops-ladder new DEST --level 3 --defaults` (target < 3 s on the 2-core machine).

Times the whole CLI process (start-up, validation, rendering three copier layers, git init and
first commit), median of several runs, each into a fresh folder.

    python bench/bench_new.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import report, time_runs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--level", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = time_runs(
            lambda i: ["new", str(Path(tmp) / f"p{i}"), "--level", str(args.level), "--defaults"], args.repeat
        )
    if times is None:
        return 2
    return report(f"new --level {args.level} --defaults", times, target=3)


if __name__ == "__main__":
    sys.exit(main())
