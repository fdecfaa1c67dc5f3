"""Python files of a large repository parsed by forked worker processes as well as this one.

Repositories with PARALLEL_MIN_FILES Python files or more (on Linux) are parsed by forked
worker processes as well as this one (start_parsing, ParseJob); the facts, the notes and
their order are the same as a serial scan's.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.common import Note
from mlops_ladder.assessment.evidence.repo.files import FORGOTTEN, RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.project.text_facts import python_text_facts
from mlops_ladder.assessment.evidence.repo.python.model import forget_shared_parts
from mlops_ladder.assessment.evidence.repo.python.parse import Parsed, parse_module, read_and_parse

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Future, ProcessPoolExecutor

    from mlops_ladder.assessment.evidence.repo.project.model import PythonTextFacts

# Parsing dominates the scan of a large repository (ast.parse alone is ~80 us for a small file),
# so from PARALLEL_MIN_FILES files on, forked workers read and parse runs ("chunks") of the files.
# start_parsing() forks them right after the listing, so they work while this process collects
# the CI, IaC and Azure ML facts; collect() then takes the last chunks no worker has started
# (work stealing: the split balances itself whatever else this process had to do) and adopts
# the workers' results in file order. A worker returns, per file, whether it could read it, the
# notes it made, the compact facts (Parsed, no syntax tree) and the project facts of the text (not
# the text: parsed files are forgotten, here as in a serial scan), so the evidence, the notes and
# the read cache are the same as a serial scan's. Anything going wrong with a worker (no fork, a
# crash, a pickling error) falls back to parsing its files here. Fork only: workers inherit
# the listing instead of receiving it.

# Measured (azureml-examples' files, collect_python alone, best of 8): 50 files take 48 ms in one
# process and 46 ms with a worker, 150 files 213 and 157 ms; in an assess the worker also parses while
# this process reads the CI (azureml-examples, 499 files: 0.4-0.8 s less). A worker costs about what
# 50 files do, so from 100 on it pays.
PARALLEL_MIN_FILES = 100
MAX_PROCESSES = 4
# Parse cost of a file ~ this many bytes of source plus its size: measured ~120 us per file
# plus ~0.15 us per byte, so small files cost mostly the fixed part.
_FILE_COST_BYTES = 800
_CHUNKS_PER_PROCESS = 24  # small enough to balance the work, large enough to keep messages few
_HAND_OUT_SECONDS = 1.0  # longest wait for the pool to give the workers their first chunks
_worker_files: RepoFiles | None = None  # a worker's (forked) copy of the listing

# Per file: whether it was readable, the notes of the read, the notes of the parse, the facts and the
# project facts of its text. Not the text: it is forgotten once parsed (parse.read_and_parse), so
# sending it back would only cost pickling and memory.
_FileResult = tuple[bool, list[Note], list[Note], "Parsed | None", "PythonTextFacts | None"]


def start_parsing(files: RepoFiles, *, processes: int | None = None) -> ParseJob | None:
    """Fork workers that start parsing the Python files now; None when this process parses them
    all (a small repository, one CPU, other threads running, no fork). Pass the job to
    collect(..., started=job)."""
    python_files = [f for f in files.files if f.path.endswith(".py")]
    count = _process_count(len(python_files)) if processes is None else max(1, processes)
    if count == 1:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    chunks = _chunks(python_files, count)
    workers = min(count - 1, len(chunks))
    pool = None
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_adopt_files,
            initargs=(files,),
        )
        # Handed out largest file first: a large module's syntax tree is many times its size, and
        # this process, which ends the parse holding every file's facts, takes the last chunks
        sizes = {f.path: f.size for f in python_files}
        order = sorted(range(len(chunks)), key=lambda index: -max(sizes[path] for path in chunks[index]))
        submitted = {index: pool.submit(_parse_chunk, chunks[index]) for index in order}
        futures = [submitted[index] for index in range(len(chunks))]
    except Exception:  # no fork here (sandbox, resource limits): this process parses everything
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        return None
    return ParseJob(files, chunks, pool, futures, workers, order)


def _process_count(file_count: int) -> int:
    # Forking a process that runs other threads can deadlock the child on a lock one of them held.
    if file_count < PARALLEL_MIN_FILES or sys.platform != "linux" or threading.active_count() > 1:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES))


def _chunks(python_files: list[RepoFile], processes: int) -> list[list[str]]:
    """Contiguous runs of paths, in file order, of about the same estimated parse cost."""
    costs = [f.size + _FILE_COST_BYTES for f in python_files]
    chunk_cost = sum(costs) / (processes * _CHUNKS_PER_PROCESS)
    chunks: list[list[str]] = []
    filled = chunk_cost  # start a new chunk with the first file
    for repo_file, cost in zip(python_files, costs, strict=True):
        if filled >= chunk_cost:
            chunks.append([])
            filled = 0.0
        chunks[-1].append(repo_file.path)
        filled += cost
    return chunks


class ParseJob:
    """Python files being read and parsed by forked workers (see start_parsing)."""

    def __init__(
        self,
        files: RepoFiles,
        chunks: list[list[str]],
        pool: ProcessPoolExecutor,
        futures: list[Future[list[_FileResult]]],
        workers: int,
        order: list[int] | None = None,
    ) -> None:
        self.files = files
        self.chunks = chunks  # in file order, as are the futures
        self.pool = pool
        self.futures = futures
        self.workers = workers
        self.order = list(range(len(chunks))) if order is None else order  # as they were submitted

    def finish(self) -> list[Parsed | None]:
        """The facts of every Python file, in file order, with reads and notes adopted here."""
        try:
            parsed_here = self._take_unstarted_chunks()
            parsed: list[Parsed | None] = []
            for index, chunk in enumerate(self.chunks):
                here = index in parsed_here
                results = parsed_here[index] if here else _result(self.futures[index])
                if results is None:  # the worker failed: parse its files here, in order
                    parsed.extend(read_and_parse(self.files, path) for path in chunk)
                    continue
                for path, (readable, read_notes, parse_notes, facts, text_facts) in zip(
                    chunk, results, strict=True
                ):
                    if here:  # already read and forgotten here; the notes were kept aside
                        self.files.notes.extend(read_notes)
                    else:
                        self.files.adopt_read(path, FORGOTTEN if readable else None, read_notes)
                        if text_facts is not None:
                            self.files.text_facts[path] = text_facts
                    self.files.notes.extend(parse_notes)
                    parsed.append(facts)
            return parsed
        finally:
            self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _take_unstarted_chunks(self) -> dict[int, list[_FileResult]]:
        """Parse here, from the last one back, the chunks no worker has started (cancelled in the
        pool); their notes are kept aside so that they are recorded in file order afterwards."""
        # Let the pool hand the first chunks to the workers first: otherwise, right after the fork,
        # this process could cancel them all before the pool's thread has queued any.
        committed = [self.futures[index] for index in self.order[: self.workers]]
        deadline = time.monotonic() + _HAND_OUT_SECONDS
        while not all(f.running() or f.done() for f in committed) and time.monotonic() < deadline:
            time.sleep(0.001)
        parsed_here: dict[int, list[_FileResult]] = {}
        for index in reversed(self.order):
            if not self.futures[index].cancel():
                break  # a worker has this chunk; the pool hands chunks out in order, so those before too
            first_note = len(self.files.notes)
            parsed_here[index] = _parse_chunk(self.chunks[index], self.files)
            del self.files.notes[first_note:]
        return parsed_here


def _result(future: Future[list[_FileResult]]) -> list[_FileResult] | None:
    try:
        return future.result()
    except Exception:  # a worker died or its results did not pickle: the chunk is parsed here
        return None


def _adopt_files(files: RepoFiles) -> None:
    global _worker_files
    _worker_files = files


def _parse_chunk(paths: list[str], files: RepoFiles | None = None) -> list[_FileResult]:
    """Read and parse *paths* (in a worker: with the listing the pool initializer set)."""
    in_worker = files is None
    files = files if files is not None else _worker_files
    assert files is not None, "the pool initializer sets the listing"
    results: list[_FileResult] = []
    for path in paths:
        first_note = len(files.notes)
        text = files.read_text(path)
        read_end = len(files.notes)
        facts = text_facts = None
        if text is not None:
            facts = parse_module(files, path, text)
            text_facts = python_text_facts(path, text)
            if not in_worker:  # a worker sends them back instead
                files.text_facts[path] = text_facts
            files.forget_text(path)
            del text
        read_notes, parse_notes = files.notes[first_note:read_end], files.notes[read_end:]
        results.append((text_facts is not None, read_notes, parse_notes, facts, text_facts))
    if in_worker:
        forget_shared_parts()
        _release_free_memory()
    return results


def _release_free_memory() -> None:
    """Give the memory a worker freed back to the system (glibc keeps it for the process otherwise):
    a chunk's syntax trees are gone once it is parsed, and this process's pages count towards
    the assessment's memory while the main process fills up with the facts."""
    global _malloc_trim
    if _malloc_trim is None:
        import ctypes

        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (AttributeError, OSError):  # not glibc
            _malloc_trim = False
    if callable(_malloc_trim):
        _malloc_trim(0)


_malloc_trim: Callable[[int], int] | bool | None = None  # libc's malloc_trim; False: there is none
