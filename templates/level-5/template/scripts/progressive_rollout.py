#!/usr/bin/env python3
"""Progressive delivery of an online deployment: the canary steps, and the verdict after each one
from the endpoint's Azure Monitor metrics, with the standard library only (CI runners have python3).

    python3 scripts/progressive_rollout.py steps                       # "10 50 100" (mlops/rollout.json)
    python3 scripts/progressive_rollout.py settings                    # BAKE_MINUTES=10
    python3 scripts/progressive_rollout.py judge --metrics metrics.json --deployment green
        exit 0: promote to the next step; exit 1: roll back (the reason is printed); exit 2: bad input

metrics.json is `az monitor metrics list --resource <endpoint id> --metrics RequestLatency_P95
RequestsPerMinute --filter "deployment eq '<new>' and statusCodeClass eq '*'" --aggregation Average
Total --interval PT1M --output json` over the bake time: RequestLatency_P95 is averaged, the 5xx share
of RequestsPerMinute is the error rate. With fewer than minRequests requests the canary cannot be
judged; insufficientTraffic says whether that promotes (the smoke tests passed) or rolls back.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "mlops" / "rollout.json"
LATENCY, REQUESTS = "RequestLatency_P95", "RequestsPerMinute"


class RolloutError(ValueError):
    """The settings or the metrics cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    steps: tuple[int, ...]
    bake_minutes: int
    max_server_error_percent: float
    max_latency_p95_ms: float
    min_requests: int
    insufficient_traffic: str


@dataclass(frozen=True)
class Verdict:
    promote: bool
    reason: str


def load_settings(path: Path = DEFAULT_SETTINGS) -> Settings:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        settings = Settings(
            steps=tuple(int(s) for s in raw["steps"]),
            bake_minutes=int(raw["bakeMinutes"]),
            max_server_error_percent=float(raw["maxServerErrorPercent"]),
            max_latency_p95_ms=float(raw["maxLatencyP95Milliseconds"]),
            min_requests=int(raw["minRequests"]),
            insufficient_traffic=str(raw["insufficientTraffic"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RolloutError(f"{path}: {error}") from error
    steps = settings.steps
    if not steps or steps[0] <= 0 or steps[-1] != 100 or any(b <= a for a, b in itertools.pairwise(steps)):
        raise RolloutError(f"{path}: steps must rise strictly and end at 100, got {list(steps)}")
    if settings.insufficient_traffic not in ("promote", "rollback"):
        raise RolloutError(f"{path}: insufficientTraffic must be promote or rollback")
    return settings


def _series(metrics: Any, name: str) -> list[dict[str, Any]]:
    values = metrics.get("value") if isinstance(metrics, dict) else None
    if not isinstance(values, list):
        raise RolloutError("expected the output of az monitor metrics list (an object with `value`)")
    return [v for v in values if (v.get("name") or {}).get("value") == name]


def _class_of(series: dict[str, Any]) -> str:
    for item in series.get("metadatavalues") or []:
        if (item.get("name") or {}).get("value", "").lower() == "statuscodeclass":
            return str(item.get("value", ""))
    return ""


def judge(metrics: Any, settings: Settings) -> Verdict:
    """Promote when the new deployment's error rate and p95 latency are within the settings."""
    total = errors = 0.0
    for metric in _series(metrics, REQUESTS):
        for series in metric.get("timeseries") or []:
            count = sum(float(p.get("total") or 0) for p in series.get("data") or [])
            total += count
            errors += count if _class_of(series).startswith("5") else 0
    latencies = [
        float(p["average"])
        for metric in _series(metrics, LATENCY)
        for series in metric.get("timeseries") or []
        for p in series.get("data") or []
        if p.get("average") is not None
    ]
    if total < settings.min_requests:
        promote = settings.insufficient_traffic == "promote"
        outcome = "promoted on the smoke tests" if promote else "not enough traffic to judge"
        return Verdict(promote, f"only {total:.0f} requests (< {settings.min_requests}): {outcome}")
    error_percent = 100.0 * errors / total
    latency = sum(latencies) / len(latencies) if latencies else 0.0
    measured = f"{total:.0f} requests, {error_percent:.2f}% server errors, p95 latency {latency:.0f} ms"
    if error_percent > settings.max_server_error_percent:
        return Verdict(False, f"{measured}: errors above {settings.max_server_error_percent}%")
    if latency > settings.max_latency_p95_ms:
        return Verdict(False, f"{measured}: latency above {settings.max_latency_p95_ms:.0f} ms")
    return Verdict(True, measured)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=Path, default=DEFAULT_SETTINGS)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("steps", help="the traffic percentages of the canary, in order")
    commands.add_parser("settings", help="BAKE_MINUTES=<n> for the workflow")
    judged = commands.add_parser("judge", help="promote (exit 0) or roll back (exit 1)")
    judged.add_argument("--metrics", type=Path, required=True)
    judged.add_argument("--deployment", required=True, help="the new deployment (for the message)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.settings)
        if args.command == "steps":
            print(" ".join(str(step) for step in settings.steps))
            return 0
        if args.command == "settings":
            print(f"BAKE_MINUTES={settings.bake_minutes}")
            return 0
        verdict = judge(json.loads(args.metrics.read_text(encoding="utf-8")), settings)
    except (RolloutError, OSError, ValueError) as error:
        print(f"progressive_rollout: {error}", file=sys.stderr)
        return 2
    print(f"{args.deployment}: {'promote' if verdict.promote else 'roll back'}: {verdict.reason}")
    return 0 if verdict.promote else 1


if __name__ == "__main__":
    sys.exit(main())
