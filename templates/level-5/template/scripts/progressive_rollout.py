#!/usr/bin/env python3
"""Progressive delivery of an online deployment: the traffic steps of the canary, read from
mlops/rollout.json, with the standard library only (CI runners have python3).

    python3 scripts/progressive_rollout.py steps        # "10 50": the canary steps below 100 %

Each step is held and judged like the level-3 canary (mlops/release.yml: canary.minutes with
canary.probe_requests probes, then the canary check on Azure Monitor's metrics against
max_error_rate, max_latency_p95_ms and min_requests); the last step, 100 %, follows the last verdict.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "mlops" / "rollout.json"


class RolloutError(ValueError):
    """The settings cannot be used; the message says which and why."""


def load_steps(path: Path = DEFAULT_SETTINGS) -> tuple[int, ...]:
    """The traffic percentages, rising strictly from above 0 to 100."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        steps = tuple(int(step) for step in raw["steps"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RolloutError(f"{path}: {error}") from error
    if not steps or steps[0] <= 0 or steps[-1] != 100 or any(b <= a for a, b in itertools.pairwise(steps)):
        raise RolloutError(f"{path}: steps must rise strictly from above 0 and end at 100, got {list(steps)}")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=Path, default=DEFAULT_SETTINGS)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("steps", help="the canary's traffic percentages below 100, in order")
    args = parser.parse_args(argv)
    try:
        steps = load_steps(args.settings)
    except RolloutError as error:
        print(f"progressive_rollout: {error}", file=sys.stderr)
        return 2
    print(" ".join(str(step) for step in steps if step < 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
