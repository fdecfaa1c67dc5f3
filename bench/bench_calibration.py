"""Measure `assess` against an expert's ratings of real repositories (../shared/calibration).

For every entry of labels.yaml: extract its tarball into a temporary folder, make it a git
repository with one commit, assess `path_hint` inside it, and compare the level with the
expert's `expected_level` and `accept` list. Prints one row per repository (expected, accepted,
got, and for a verdict other than the expected one the core criteria that decided it), then the
agreement over the counted entries (`scope: secondary` entries are shown, not counted).

Targets (issue 7): at least 90% of the counted entries within `accept`, and none two or more
levels from `expected_level`. The exit status is 0 only when both hold.

    python bench/bench_calibration.py [--calibration DIR] [--only NAME] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_CALIBRATION = HERE.parent.parent / "shared" / "calibration"
MIN_AGREEMENT = 0.90


@dataclass
class Row:
    repo: str
    expected: int
    accept: list[int]
    got: int | None
    counted: bool
    seconds: float = 0.0
    decided_by: list[str] = field(default_factory=list)  # core criteria behind a verdict != expected
    error: str = ""

    @property
    def within(self) -> bool:
        return self.got is not None and self.got in self.accept

    @property
    def far(self) -> bool:
        """Two or more levels from the expected one (or no verdict at all)."""
        return self.got is None or abs(self.got - self.expected) >= 2


def _extract(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="tar")
    entries = [p for p in into.iterdir()]
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else into
    git = ["git", "-c", "user.email=calibration@mlops-ladder.invalid", "-c", "user.name=calibration"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot", "--no-verify"], cwd=root, check=True)
    return root


def _decided_by(report, expected: int) -> list[str]:
    """Why the verdict is not the expected level: the unmet core criteria of the level above the
    verdict (too low), or the core criteria that passed at the level above the expected one (too high)."""
    got = report.level
    if got < expected:
        return [f"{f.criterion.id} {f.outcome.value}: {f.found}" for f in report.missing_core(got + 1)]
    if got > expected:
        above = expected + 1
        return [
            f"{f.criterion.id} {f.outcome.value}: {f.found}"
            for f in report.findings
            if f.criterion.core and f.criterion.level == above and f.outcome.is_met
        ]
    return []


def assess_entry(entry: dict, calibration: Path, work: Path) -> Row:
    from mlops_ladder.assessment.api import assess

    name = entry["repo"].replace("/", "+")
    row = Row(
        repo=entry["repo"],
        expected=int(entry["expected_level"]),
        accept=[int(x) for x in entry["accept"]],
        got=None,
        counted=entry.get("scope") != "secondary",
    )
    tarball = calibration / "repos" / f"{name}.tar.gz"
    if not tarball.exists():
        row.error = f"{tarball} not found"
        return row
    try:
        root = _extract(tarball, work / name)
        start = time.perf_counter()
        report = assess(root / entry.get("path_hint", "."))
        row.seconds = time.perf_counter() - start
        row.got = report.level
        row.decided_by = _decided_by(report, row.expected)
    except Exception as exc:  # a crash is a result to report, not a reason to stop measuring
        row.error = f"{type(exc).__name__}: {exc}"
    return row


def run(calibration: Path, only: str | None = None) -> list[Row]:
    labels = yaml.safe_load((calibration / "labels.yaml").read_text(encoding="utf-8"))
    entries = [e for e in labels["repos"] if only is None or only.lower() in e["repo"].lower()]
    with tempfile.TemporaryDirectory(prefix="mlops-ladder-calibration-") as tmp:
        return [assess_entry(entry, calibration, Path(tmp)) for entry in entries]


def summary(rows: list[Row]) -> dict:
    counted = [r for r in rows if r.counted]
    within = sum(r.within for r in counted)
    return {
        "counted": len(counted),
        "within_accept": within,
        "agreement": within / len(counted) if counted else 0.0,
        "exact": sum(r.got == r.expected for r in counted),
        "far": [r.repo for r in rows if r.far],
        "secondary_within_accept": sum(r.within for r in rows if not r.counted),
        "secondary": sum(not r.counted for r in rows),
    }


def meets_targets(result: dict) -> bool:
    return result["agreement"] >= MIN_AGREEMENT and not result["far"]


def print_table(rows: list[Row], result: dict) -> None:
    width = max(len(r.repo) for r in rows) + 2
    print(f"{'repository':<{width}} expected  accept   got  {'':6}")
    for r in rows:
        mark = "ok" if r.within else ("FAR" if r.far else "miss")
        scope = "" if r.counted else " (secondary)"
        got = "-" if r.got is None else str(r.got)
        accept = ",".join(map(str, r.accept))
        print(f"{r.repo:<{width}} {r.expected:>8}  {accept:<7} {got:>3}  {mark}{scope}  {r.seconds:.1f}s")
        if r.error:
            print(f"{'':<{width}}   error: {r.error}")
        for line in r.decided_by[:4] if r.got != r.expected else ():
            print(f"{'':<{width}}   {line[:140]}")
    print(
        f"\nagreement: {result['within_accept']}/{result['counted']} counted entries within accept "
        f"({result['agreement']:.0%}), {result['exact']} exactly as expected; "
        f"secondary: {result['secondary_within_accept']}/{result['secondary']} within accept; "
        f"two or more levels off: {', '.join(result['far']) or 'none'}"
    )
    target = "met" if meets_targets(result) else "NOT met"
    print(f"target (>= {MIN_AGREEMENT:.0%} within accept, none two levels off): {target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--calibration",
        type=Path,
        default=Path(os.environ.get("MLOPS_LADDER_CALIBRATION", DEFAULT_CALIBRATION)),
    )
    parser.add_argument("--only", help="only the repositories whose name contains this")
    parser.add_argument("--json", action="store_true", help="print the rows and the summary as JSON")
    args = parser.parse_args(argv)
    if not (args.calibration / "labels.yaml").exists():
        print(
            f"error: {args.calibration}/labels.yaml not found (hint: pass --calibration DIR)", file=sys.stderr
        )
        return 3
    rows = run(args.calibration, args.only)
    result = summary(rows)
    if args.json:
        payload = {"rows": [asdict(r) | {"within": r.within, "far": r.far} for r in rows], "summary": result}
        print(json.dumps(payload, indent=2))
    else:
        print_table(rows, result)
    return 0 if meets_targets(result) else 1


if __name__ == "__main__":
    sys.exit(main())
