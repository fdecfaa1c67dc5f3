"""Benchmark `assess` on a synthetic 20,000-file repository against a baseline.

Baseline: list the files with git and read every file the collector reads (the same
set of paths, raw bytes, no parsing). Target on the 2-core machine: assess within 3x of
the baseline and under 2 s. Also times `mlops-ladder --help` (target < 0.3 s).

    python bench/bench_assess.py [--files 20000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / ".data"

PY_MODULE = '''"""Module {i}."""
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression


def feature_{i}(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["f{i}"] = np.log1p(df["x"]) * {i}
    return df


def fit_{i}(df: pd.DataFrame, seed: int = {i}) -> LogisticRegression:
    model = LogisticRegression(random_state=seed)
    model.fit(df[["f{i}"]], df["y"])
    return model
'''

TEST_MODULE = """from pkg{p}.mod{i} import feature_{i}


def test_feature_{i}():
    assert feature_{i} is not None
"""

COMPONENT = """$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: step_{i}
version: "1"
type: command
inputs:
  data: {{type: uri_folder}}
outputs:
  out: {{type: uri_folder}}
code: ../src
command: python -m pkg0.mod{i} --data ${{{{inputs.data}}}} --out ${{{{outputs.out}}}}
environment: azureml:train-env:1
"""

CONFIG = "name: config-{i}\nvalues:\n  alpha: {i}\n  beta: [1, 2, 3]\n  nested: {{a: 1, b: two}}\n"

WORKFLOW = """name: wf{i}
on:
  pull_request:
  schedule:
    - cron: "0 {h} * * *"
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - run: python -m pytest -q tests/
      - run: ruff check .
"""


def generate(root: Path, n_files: int, seed: int = 7) -> None:
    """A repo shaped like a large monorepo: mostly code and tests, some YAML, notebooks, binaries, docs."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    mix = [
        ("py", 0.40),
        ("test", 0.15),
        ("yaml", 0.12),
        ("component", 0.03),
        ("ipynb", 0.05),
        ("bin", 0.08),
        ("md", 0.10),
        ("csv", 0.05),
        ("json", 0.02),
    ]
    kinds = rng.choices([k for k, _ in mix], weights=[w for _, w in mix], k=n_files - 12)
    (root / "requirements.txt").write_text("numpy==2.1.0\npandas==2.2.3\nscikit-learn==1.5.2\n")
    (root / "pyproject.toml").write_text("[project]\nname='big'\nversion='0'\n[tool.ruff]\nline-length=100\n")
    wf = root / ".github" / "workflows"
    wf.mkdir(parents=True)
    for i in range(10):
        (wf / f"wf{i}.yml").write_text(WORKFLOW.format(i=i, h=i))
    for i, kind in enumerate(kinds):
        pkg = i % 50
        if kind == "py":
            path = root / f"src/pkg{pkg}/mod{i}.py"
            text: str | bytes = PY_MODULE.format(i=i)
        elif kind == "test":
            path = root / f"tests/pkg{pkg}/test_mod{i}.py"
            text = TEST_MODULE.format(p=pkg, i=i)
        elif kind == "yaml":
            path = root / f"config/area{pkg}/config{i}.yml"
            text = CONFIG.format(i=i)
        elif kind == "component":
            path = root / f"components/step{i}/component.yml"
            text = COMPONENT.format(i=i)
        elif kind == "ipynb":
            path = root / f"notebooks/area{pkg}/nb{i}.ipynb"
            text = json.dumps(
                {
                    "cells": [
                        {
                            "cell_type": "code",
                            "source": ["import pandas as pd\n", f"x = {i}\n"],
                            "metadata": {},
                            "outputs": [],
                            "execution_count": None,
                        }
                    ],
                    "metadata": {},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
            )
        elif kind == "bin":
            path = root / f"assets/area{pkg}/blob{i}.png"
            text = bytes(rng.getrandbits(8) for _ in range(2048)) + b"\0"
        elif kind == "md":
            path = root / f"docs/area{pkg}/page{i}.md"
            text = f"# Page {i}\n\n" + "Lorem ipsum dolor sit amet. " * 20
        elif kind == "csv":
            path = root / f"data/area{pkg}/sample{i}.csv"
            text = "x,y\n" + "".join(f"{j},{j % 2}\n" for j in range(50))
        else:
            path = root / f"config/json{pkg}/settings{i}.json"
            text = json.dumps({"name": f"s{i}", "values": list(range(20))})
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "synthetic"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def paths_the_collector_reads(root: Path) -> list[str]:
    """Run the collector once and list what it read (RepoFiles keeps every read, including those
    its forked parse workers made; instrumenting RepoFiles._read here would miss the latter)."""
    from mlops_ladder.assessment.evidence.repo.collect import collect_repo

    return collect_repo(root).files.read_paths()


BASELINE_SCRIPT = """
import subprocess, sys
from pathlib import Path
root = Path(sys.argv[1])
subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
               check=True, capture_output=True)
for p in Path(sys.argv[2]).read_text().splitlines():
    (root / p).read_bytes()
"""


def time_baseline(root: Path, paths: list[str]) -> float:
    """A Python process that lists the files with git and reads the collector's files (no parsing)."""
    listing = DATA / "baseline-paths.txt"
    listing.write_text("\n".join(paths))
    return time_command([sys.executable, "-c", BASELINE_SCRIPT, str(root), str(listing)])


def time_command(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated repository in bench/.data")
    args = parser.parse_args()
    root = DATA / f"synthetic-{args.files}"
    t0 = time.perf_counter()
    generate(root, args.files)
    print(f"generated {args.files} files in {time.perf_counter() - t0:.1f} s at {root}")

    exe = shutil.which("mlops-ladder") or sys.executable
    cli = [exe] if exe.endswith("mlops-ladder") else [sys.executable, "-m", "mlops_ladder"]
    paths = paths_the_collector_reads(root)
    time_command([*cli, "assess", str(root), "--format", "json"])  # warm the OS file cache
    baseline = [time_baseline(root, paths) for _ in range(args.repeat)]
    assess = [time_command([*cli, "assess", str(root), "--format", "json"]) for _ in range(args.repeat)]
    helps = [time_command([*cli, "--help"]) for _ in range(args.repeat)]
    b, a, h = statistics.median(baseline), statistics.median(assess), statistics.median(helps)
    print(f"collector reads {len(paths)} of {args.files} files")
    print(f"baseline (a Python process: git ls-files + read those files): {b:.3f} s")
    print(
        f"assess (whole CLI process, JSON output):     {a:.3f} s  = {a / b:.1f}x baseline"
        "  (target <= 3x, < 2 s)"
    )
    print(f"--help (whole CLI process):                  {h:.3f} s  (target < 0.3 s)")
    if not args.keep:
        shutil.rmtree(root)
    ok = a < 2.0 and a <= 3 * b and h < 0.3
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
