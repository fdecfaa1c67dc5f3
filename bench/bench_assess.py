"""Benchmark `mlops-ladder assess` on three repositories against a parse floor.

Repositories (choose with --repos):
  synthetic         a generated 20,000-file monorepo (--files N), rebuilt each run
  azureml-examples  Azure/azureml-examples from the benchmark corpus (--corpus DIR), cached
  site-packages     a copy of this environment's site-packages committed to git, cached

For each repository, in the same run and alternating between them (one warm-up round, then
--repeat rounds), it times:
  floor   a Python process that lists the files with git and parses every YAML (libyaml),
          Python (ast), notebook and JSON file of 2 MiB or less: the parsing an assessment
          cannot avoid
  assess  the whole `mlops-ladder assess PATH --format json` process: wall and CPU time and
          peak memory (the largest resident set of the process or any of its parse workers, in
          every timed run; the proportional set size summed over the process tree, sampled in
          the warm-up run)
and, for the synthetic repository, the read-only baseline (list and read, no parsing) and
`mlops-ladder --help`. It also records how much CPU other processes used during each run.

Targets: assess <= 2x the floor on every repository, assess peak memory < 300 MB on
site-packages, --help < 0.3 s. The exit status is 0 only when every target is met.

    python bench/bench_assess.py [--repos synthetic,azureml-examples,site-packages]
        [--files 20000] [--repeat 5] [--corpus DIR] [--max-busy CORES] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from timing import cli

HERE = Path(__file__).parent
CHECKOUT = HERE.parent
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


GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@x",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@x",
}
MIB = 1024 * 1024
MAX_READ_BYTES = 2 * MIB  # the tool's limit (assessment/evidence/repo/files.py): larger files are not read

# Targets
MAX_ASSESS_OVER_FLOOR = 2.0
MAX_SITE_PACKAGES_MIB = 300
MAX_HELP_SECONDS = 0.3

RETRIES = 3  # --max-busy: measurements of one repository in one round redone at most this often

REPOS = ("synthetic", "azureml-examples", "site-packages")
CORPUS_TARBALL = "Azure+azureml-examples.tar.gz"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Unavailable(Exception):
    """A repository that cannot be prepared (its source is missing): skipped with a one-line reason."""


# -- the repositories ---------------------------------------------------------------------------


def git_snapshot(root: Path, message: str) -> None:
    """Make *root* a git repository with one commit of everything in it."""
    for args in (
        ["init", "-q", "-b", "main"],
        ["-c", "gc.auto=0", "add", "-A"],
        ["-c", "gc.auto=0", "commit", "-q", "--no-verify", "-m", message],
    ):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=GIT_ENV, capture_output=True)


def cached_build(dest: Path, source_id: dict[str, object], build: Callable[[Path], None]) -> bool:
    """Reuse *dest* when it was built from *source_id*; otherwise build it into a temporary folder
    that replaces *dest* only when complete (an interrupted or failed build leaves the previous
    copy in place and is never reused). True when built."""
    stamp = dest.with_name(dest.name + ".source.json")
    if (dest / ".git").is_dir() and stamp.is_file() and json.loads(stamp.read_text()) == source_id:
        return False
    partial = dest.with_name(dest.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    try:
        build(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    stamp.unlink(missing_ok=True)
    if dest.exists():
        shutil.rmtree(dest)
    partial.rename(dest)
    stamp.write_text(json.dumps(source_id))
    return True


def default_corpus() -> Path:
    """`../shared/bench-corpus` next to the checkout; in a `git worktree` also next to the main
    checkout (worktrees usually live deeper, e.g. /work/wt/NAME beside /work/main)."""
    candidate = CHECKOUT.parent / "shared" / "bench-corpus"
    if candidate.is_dir():
        return candidate
    proc = subprocess.run(
        ["git", "-C", str(CHECKOUT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
        capture_output=True,
        text=True,
    )
    if proc.returncode == 0:
        main_checkout = Path(proc.stdout.strip()).parent
        shared = main_checkout.parent / "shared" / "bench-corpus"
        if shared.is_dir():
            return shared
    return candidate


def prepare_azureml_examples(corpus: Path) -> Path:
    tarball = corpus / CORPUS_TARBALL
    if not tarball.is_file():
        raise Unavailable(f"{tarball} not found (set --corpus DIR)")
    info = tarball.stat()
    source_id = {"tarball": tarball.name, "size": info.st_size, "mtime_ns": info.st_mtime_ns}
    dest = DATA / "azureml-examples"

    def build(into: Path) -> None:
        with tempfile.TemporaryDirectory(dir=DATA) as tmp, tarfile.open(tarball) as archive:
            # the "tar" filter refuses absolute paths and links out of the folder; sparse
            # members (large and binary files, zeros in the corpus) are restored at their size
            archive.extractall(tmp, filter="tar")
            (top,) = Path(tmp).iterdir()  # the archive holds one folder, Azure+azureml-examples/
            for entry in top.iterdir():
                entry.rename(into / entry.name)
        git_snapshot(into, "snapshot")

    t0 = time.perf_counter()
    try:
        built = cached_build(dest, source_id, build)
    except (tarfile.TarError, OSError, ValueError) as exc:  # a damaged or unreadable tarball
        reason = " ".join(str(exc).split())  # one line (tarfile's messages can span several)
        raise Unavailable(f"{tarball} could not be extracted: {reason}") from exc
    if built:
        log(f"azureml-examples: extracted {tarball.name}, committed it in {time.perf_counter() - t0:.1f} s")
    return dest


def prepare_site_packages() -> Path:
    """A copy of the running environment's site-packages (purelib), without bytecode, in git."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    if not purelib.is_dir():
        raise Unavailable(f"{purelib} (purelib) is not a folder")
    distributions = sorted(p.name for p in purelib.glob("*.dist-info"))
    source_id = {"purelib": str(purelib), "distributions": distributions}
    dest = DATA / "site-packages-repo"

    def build(into: Path) -> None:
        shutil.copytree(
            purelib,
            into,
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            dirs_exist_ok=True,
        )
        git_snapshot(into, f"site-packages of {sys.executable}: {len(distributions)} distributions")

    t0 = time.perf_counter()
    if cached_build(dest, source_id, build):
        log(f"site-packages: copied {purelib} and committed it in {time.perf_counter() - t0:.1f} s")
    return dest


