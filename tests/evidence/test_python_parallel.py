"""The Python collector with forked workers gives exactly what the serial scan gives.

Large repositories are parsed by forked workers (parallel.start_parsing / ParseJob): they
take chunks of files from the front while this process takes the unstarted ones from the back.
The evidence, the notes (in order) and the text cache must not depend on who parsed what.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles, list_repo_files
from mlops_ladder.assessment.evidence.repo.python import parallel as python_parallel
from mlops_ladder.assessment.evidence.repo.python.collect import collect as collect_python
from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")

HELPER = (
    "from mlflow.tracking import MlflowClient\n"
    "def get_production_score(name):\n"
    "    client = MlflowClient()\n"
    "    version = client.get_latest_versions(name, stages=['Production'])[0]\n"
    "    return float(client.get_run(version.run_id).data.metrics['rmse'])\n"
)
HELPER_CALLER = (  # reads the registry only through the helper: found by the second pass
    "from util.model_helper import get_production_score\n"
    "def main(name, rmse):\n"
    "    if rmse > get_production_score(name):\n"
    "        raise SystemExit('worse than production')\n"
)
FLAG_WRITER = (
    "import json\n"
    "from mlflow.tracking import MlflowClient\n"
    "def evaluate(name, score):\n"
    "    client = MlflowClient()\n"
    "    current = client.get_model_version(name, '1')\n"
    "    if score > float(current.tags['score']):\n"
    "        deploy_flag = 1\n"
    "    else:\n"
    "        deploy_flag = 0\n"
    "    with open('deploy_flag.json', 'w') as handle:\n"
    "        json.dump({'deploy_flag': deploy_flag}, handle)\n"
)
FLAG_READER = (
    "import json\n"
    "import mlflow\n"
    "def register(name):\n"
    "    with open('deploy_flag.json') as handle:\n"
    "        deploy_flag = json.load(handle)['deploy_flag']\n"
    "    if deploy_flag:\n"
    "        mlflow.register_model('runs:/x/model', name)\n"
)


def _corpus() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "src/pkg/__init__.py": "",
        "src/pkg/evaluate.py": FLAG_WRITER,
        "src/pkg/register.py": FLAG_READER,
        "src/util/model_helper.py": HELPER,
        "src/gate.py": HELPER_CALLER,
        # bad files first (a worker takes the first chunk) and last (this process takes the last)
        "aa/broken.py": "def broken(:\n    pass\n",
        "aa/latin.py": "# caf\xe9 in Latin-1\nimport os\nos.getcwd()\n".encode("latin-1"),
        "aa/blob.py": b"\x00\x01binary\x00",
        "zz/broken.py": "def broken(:\n    pass\n",
        "zz/latin.py": "# caf\xe9 in Latin-1\nimport os\nos.getcwd()\n".encode("latin-1"),
        "zz/blob.py": b"\x00\x01binary\x00",
        "src/pipeline.py": (
            "from azure.ai.ml import dsl, MLClient\n"
            "@dsl.pipeline(name='train')\n"
            "def train_pipeline(data):\n"
            "    return {}\n"
            "ml_client = MLClient.from_config()\n"
            "ml_client.jobs.create_or_update(train_pipeline(1), experiment_name='x')\n"
        ),
        "scripts/run.py": "import subprocess\nsubprocess.run(['python', 'src/train.py', '--seed', '1'])\n",
        "notebooks/explore.ipynb": (
            '{"cells": [{"cell_type": "code", "source": ["import pandas as pd\\n"]}], "nbformat": 4}'
        ),
        "notebooks/bad.ipynb": "{not json",
    }
    for i in range(40):
        files[f"src/pkg/mod{i}.py"] = (
            "import numpy as np\n"
            "from . import register\n"
            f"from .mod{(i + 1) % 40} import helper_{(i + 1) % 40}\n"
            f"SEED = {i}\n"
            f"def helper_{i}(x):\n"
            "    np.random.seed(SEED)\n"
            f"    return register.register('m{i}') or x\n"
        )
        files[f"tests/test_mod{i}.py"] = (
            f"from pkg.mod{i} import helper_{i}\n\ndef test_it():\n    helper_{i}(1)\n"
        )
    return files


def _collect(root: Path, processes: int, read_first: str | None = None) -> tuple[PythonEvidence, RepoFiles]:
    """Collect with *processes*; *read_first*: a file another collector reads before (serial) or
    while (workers) the Python files are parsed."""
    files = list_repo_files(root)
    if processes == 1:
        if read_first:
            files.read_text(read_first)
        return collect_python(files, processes=1), files
    job = python_parallel.start_parsing(files, processes=processes)
    if read_first:
        files.read_text(read_first)
    return collect_python(files, started=job), files


def _assert_same(serial: tuple[PythonEvidence, RepoFiles], other: tuple[PythonEvidence, RepoFiles]) -> None:
    (evidence, files), (other_evidence, other_files) = serial, other
    assert other_evidence.modules == evidence.modules
    assert other_evidence.notebooks == evidence.notebooks
    assert other_files.notes == files.notes
    for repo_file in files.files:
        assert other_files.read_text(repo_file.path) == files.read_text(repo_file.path)
    assert other_files.notes == files.notes  # reading again from the cache notes nothing new


@pytest.fixture
def corpus_root(repo_factory) -> Path:
    return repo_factory(_corpus())


@pytest.fixture
def adoptions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths whose read was taken over from a worker."""
    adopted: list[str] = []
    original = RepoFiles.adopt_read

    def recording(self: RepoFiles, path: str, text, notes) -> None:  # type: ignore[no-untyped-def]
        adopted.append(path)
        original(self, path, text, notes)

    monkeypatch.setattr(RepoFiles, "adopt_read", recording)
    return adopted


