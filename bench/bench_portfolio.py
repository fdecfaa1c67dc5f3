"""Benchmark the portfolio (issue 11): 50 generated level-3 projects assessed by one
`mlops-ladder assess P1 ... P50` at least 1.7x faster than one `mlops-ladder assess P` after another.

Both are measured side by side in one run, rounds interleaved (sequential, portfolio, sequential...)
so that the load of a shared machine falls on both alike; the figure is the ratio of the medians.
The projects are made once with `mlops-ladder new DEST --level 3 --defaults` (distinct project names)
and cached in bench/.data/portfolio-<N> (rebuilt when the tool version changes). Every project must
assess at level 3 in both modes, or the run fails.

    python bench/bench_portfolio.py [--projects 50] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timing import cli

DATA = Path(__file__).resolve().parent / ".data"
TARGET = 1.7


def make_projects(count: int) -> list[Path]:
    from mlops_ladder import __version__

    folder = DATA / f"portfolio-{count}"
    stamp = folder / ".version"
    if stamp.exists() and stamp.read_text() == __version__:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    projects = []
    for i in range(count):
        dest = folder / f"proj{i:03d}"
        args = [
            *cli(),
            "new",
            str(dest),
            "--level",
            "3",
            "--defaults",
            "--data",
            f"project_name=bench{i:03d}",
        ]
        proc = subprocess.run(args, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"could not generate {dest}: {proc.stderr.strip()}")
        projects.append(dest)
        print(f"\rgenerated {i + 1}/{count}", end="", file=sys.stderr)
    print(file=sys.stderr)
    stamp.write_text(__version__)
    return projects


def sequential(projects: list[Path]) -> float:
    start = time.perf_counter()
    for project in projects:
        proc = subprocess.run(
            [*cli(), "assess", str(project), "-f", "json", "-q"], capture_output=True, text=True
        )
        _check(proc, [json.loads(proc.stdout)["level"]] if proc.returncode == 0 else [])
    return time.perf_counter() - start


def portfolio(projects: list[Path]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [*cli(), "assess", *map(str, projects), "-f", "json", "-q"], capture_output=True, text=True
    )
    levels = [json.loads(line)["level"] for line in proc.stdout.splitlines()] if proc.returncode == 0 else []
    if len(levels) != len(projects):
        levels = []
    _check(proc, levels)
    return time.perf_counter() - start


def _check(proc: subprocess.CompletedProcess, levels: list[int]) -> None:
    if proc.returncode != 0 or not levels or any(level != 3 for level in levels):
        sys.exit(f"assess failed or a project is not level 3 (exit {proc.returncode}): {proc.stderr[-500:]}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="results as JSON on stdout")
    args = parser.parse_args()
    projects = make_projects(args.projects)
    portfolio(projects[:4])  # warm-up: OS caches, .pyc files
    one_by_one, together = [], []
    for round_number in range(args.repeat):
        one_by_one.append(sequential(projects))
        together.append(portfolio(projects))
        print(
            f"round {round_number + 1}: sequential {one_by_one[-1]:.1f} s, portfolio {together[-1]:.1f} s",
            file=sys.stderr,
        )
    seq, par = statistics.median(one_by_one), statistics.median(together)
    ratio = seq / par
    result = {
        "projects": len(projects),
        "sequential_s": round(seq, 2),
        "portfolio_s": round(par, 2),
        "speedup": round(ratio, 2),
        "target": TARGET,
        "met": ratio >= TARGET,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{len(projects)} level-3 projects: one assess after another {seq:.1f} s, portfolio {par:.1f} s "
            f"(medians of {args.repeat}); speed-up {ratio:.2f}x, target >= {TARGET}x: "
            f"{'met' if result['met'] else 'MISSED'}"
        )
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