def git_file_count(root: Path) -> int:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        check=True,
        capture_output=True,
    ).stdout
    return out.count(b"\0")


# -- the measures ---------------------------------------------------------------------------------

# The floor: what an assessment cannot avoid doing, in the cheapest way Python offers: start an
# interpreter, list the files as the tool does, and parse every file the tool must parse with the
# fastest parser (libyaml through PyYAML's CSafeLoader, ast.parse, json.loads). Files over the
# tool's 2 MiB limit are skipped; parse errors are ignored. Prints what it parsed, as JSON.
FLOOR_SCRIPT = r"""
import ast, json, os, subprocess, sys
import yaml

root = sys.argv[1]
limit = int(sys.argv[2])
listing = subprocess.run(
    ["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
    check=True, capture_output=True,
).stdout
kinds = {".yml": "yaml", ".yaml": "yaml", ".py": "python", ".ipynb": "notebook", ".json": "json"}
counts = {"listed": 0, "yaml": 0, "python": 0, "notebook": 0, "json": 0, "too_large": 0, "errors": 0}
for rel in os.fsdecode(listing).split("\0"):
    if not rel:
        continue
    counts["listed"] += 1
    kind = kinds.get(os.path.splitext(rel)[1].lower())
    if kind is None:
        continue
    try:
        with open(os.path.join(root, rel), "rb") as handle:
            if os.fstat(handle.fileno()).st_size > limit:
                counts["too_large"] += 1
                continue
            text = handle.read().decode("utf-8-sig", "replace")  # as the tool: a BOM is dropped
    except OSError:
        counts["errors"] += 1
        continue
    counts[kind] += 1
    try:
        if kind == "yaml":
            for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
                pass
        elif kind == "python":
            ast.parse(text)
        else:
            json.loads(text)
    except Exception:
        counts["errors"] += 1
print(json.dumps(counts))
"""

