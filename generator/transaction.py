"""File writes as one transaction: every operation is journalled, any failure or Ctrl-C undoes them all.

Each write goes through a temporary file beside its target and os.replace. Before an operation
can change the tree, the journal records how to undo it (a folder it creates, a temporary file, the
previous bytes and mode of a file it replaces or removes); rollback() undoes them newest first, so
the tree ends exactly as it was: same bytes, same modes, no temporary file, no new folder.

Ctrl-C is deferred while the transaction runs (interrupts()): SIGINT only sets a flag, and the
KeyboardInterrupt is raised between two operations (checkpoint), never in the middle of one; during
the rollback it is ignored until the tree is restored. The *fault* hook is called at every point
between operations, with the name of the next one, so tests can interrupt at each point in turn.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FaultHook = Callable[[str], None]  # called with e.g. "mkdir infra", "replace infra/main.bicep"


class Journal:
    """The undo log of one transaction on the tree under *root*."""

    def __init__(self, root: Path, fault: FaultHook | None = None) -> None:
        self.root = root
        self.fault = fault
        self.interrupted = False  # set by the SIGINT handler, raised at the next checkpoint
        self._undo: list[tuple[str, Path, bytes | None, int | None]] = []

    def checkpoint(self, operation: str) -> None:
        """A point between two operations: where a deferred Ctrl-C (or a test's fault) strikes."""
        if self.fault is not None:
            self.fault(operation)
        if self.interrupted:
            self.interrupted = False
            raise KeyboardInterrupt

    # -- operations --------------------------------------------------------------------------------
    def write(self, target: Path, content: bytes) -> None:
        self.make_folders(target.parent)
        info = _stat(target)
        if info is not None:
            previous = target.read_bytes()  # exact bytes and mode to put back
            self._undo.append(("restore", target, previous, info.st_mode & 0o7777))
        else:
            self._undo.append(("unlink", target, None, None))
        self.checkpoint(f"create temporary file for {self._rel(target)}")
        fd, tmp = _make_temporary(target)
        self._undo.append(("unlink", Path(tmp), None, None))
        try:
            self.checkpoint(f"write {self._rel(target)}")
            _write_all(fd, content)
        finally:
            os.close(fd)
        self.checkpoint(f"set the mode of {self._rel(target)}")
        os.chmod(tmp, info.st_mode & 0o7777 if info is not None else _default_mode())
        self.checkpoint(f"replace {self._rel(target)}")
        os.replace(tmp, target)

    def remove(self, target: Path) -> None:
        info = _stat(target)
        if info is None:
            return
        self._undo.append(("restore", target, target.read_bytes(), info.st_mode & 0o7777))
        self.checkpoint(f"remove {self._rel(target)}")
        target.unlink()

    def make_folders(self, folder: Path) -> None:
        missing = []
        while not folder.exists() and folder != self.root and self.root in folder.parents:
            missing.append(folder)
            folder = folder.parent
        for created in reversed(missing):
            self.checkpoint(f"create folder {self._rel(created)}")
            created.mkdir()
            self._undo.append(("rmdir", created, None, None))

    # -- undo ----------------------------------------------------------------------------------------
    def rollback(self) -> None:
        """Undo every recorded operation, newest first. Each undo is idempotent: it checks the tree."""
        for kind, path, previous, mode in reversed(self._undo):
            if kind == "unlink":
                path.unlink(missing_ok=True)
            elif kind == "rmdir":
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
            elif _stat(path) is None or path.read_bytes() != previous or _mode(path) != mode:
                _put_back(path, previous or b"", mode)
        self._undo.clear()

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if self.root in path.parents else str(path)


@contextmanager
def interrupts(journal: Journal) -> Iterator[None]:
    """Defer SIGINT to the journal's next checkpoint while the transaction runs (main thread only:
    signal handlers cannot be set elsewhere, and there Ctrl-C does not arrive anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def defer(signum: int, frame: object) -> None:
        journal.interrupted = True

    previous = signal.signal(signal.SIGINT, defer)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if journal.interrupted:  # arrived after the last checkpoint: still an interrupt of the transaction
        journal.interrupted = False
        raise KeyboardInterrupt


@contextmanager
def interrupts_ignored() -> Iterator[None]:
    """While the tree is put back, a second Ctrl-C must not leave it half restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def current_umask() -> int:
    """The process's umask (it can only be read by setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _default_mode() -> int:
    """What open() would give a new file: 0o666 less the umask (mkstemp's own files are 0o600)."""
    return 0o666 & ~current_umask()


def _make_temporary(target: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".mlops-ladder-tmp", dir=target.parent)


def _write_all(fd: int, content: bytes) -> None:
    view = memoryview(content)
    while view:
        view = view[os.write(fd, view) :]


def _put_back(target: Path, content: bytes, mode: int | None) -> None:
    fd, tmp = _make_temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, mode if mode is not None else _default_mode())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
