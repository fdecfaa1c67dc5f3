#!/usr/bin/env python3
"""Print the release settings of one environment (mlops/release.yml) as KEY=value lines for CI.

    python3 scripts/release_settings.py prod >> "$GITHUB_ENV"
        INSTANCE_COUNT=2, CANARY_PERCENT=10, CANARY_MINUTES=10, ... (online)

Reads the file with scripts/ci_env.py's parser (standard library only). Exits 2 with the file and
the problem on a missing or invalid setting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ci_env import ConfigError, parse_simple_yaml

DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "mlops" / "release.yml"
# mlops/release.yml key -> (variable, lowest value, highest value)
CANARY = {
    "mirror_percent": ("MIRROR_PERCENT", 0, 50),
    "mirror_minutes": ("MIRROR_MINUTES", 1, 120),
    "traffic_percent": ("CANARY_PERCENT", 1, 50),
    "minutes": ("CANARY_MINUTES", 1, 120),
    "probe_requests": ("PROBE_REQUESTS", 0, 10_000),
    "max_error_rate": ("MAX_ERROR_RATE", 0, 1),
    "max_latency_p95_ms": ("MAX_LATENCY_P95_MS", 1, 600_000),
    "min_requests": ("MIN_REQUESTS", 0, 1_000_000),
}


def _number(value: Any, where: str, low: float, high: float) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where} must be a number, got {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{where} must be from {low} to {high}, got {value}")
    return str(value)


def settings(config: dict[str, Any], env: str) -> dict[str, str]:
    environments = config.get("environments") or {}
    if env not in environments:
        raise ConfigError(f"no environment {env!r} under `environments:` ({', '.join(environments)})")
    count = (environments[env] or {}).get("instance_count")
    if not isinstance(count, int) or count < 1:
        raise ConfigError(f"environments.{env}.instance_count must be a whole number >= 1, got {count!r}")
    values = {"INSTANCE_COUNT": str(count)}
    if "canary" in config:
        canary = config["canary"] or {}
        for key, (variable, low, high) in CANARY.items():
            if key not in canary:
                raise ConfigError(f"canary.{key} is missing")
            values[variable] = _number(canary[key], f"canary.{key}", low, high)
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("env", help="environment name, e.g. prod")
    parser.add_argument("--settings", type=Path, default=DEFAULT_SETTINGS, help="path of mlops/release.yml")
    args = parser.parse_args(argv)
    try:
        values = settings(parse_simple_yaml(args.settings.read_text(encoding="utf-8")), args.env)
    except (OSError, ConfigError) as error:
        print(f"release_settings: {args.settings}: {error}", file=sys.stderr)
        return 2
    print("\n".join(f"{key}={value}" for key, value in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