# The read-only baseline (synthetic repository): list, then read as raw bytes every file the
# collector reads, no parsing.
BASELINE_SCRIPT = """
import subprocess, sys
from pathlib import Path
root = Path(sys.argv[1])
subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
               check=True, capture_output=True)
for p in Path(sys.argv[2]).read_text().splitlines():
    (root / p).read_bytes()
"""


def paths_the_collector_reads(root: Path) -> list[str]:
    """Run the collector once and list what it read (RepoFiles keeps every read, including those
    its forked parse workers made; instrumenting RepoFiles._read here would miss the latter)."""
    from mlops_ladder.assessment.evidence.repo.collect import collect_repo

    return collect_repo(root).files.read_paths()


@dataclass
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the process and its waited-for descendants
    peak_rss_kib: int  # largest ru_maxrss of the process and its waited-for descendants
    stdout: str
    others_cpu_seconds: float | None = None  # CPU the rest of the machine used meanwhile (noise)


def machine_busy_seconds() -> float | None:
    """CPU time all processes of the machine have used since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_measured(args: list[str], *, keep_stdout: bool = False) -> Run:
    """Run *args* to completion: wall time, CPU time and peak memory, from the rusage that wait4
    gives for this child (as /usr/bin/time reports them). Its ru_maxrss is the largest resident set
    of the child or of any descendant it waited for (assess joins its parse workers): the biggest
    single process, not a sum over processes. Raises on a non-zero exit."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        busy_before = machine_busy_seconds()
        start = time.perf_counter()
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out if keep_stdout else subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        busy_after = machine_busy_seconds()
        proc.returncode = os.waitstatus_to_exitcode(status)
        _check_exit(args, proc.returncode, err)
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        others = None
        if busy_before is not None and busy_after is not None:
            others = max(0.0, busy_after - busy_before - cpu)  # /proc/stat ticks: 10 ms resolution
        return Run(elapsed, cpu, usage.ru_maxrss, out.read().decode() if keep_stdout else "", others)


def run_sampling_memory(args: list[str], interval: float = 0.02) -> int | None:
    """Run *args* to completion and return the peak, over samples every *interval* seconds, of the
    proportional set size (PSS) summed over the process and its descendants, in bytes: what the
    whole process tree holds at once, pages a forked worker shares with its parent counted once.
    None without psutil (the run still happens). Reading PSS costs ~20 ms of CPU per sample, so
    this is only done in the untimed warm-up round."""
    try:
        import psutil
    except ImportError:
        run_measured(args)
        return None
    with tempfile.TemporaryFile() as err:
        proc = psutil.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        while proc.poll() is None:
            try:
                members = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                members = [proc]
            total = 0
            for member in members:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_full_info().pss
            peak = max(peak, total)
            time.sleep(interval)
        _check_exit(args, proc.returncode, err)
    return peak


def _check_exit(args: list[str], returncode: int, err: IO[bytes]) -> None:
    if returncode != 0:
        err.seek(0)
        tail = err.read()[-2000:].decode(errors="replace")
        raise RuntimeError(f"{' '.join(args)} exited with {returncode}:\n{tail}")


