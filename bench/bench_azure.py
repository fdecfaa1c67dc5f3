"""Speed of the Azure scan (issue 10): `mlops-ladder scan-azure` over a synthetic estate of 5,000
resources and 20 workspaces (each with 50 models, 10 online endpoints and 20 schedules) behind the
local emulator with 50 ms added to every call, parallel (the default) against one call at a time
(MLOPS_LADDER_AZURE_CONCURRENCY=1). Targets: at least 8x faster, peak memory under 300 MB.

Each scan is a whole process of the installed command, timed from start to exit, its peak memory
from the rusage wait4 returns; the emulator runs in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.timing import cli  # noqa: E402
from tests.azure_emulator.estate import SUBSCRIPTION  # noqa: E402

SPEED_TARGET = 8.0
MEMORY_TARGET_MB = 300


def run_scan(env: dict, concurrency: int) -> tuple[float, float, str]:
    """(seconds, peak MB, first line of the summary) of one `scan-azure` process."""
    env = dict(env, MLOPS_LADDER_AZURE_CONCURRENCY=str(concurrency))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([*cli(), "scan-azure", "--subscription", SUBSCRIPTION, "--quiet"], env=env,
                                stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f"scan-azure failed: {err.read().strip()}")
        return elapsed, usage.ru_maxrss / 1024, out.readline().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.azure_emulator.serve",
                folder,
                "--latency",
                str(args.latency),
                "--resources",
                str(args.resources),
                "--workspaces",
                str(args.workspaces),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started = json.loads(server.stdout.readline())
        env = dict(
            os.environ,
            AZURE_RESOURCE_MANAGER_ENDPOINT=started["url"],
            REQUESTS_CA_BUNDLE=started["cert"],
            PATH=started["bin"] + os.pathsep + os.environ["PATH"],
        )
        env.pop("CI", None)
        print(f"emulator at {started['url']}, {args.latency * 1000:.0f} ms per call", file=sys.stderr)
        parallel, parallel_mb, summary = run_scan(env, args.concurrency)
        print(
            f"parallel ({args.concurrency}): {parallel:.1f} s, {parallel_mb:.0f} MB; {summary}",
            file=sys.stderr,
        )
        sequential, sequential_mb, _ = run_scan(env, 1)
        print(f"one call at a time: {sequential:.1f} s, {sequential_mb:.0f} MB", file=sys.stderr)
        server.stdin.close()
        finished = json.loads(server.stdout.readline())
        server.wait()
    speedup = sequential / parallel
    met = speedup >= SPEED_TARGET and parallel_mb < MEMORY_TARGET_MB and not finished["violations"]
    result = {
        "parallel_s": round(parallel, 2),
        "sequential_s": round(sequential, 2),
        "speedup": round(speedup, 1),
        "peak_mb": round(parallel_mb),
        "calls_per_scan": finished["requests"] // 2,
        "summary": summary,
        "targets_met": met,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"speed-up {speedup:.1f}x (target >= {SPEED_TARGET:g}x), peak {parallel_mb:.0f} MB "
            f"(target < {MEMORY_TARGET_MB} MB), {finished['requests'] // 2} calls per scan: "
            f"{'met' if met else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