@pytest.fixture
def slow_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers start late, so this process surely takes the last chunks and a worker the first."""
    original = python_parallel._adopt_files

    def slow_start(files: RepoFiles) -> None:  # the pool's initializer: runs in each worker
        time.sleep(0.3)
        original(files)

    monkeypatch.setattr(python_parallel, "_adopt_files", slow_start)


def test_the_corpus_exercises_notes_gates_and_helpers(corpus_root: Path) -> None:
    evidence, files = _collect(corpus_root, processes=1)
    notes = [str(n) for n in files.notes]
    for folder in ("aa", "zz"):
        assert any(f"{folder}/broken.py" in n and "not parsed" in n for n in notes)
        assert any(f"{folder}/latin.py" in n and "not UTF-8" in n for n in notes)
        assert any(f"{folder}/blob.py" in n and "binary" in n for n in notes)
    assert any("notebooks/bad.ipynb" in n for n in notes)
    gate = evidence.module_at("src/gate.py")
    assert gate is not None and gate.gates, "the registry helper's caller has a gate"
    writer = evidence.module_at("src/pkg/evaluate.py")
    assert writer is not None and writer.gates, "the flag writer is linked to its reader"


@pytest.mark.parametrize("processes", [2, 3])
def test_workers_give_the_serial_result(
    corpus_root: Path, adoptions: list[str], slow_workers: None, processes: int
) -> None:
    serial = _collect(corpus_root, processes=1)
    assert adoptions == []
    parallel = _collect(corpus_root, processes=processes)
    sources = sorted(corpus_root.rglob("*.py"), key=lambda path: -path.stat().st_size)
    largest = sources[0].relative_to(corpus_root).as_posix()
    assert largest in adoptions, "a worker was handed the largest file's chunk first"
    assert set(adoptions) < {path.relative_to(corpus_root).as_posix() for path in sources}, (
        "this process parsed the chunks handed out last"
    )
    _assert_same(serial, parallel)


def test_workers_started_early_give_the_serial_result(corpus_root: Path, adoptions: list[str]) -> None:
    # another collector reads a file a worker also reads: its own read and notes stand
    serial = _collect(corpus_root, processes=1, read_first="aa/latin.py")
    _assert_same(serial, _collect(corpus_root, processes=2, read_first="aa/latin.py"))


def test_a_failing_worker_falls_back_to_parsing_here(
    corpus_root: Path, adoptions: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _collect(corpus_root, processes=1)
    original = python_parallel.parse_module

    def crash_in_workers(*args, **kwargs):  # type: ignore[no-untyped-def]
        if python_parallel._worker_files is not None:  # set in workers only
            raise RuntimeError("worker lost")
        return original(*args, **kwargs)

    monkeypatch.setattr(python_parallel, "parse_module", crash_in_workers)
    _assert_same(serial, _collect(corpus_root, processes=2))
    assert adoptions == []


def test_without_fork_everything_is_parsed_here(
    corpus_root: Path, adoptions: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _collect(corpus_root, processes=1)
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])
    assert python_parallel.start_parsing(list_repo_files(corpus_root), processes=2) is None
    _assert_same(serial, _collect(corpus_root, processes=2))
    assert adoptions == []


def test_when_a_worker_cannot_be_forked_everything_is_parsed_here(
    corpus_root: Path, adoptions: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _collect(corpus_root, processes=1)

    def no_fork(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor.submit", no_fork)
    assert python_parallel.start_parsing(list_repo_files(corpus_root), processes=2) is None
    _assert_same(serial, _collect(corpus_root, processes=2))
    assert adoptions == []


def test_small_repositories_are_parsed_in_this_process() -> None:
    assert python_parallel._process_count(python_parallel.PARALLEL_MIN_FILES - 1) == 1


def test_a_process_running_threads_is_not_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_parallel.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert python_parallel._process_count(python_parallel.PARALLEL_MIN_FILES) == 2
    monkeypatch.setattr(python_parallel.threading, "active_count", lambda: 2)
    assert python_parallel._process_count(python_parallel.PARALLEL_MIN_FILES) == 1


@pytest.mark.parametrize("processes", [2, 3, 4])
def test_chunks_keep_every_path_once_in_order(processes: int) -> None:
    python_files = [RepoFile(f"m{i:04}.py", size=(i * 37) % 5000, tracked=True) for i in range(997)]
    chunks = python_parallel._chunks(python_files, processes)
    assert all(chunks)
    assert [p for chunk in chunks for p in chunk] == [f.path for f in python_files]
    cost = {f.path: f.size + python_parallel._FILE_COST_BYTES for f in python_files}
    target = sum(cost.values()) / (processes * python_parallel._CHUNKS_PER_PROCESS)
    # each chunk stops at the file that reaches the target cost
    assert all(sum(cost[p] for p in chunk[:-1]) < target for chunk in chunks)
    assert len(chunks) <= processes * python_parallel._CHUNKS_PER_PROCESS + 1