@dataclass
class Repo:
    name: str
    root: Path
    files: int
    floor: list[Run] = field(default_factory=list)
    floor_counts: dict[str, int] = field(default_factory=dict)
    assess: list[Run] = field(default_factory=list)
    tree_pss_bytes: int | None = None  # sampled in the warm-up round
    noisy: int = 0  # rounds kept although other processes were busier than --max-busy
    # synthetic only
    baseline: list[float] = field(default_factory=list)
    helps: list[float] = field(default_factory=list)
    read_paths: list[str] = field(default_factory=list)

    def floor_args(self, script: Path) -> list[str]:
        return [sys.executable, str(script), str(self.root), str(MAX_READ_BYTES)]

    def assess_args(self) -> list[str]:
        return [*cli(), "assess", str(self.root), "--format", "json"]

    @property
    def floor_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.floor)

    @property
    def assess_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.assess)

    @property
    def ratio(self) -> float:
        return self.assess_seconds / self.floor_seconds

    @property
    def peak_rss_mib(self) -> float:
        return statistics.median(r.peak_rss_kib for r in self.assess) / 1024

    @property
    def peak_memory_mib(self) -> float:
        """The memory figure the target checks: the larger of the biggest single process (median of
        the timed runs) and the whole tree's summed PSS (warm-up run), so that moving memory into
        the workers cannot hide it."""
        tree = 0.0 if self.tree_pss_bytes is None else self.tree_pss_bytes / MIB
        return max(self.peak_rss_mib, tree)


def others_cores(run: Run) -> float:
    """How many cores other processes kept busy, on average, during *run* (0 when unknown)."""
    return (run.others_cpu_seconds or 0.0) / run.seconds if run.seconds > 0 else 0.0


def measure_round(
    repo: Repo, floor_script: Path, baseline_list: Path | None, warm_up: bool, max_busy: float | None
) -> None:
    """One round on one repository: floor, then assess (and, for the synthetic repository, the
    baseline and --help). The warm-up round is not timed; it samples assess's memory instead.
    With *max_busy*, a floor and assess pair during which other processes kept more than that
    many cores busy is measured again (at most RETRIES times; the last pair is kept, counted noisy)."""
    if warm_up:
        run_measured(repo.floor_args(floor_script))
        repo.tree_pss_bytes = run_sampling_memory(repo.assess_args())
    else:
        for attempt in range(RETRIES + 1):
            floor = run_measured(repo.floor_args(floor_script), keep_stdout=True)
            assess = run_measured(repo.assess_args())
            busy = max(others_cores(floor), others_cores(assess))
            if max_busy is None or busy <= max_busy:
                break
            if attempt == RETRIES:
                repo.noisy += 1
                log(f"{repo.name}: other processes kept {busy:.2f} cores busy; kept after {RETRIES} retries")
            else:
                log(f"{repo.name}: other processes kept {busy:.2f} cores busy; measuring again")
        repo.floor.append(floor)
        repo.floor_counts = json.loads(floor.stdout)
        repo.assess.append(assess)
    if baseline_list is not None:
        baseline = run_measured([sys.executable, "-c", BASELINE_SCRIPT, str(repo.root), str(baseline_list)])
        helps = run_measured([*cli(), "--help"])
        if not warm_up:
            repo.baseline.append(baseline.seconds)
            repo.helps.append(helps.seconds)


# -- results --------------------------------------------------------------------------------------


@dataclass
class Target:
    repo: str
    name: str
    value: float
    limit: float
    unit: str

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.unit == "x" else self.value < self.limit

    def describe(self) -> str:
        if self.unit == "x":
            return (
                f"{self.repo}: {self.name} {self.value:.2f}x (target <= {self.limit:g}x): "
                f"{'met' if self.met else 'MISSED'}"
            )
        return (
            f"{self.repo}: {self.name} {self.value:g} {self.unit} (target < {self.limit:g} {self.unit}): "
            f"{'met' if self.met else 'MISSED'}"
        )


def targets_of(repo: Repo) -> list[Target]:
    targets = [Target(repo.name, "assess / floor", round(repo.ratio, 2), MAX_ASSESS_OVER_FLOOR, "x")]
    if repo.name == "site-packages":
        memory = round(repo.peak_memory_mib)
        targets.append(Target(repo.name, "assess peak memory", memory, MAX_SITE_PACKAGES_MIB, "MiB"))
    if repo.helps:
        targets.append(
            Target(repo.name, "--help", round(statistics.median(repo.helps), 3), MAX_HELP_SECONDS, "s")
        )
    return targets


