"""Benchmark `mlops-ladder upgrade --to 3` on a freshly generated level-2 project (target < 5 s).

Times the whole CLI process: assess, plan (render the new layer, re-render the two existing
layers at the recorded and the current template version for the 3-way update), apply, assess.

    python bench/bench_upgrade.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import cli, report, time_runs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "level2"
        subprocess.run(
            [*cli(), "new", str(pristine), "--level", "2", "--defaults"], check=True, capture_output=True
        )

        def fresh_copy(i: int) -> list[str]:
            work = Path(tmp) / f"run{i}"
            shutil.copytree(pristine, work, symlinks=True)
            return ["upgrade", str(work), "--to", "3"]

        times = time_runs(fresh_copy, args.repeat)
    if times is None:
        return 2
    return report("upgrade level 2 -> 3", times, target=5)


if __name__ == "__main__":
    sys.exit(main())