def _stats(values: list[float], digits: int = 3) -> dict[str, object]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def _others(runs: list[Run]) -> list[float] | None:
    """CPU seconds other processes used during each run: a busy shared machine shows here."""
    values = [r.others_cpu_seconds for r in runs]
    return None if any(v is None for v in values) else [round(v, 2) for v in values if v is not None]


def summary(repo: Repo) -> dict[str, object]:
    result: dict[str, object] = {
        "path": str(repo.root),
        "files": repo.files,
        "floor_parsed": repo.floor_counts,
        "floor_seconds": _stats([r.seconds for r in repo.floor]),
        "floor_cpu_seconds": _stats([r.cpu_seconds for r in repo.floor]),
        "assess_seconds": _stats([r.seconds for r in repo.assess]),
        "assess_cpu_seconds": _stats([r.cpu_seconds for r in repo.assess]),
        "assess_over_floor": round(repo.ratio, 2),
        "assess_peak_rss_mib": _stats([r.peak_rss_kib / 1024 for r in repo.assess], 0),
        "assess_tree_pss_peak_mib": None if repo.tree_pss_bytes is None else round(repo.tree_pss_bytes / MIB),
        "others_cpu_seconds_during_assess": _others(repo.assess),
        "others_cpu_seconds_during_floor": _others(repo.floor),
        "noisy_rounds_kept": repo.noisy,
    }
    if repo.baseline:
        result["collector_reads"] = len(repo.read_paths)
        result["baseline_seconds"] = _stats(repo.baseline)
        result["help_seconds"] = _stats(repo.helps)
    return result


def print_table(repos: list[Repo]) -> None:
    print(
        f"{'repository':<17}{'files':>6}{'parsed':>7}{'floor':>8}{'assess':>8}{'ratio':>6}"
        f"{'floor CPU':>10}{'assess CPU':>11}{'peak RSS':>10}{'tree PSS':>10}"
    )
    for repo in repos:
        parsed = sum(repo.floor_counts.get(k, 0) for k in ("yaml", "python", "notebook", "json"))
        tree = "-" if repo.tree_pss_bytes is None else f"{repo.tree_pss_bytes / MIB:.0f} MiB"
        floor_cpu = statistics.median(r.cpu_seconds for r in repo.floor)
        assess_cpu = statistics.median(r.cpu_seconds for r in repo.assess)
        print(
            f"{repo.name:<17}{repo.files:>6}{parsed:>7}{repo.floor_seconds:>7.2f}s{repo.assess_seconds:>7.2f}s"
            f"{repo.ratio:>5.1f}x{floor_cpu:>9.2f}s{assess_cpu:>10.2f}s"
            f"{repo.peak_rss_mib:>6.0f} MiB{tree:>10}"
        )
    noise = [v for repo in repos for v in (_others(repo.floor + repo.assess) or [])]
    if noise:
        print(
            f"other processes used {statistics.median(noise):.2f} s of CPU per measured run (median; "
            f"max {max(noise):.2f} s): the more, the noisier the figures"
        )
    for repo in repos:
        if repo.baseline:
            baseline = statistics.median(repo.baseline)
            print(
                f"{repo.name}: read-only baseline (git ls-files + read the {len(repo.read_paths)} files "
                f"the collector reads) {baseline:.3f} s, assess = {repo.assess_seconds / baseline:.1f}x "
                f"baseline; --help {statistics.median(repo.helps):.3f} s"
            )
    print(
        "floor: one Python process, git ls-files + parse every YAML (libyaml), .py (ast), .ipynb/.json "
        "(json) of <= 2 MiB. CPU: user + system of the process and its workers. peak RSS: the largest "
        "single process (assess or a worker), median; tree PSS: summed over the processes, sampled "
        "in the warm-up run. The memory target checks the larger of the two."
    )


# -- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repos",
        default=",".join(REPOS),
        help=f"comma-separated, among {', '.join(REPOS)} (default: all)",
    )
    parser.add_argument("--files", type=int, default=20_000, help="files of the synthetic repository")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds after one warm-up round")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="folder holding Azure+azureml-examples.tar.gz (default: ../shared/bench-corpus "
        "relative to the checkout)",
    )
    parser.add_argument(
        "--max-busy",
        type=float,
        default=None,
        metavar="CORES",
        help="measure a repository's floor and assess again (up to 3 times) when other processes kept "
        "more than CORES cores busy meanwhile (Linux; e.g. 0.1 on a shared machine)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated synthetic repository")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    args = parser.parse_args()
    args.repos = [name.strip() for name in args.repos.split(",") if name.strip()]
    unknown = [name for name in args.repos if name not in REPOS]
    if unknown or not args.repos:
        parser.error(f"--repos: unknown {', '.join(unknown) or '(none)'}; choose among {', '.join(REPOS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def prepare(name: str, args: argparse.Namespace) -> Path:
    if name == "synthetic":
        root = DATA / f"synthetic-{args.files}"
        t0 = time.perf_counter()
        generate(root, args.files)
        log(f"synthetic: generated {args.files} files in {time.perf_counter() - t0:.1f} s at {root}")
        return root
    if name == "azureml-examples":
        return prepare_azureml_examples(args.corpus if args.corpus is not None else default_corpus())
    return prepare_site_packages()


def git_head() -> str:
    proc = subprocess.run(
        ["git", "-C", str(CHECKOUT), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    return proc.stdout.strip() or "unknown"


def main() -> int:
    args = parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    repos: list[Repo] = []
    skipped: dict[str, str] = {}
    for name in args.repos:
        try:
            root = prepare(name, args)
        except Unavailable as exc:
            skipped[name] = str(exc)
            log(f"{name}: skipped: {exc}")
            continue
        repos.append(Repo(name, root, git_file_count(root)))
    synthetic = next((r for r in repos if r.name == "synthetic"), None)
    with tempfile.TemporaryDirectory(prefix="bench-assess-") as tmp:
        floor_script = Path(tmp) / "floor.py"
        floor_script.write_text(FLOOR_SCRIPT)
        baseline_list = Path(tmp) / "baseline-paths.txt"
        if synthetic is not None:
            synthetic.read_paths = paths_the_collector_reads(synthetic.root)
            baseline_list.write_text("\n".join(synthetic.read_paths))
        try:
            for round_ in range(
                args.repeat + 1 if repos else 0
            ):  # round 0 warms the OS caches and samples memory
                t0 = time.perf_counter()
                for repo in repos:  # A B C A B C ...: drift of the shared machine hits every repository
                    baseline = baseline_list if repo is synthetic else None
                    measure_round(repo, floor_script, baseline, round_ == 0, args.max_busy)
                kind = " (warm-up, memory sampled)" if round_ == 0 else ""
                log(f"round {round_}/{args.repeat}{kind}: {time.perf_counter() - t0:.1f} s")
        except RuntimeError as exc:
            log(f"a benchmarked command failed: {exc}")
            return 2
        finally:
            if synthetic is not None and not args.keep:
                shutil.rmtree(synthetic.root)

    targets = [t for repo in repos for t in targets_of(repo)]
    ok = all(t.met for t in targets) and not skipped
    if args.json:
        print(
            json.dumps(
                {
                    "commit": git_head(),
                    "date": time.strftime("%Y-%m-%d"),
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                    "repeat": args.repeat,
                    "max_busy": args.max_busy,
                    "repos": {repo.name: summary(repo) for repo in repos},
                    "skipped": skipped,
                    "targets": [{**vars(t), "met": t.met} for t in targets],
                    "all_targets_met": ok,
                },
                indent=2,
            )
        )
    else:
        print(f"medians of {args.repeat} alternating rounds after one warm-up (commit {git_head()})")
        if repos:
            print_table(repos)
        for target in targets:
            print(target.describe())
        for name, reason in skipped.items():
            print(f"{name}: skipped ({reason}): its targets are not checked")
        print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
