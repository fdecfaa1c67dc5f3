"""List a repository's files (git-aware) and read them defensively.

Listing: in a git work tree, tracked files plus untracked files that are not ignored
(`git ls-files --cached --others --exclude-standard`); in a plain folder, every file
below it except well-known tool and environment folders. Symbolic links to folders are
never followed, so link loops cannot hang the scan; a link to a file outside the repository (or a
path a collector computed that leads outside it) is never read, only noted.

Reading: a file is read at most once and only when a collector asks for it. Files over
MAX_READ_BYTES, binary files (a NUL byte in the first 8 KiB), unreadable files and files
that vanish get a Note instead of text; text that is not UTF-8 is read with replacement
characters and noted. One bad file never stops the scan.

Two views make files readable that would not parse as written (both keep line numbers):
* the template view (template_view.py): in a repository that is a project template
  (cookiecutter, copier, a Databricks bundle template), each template file is also listed at
  the path of the project it generates, and read there with its template expressions replaced;
* Databricks source notebooks (`.py` files whose first line is `# Databricks notebook source`):
  their IPython line magics (`%pip install ...`, `%cd path`, `!cmd`) are read as comments.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlops_ladder.assessment.evidence.common import Note
from mlops_ladder.assessment.evidence.repo import template_view

MIB = 1024 * 1024
MAX_FOLDER_DEPTH = 100
"""Folders nested deeper than this below the root are noted and not read (real projects stay under 30)."""
_TOO_DEEP = f"folder not read: nested more than {MAX_FOLDER_DEPTH} folders deep"
MAX_READ_BYTES = 2 * MIB
"""Files larger than this (2 MiB) are listed but never read; documented in the README."""

# Folders a plain-folder walk skips: they hold tools' caches or installed packages, never project code.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "site-packages",
        ".eggs",
        "build",
        "dist",
        ".terraform",
    }
)


@dataclass(frozen=True)
class RepoFile:
    path: str  # repo-relative POSIX path
    size: int
    tracked: bool  # tracked by git (False for untracked files and for plain folders)
    source: str | None = None  # the template file this rendered path comes from (template view)

    # String operations, not PurePosixPath: these run for every file of 20,000-file repos.
    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name
        dot = name.rfind(".")
        return name[dot:].lower() if dot > 0 else ""


@dataclass
class GitInfo:
    is_repo: bool
    commit_count: int = 0
    head: str | None = None
    prefix: str = ""  # where the scanned folder is inside the work tree ("" at its top, else "sub/dir/")
    remote_url: str | None = None  # `origin` as configured (reports turn it into file links)


@dataclass
class RepoFiles:
    """The files of one repository and a cache of what was read from them."""

    root: Path
    files: list[RepoFile]
    git: GitInfo
    notes: list[Note] = field(default_factory=list)
    # path -> text read (None: not readable; FORGOTTEN: read, noted, then forgotten to save memory)
    _text: dict[str, str | _Forgotten | None] = field(default_factory=dict, repr=False)
    # path -> what a collector took from a text before forgetting it (project/text_facts.py)
    text_facts: dict[str, object] = field(default_factory=dict, repr=False)
    # (question, folder, *args) -> answer, for pure questions about the files that replays of
    # memoised script readings ask again and again (ci/commands/model.ask_folder)
    folder_answers: dict[tuple[object, ...], object] = field(default_factory=dict, repr=False, compare=False)
    _by_path: dict[str, RepoFile] = field(default_factory=dict, repr=False)
    _rendered: dict[str, template_view.RenderedFile] = field(default_factory=dict, repr=False)
    # attribute -> (the files list indexed, its length, value -> positions); see _lookup
    _indexes: dict[str, tuple[list[RepoFile], int, dict[str, list[int]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._by_path = {f.path: f for f in self.files}

    # -- queries ------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        return path in self._by_path

    def with_suffix(self, *suffixes: str) -> Iterator[RepoFile]:
        return self._lookup("suffix", {s.lower() for s in suffixes})

    def named(self, *names: str) -> Iterator[RepoFile]:
        return self._lookup("name", set(names))

    def _lookup(self, attribute: str, wanted: set[str]) -> Iterator[RepoFile]:
        """Files whose *attribute* ("suffix" or "name") is in *wanted*, in listing order, from an
        index built on first use (checks ask several times; a scan of 20,000 files is not free).
        A replaced or resized `files` list gets a new index."""
        cached = self._indexes.get(attribute)
        if cached is None or cached[0] is not self.files or cached[1] != len(self.files):
            index: dict[str, list[int]] = {}
            for position, repo_file in enumerate(self.files):
                index.setdefault(getattr(repo_file, attribute), []).append(position)
            cached = self._indexes[attribute] = (self.files, len(self.files), index)
        index = cached[2]
        positions = sorted(p for value in wanted for p in index.get(value, ()))
        return (self.files[p] for p in positions)

    def under(self, prefix: str) -> Iterator[RepoFile]:
        prefix = prefix.rstrip("/") + "/"
        return (f for f in self.files if f.path.startswith(prefix))

    def get(self, path: str) -> RepoFile | None:
        return self._by_path.get(path)

    # -- reading ------------------------------------------------------------------------
    def read_text(self, path: str) -> str | None:
        """Text of *path*, or None (with a Note) when it is too large, binary or unreadable."""
        cached = self._text.get(path, _UNREAD)
        if cached is not _UNREAD:
            if cached is FORGOTTEN:  # read from disk again; its notes were made the first time
                first_note = len(self.notes)
                text = self._load(path)
                del self.notes[first_note:]
                return text
            return cached  # type: ignore[return-value]
        text = self._load(path)
        self._text[path] = text
        return text

    def forget_text(self, path: str) -> None:
        """Drop the cached text of *path* (read before) to save memory: a later read_text reads
        the file again, without noting anything new. The Python collector forgets every source
        once parsed: a large repository's sources do not fit in memory twice over."""
        if self._text.get(path) is not None:
            self._text[path] = FORGOTTEN

    def forget_texts(self) -> None:
        """forget_text() for every text read so far."""
        text = self._text
        for path, cached in text.items():
            if cached is not None:
                text[path] = FORGOTTEN

    def _load(self, path: str) -> str | None:
        rendered = self._rendered.get(path)
        if rendered is None:
            text = self._read(path)
        else:
            text = self._read(rendered.source)
            if text is not None and rendered.templated:
                text = template_view.neutral_text(text, rendered.flavour)
        if text is not None and path.endswith(".py") and text.startswith(_DATABRICKS_SOURCE):
            text = _MAGIC_LINE.sub(r"# \1", text)
        return text

    def note(self, path: str, reason: str) -> None:
        rendered = self._rendered.get(path)
        if rendered is not None:  # said of the file the user has, not of a path it renders to
            path, reason = rendered.source, f"{reason} (read as {path}, the template view)"
        self.notes.append(Note(path, reason))

    def add_template_view(self) -> None:
        """List the template files of a project template at their rendered paths (template_view.py)."""
        manifests = [f.path for f in self.named(*template_view.MANIFESTS)]
        if not manifests:
            return
        added: list[RepoFile] = []
        for scope in template_view.find_scopes(manifests, self.read_text):
            count = 0
            for repo_file in list(self.under(scope.folder) if scope.folder else self.files):
                rendered = template_view.rendered_file(repo_file.path, scope)
                if rendered is None or rendered.path in self._by_path:
                    continue  # not a template file, or a real file (or an earlier template) has the path
                listed = RepoFile(rendered.path, repo_file.size, repo_file.tracked, source=repo_file.path)
                self._rendered[rendered.path] = rendered
                self._by_path[rendered.path] = listed
                added.append(listed)
                count += 1
            self.notes.append(
                Note(
                    scope.manifest,
                    f"project template: {count} template files are read as the project they generate "
                    "(at their rendered paths, template expressions replaced by placeholders)",
                )
            )
        if added:
            self.files = sorted(self.files + added, key=lambda f: f.path)

    def read_paths(self) -> list[str]:
        """Every path read so far (also those whose read gave a Note), each once, here or by a worker."""
        return list(self._text)

    def adopt_read(self, path: str, text: str | _Forgotten | None, notes: Iterable[Note]) -> None:
        """Take over a read of *path* that a worker process (forked from this one) made: the text is
        cached (or FORGOTTEN: read again on demand) and the read's notes recorded as if read here,
        unless this process has read the file since the fork (then its own read and notes stand,
        as a second read would find)."""
        if path in self._text:
            return
        self._text[path] = text
        self.notes.extend(notes)

    def _read(self, path: str) -> str | None:
        # One open, fstat and read on the descriptor (fewer system calls and objects than a stat of
        # the path and a file object: this runs for every file read). When the open fails, the
        # original stat-first sequence runs, so a file that cannot be opened gets the same note.
        full = _join(self.root, path)
        if path not in self._by_path and (outside := _outside(self.root, full)):
            # a path a collector computed (`-r ../x.txt`, a buildspec named in a template): never
            # read a file outside the repository, through `..` or a symbolic link
            self.note(path, f"not read: {outside}")
            return None
        try:
            descriptor = os.open(full, os.O_RDONLY)
        except OSError:
            return self._read_by_name(path, full)
        try:
            info = os.fstat(descriptor)
            if stat.S_ISDIR(info.st_mode):
                return None
            if info.st_size > MAX_READ_BYTES:
                self._note_too_large(path, info.st_size)
                return None
            data = _read_to_end(descriptor, info.st_size)
        except OSError as exc:
            self.note(path, f"not read: {_os_reason(exc)}")
            return None
        finally:
            os.close(descriptor)
        return self._decode(path, data)

    def _read_by_name(self, path: str, full: str) -> str | None:
        try:
            info = os.stat(full)
        except OSError as exc:
            self.note(path, f"not read: {_os_reason(exc)}")
            return None
        if stat.S_ISDIR(info.st_mode):
            return None
        if info.st_size > MAX_READ_BYTES:
            self._note_too_large(path, info.st_size)
            return None
        try:
            with open(full, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            self.note(path, f"not read: {_os_reason(exc)}")
            return None
        return self._decode(path, data)

    def _note_too_large(self, path: str, size: int) -> None:
        self.note(path, f"not read: {size / MIB:.1f} MiB is over the {MAX_READ_BYTES // MIB} MiB limit")

    def _decode(self, path: str, data: bytes) -> str | None:
        if b"\0" in data[:8192]:
            self.note(path, "not read: binary file")
            return None
        try:
            return data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")
        except UnicodeDecodeError:
            self.note(path, "not UTF-8: read with replacement characters")
            return data.decode("utf-8", errors="replace")


class _Forgotten:
    """The marker of a text that was read and then forgotten (RepoFiles.forget_text)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "FORGOTTEN"

    def __reduce__(self) -> str:  # one marker, also across processes
        return "FORGOTTEN"


FORGOTTEN = _Forgotten()
_UNREAD = object()

_DATABRICKS_SOURCE = "# Databricks notebook source"
_MAGIC_LINE = re.compile(r"^([%!].*)$", re.M)


def _read_to_end(descriptor: int, size: int) -> bytes:
    """Everything up to the end of the file, which may have grown since it was measured."""
    parts = [os.read(descriptor, size + 1)]
    while parts[-1]:
        parts.append(os.read(descriptor, 65536))
    return b"".join(parts)


def _join(root: Path, path: str) -> str:
    """The file system path of *path* under *root*, as `root / path` names it, without building
    a Path (this runs for every file listed or read): pathlib drops "." parts, repeated and
    trailing slashes, and the OS resolves the first two the same way; a trailing slash would
    make the OS require a folder, so it goes."""
    return os.path.join(root, path.rstrip("/"))


def _outside(root: Path, full: str) -> str | None:
    """Why *full* is not part of the repository at *root* (it resolves outside it), or None."""
    real, top = os.path.realpath(full), os.path.realpath(root)
    if real == top or real.startswith(os.path.join(top, "")):
        return None
    kind = "a symbolic link" if os.path.islink(full) else "a path"
    return f"{kind} to {real}, outside the repository (never followed)"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file vanished or is a broken link"
    if exc.errno == 40:  # ELOOP
        return "symbolic link loop"
    return exc.strerror or type(exc).__name__


def list_repo_files(root: Path) -> RepoFiles:
    """List the files under *root* (which must be an existing directory)."""
    notes: list[Note] = []
    git = _git_info(root, notes)
    if git.is_repo:
        listed = _git_ls_files(root)
        entries = None if listed is None else _within_depth(listed, notes)
        if entries is None:  # git failed (e.g. corrupt index): fall back and say so
            notes.append(Note(".", "git could not list files; scanned the folder instead"))
            entries = ((p, False) for p in _walk(root, notes))
    else:
        entries = ((p, False) for p in _walk(root, notes))
    files = []
    # Listed paths are relative, without "." parts or a trailing slash: joining is concatenation.
    prefix = os.path.join(root, "")
    for path, tracked in entries:
        full = prefix + path
        try:
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                info = os.stat(full)  # follow a link to a file; raises on loops and broken links
                outside = _outside(root, full)
                if outside:  # a link to /etc/shadow is the user's machine, not the repository
                    notes.append(Note(path, f"not read: {outside}"))
                    continue
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError) or os.path.islink(full):
                notes.append(Note(path, f"not read: {_os_reason(exc)}"))
            continue  # deleted from the work tree but still in the index: nothing to read
        if not stat.S_ISREG(info.st_mode):
            continue  # submodules, links to folders, sockets
        files.append(RepoFile(path, info.st_size, tracked))
    files.sort(key=lambda f: f.path)
    repo_files = RepoFiles(root=root, files=files, git=git, notes=notes)
    repo_files.add_template_view()
    return repo_files


def _git_info(root: Path, notes: list[Note]) -> GitInfo:
    """Whether *root* is read through git; when git is there but cannot be used for it (git refuses
    a repository another user owns; the folder is one the enclosing repository ignores; git is
    not installed beside a .git folder), a note says why it is read as a plain folder."""
    if shutil.which("git") is None:
        if (root / ".git").exists():
            notes.append(Note(".", f"git is not installed: {_AS_PLAIN_FOLDER}"))
        return GitInfo(is_repo=False)
    proc = _git_run(root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    if proc is None:
        return GitInfo(is_repo=False)
    if proc.returncode != 0:
        if "safe.directory" in proc.stderr or "dubious ownership" in proc.stderr:
            found = re.search(r"dubious ownership in repository at '(.+)'", proc.stderr)
            notes.append(Note(".", _REFUSED_BY_GIT.format(repository=found.group(1) if found else root)))
        return GitInfo(is_repo=False)
    inside, _, prefix = proc.stdout.partition("\n")
    if inside.strip() != "true":
        return GitInfo(is_repo=False)
    if prefix.strip():  # a folder inside a repository: is the folder itself ignored?
        ignored = _git_run(root, "check-ignore", "--verbose", ".")
        if ignored is not None and ignored.returncode == 0:
            rule = ignored.stdout.split("\t", 1)[0].strip()
            reason = f"the enclosing git repository ignores this folder ({rule}): {_AS_PLAIN_FOLDER}"
            notes.append(Note(".", reason))
            return GitInfo(is_repo=False)
    count = _git(root, "rev-list", "--count", "HEAD")
    head = _git(root, "rev-parse", "HEAD")
    prefix = _git(root, "rev-parse", "--show-prefix")
    remote = _git(root, "config", "--get", "remote.origin.url")
    return GitInfo(
        is_repo=True,
        commit_count=int(count.strip()) if count and count.strip().isdigit() else 0,
        head=head.strip() if head else None,
        prefix=prefix.strip() if prefix else "",
        remote_url=remote.strip() or None if remote else None,
    )


_AS_PLAIN_FOLDER = "read as a plain folder (every file but tool folders; no git history or ignore rules)"
_REFUSED_BY_GIT = (
    "git refuses this repository because another user owns it (git's safe.directory check): "
    f"{_AS_PLAIN_FOLDER}; if you trust it, `git config --global --add safe.directory {{repository}}`"
)


def _git(root: Path, *args: str) -> str | None:
    proc = _git_run(root, *args)
    return proc.stdout if proc is not None and proc.returncode == 0 else None


def _git_run(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",  # a folder name that is not UTF-8 must not end the scan
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _git_ls_files(root: Path) -> list[tuple[str, bool]] | None:
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "-c",
                "core.quotepath=off",
                "ls-files",
                "-z",
                "-t",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    seen: dict[str, bool] = {}
    for raw in proc.stdout.split(b"\0"):
        if len(raw) < 3:
            continue
        tag, path = raw[:1], raw[2:].decode("utf-8", errors="surrogateescape")
        tracked = tag != b"?"
        seen[path] = seen.get(path, False) or tracked
    return list(seen.items())


def _walk(root: Path, notes: list[Note]) -> Iterator[str]:
    """Every file path below *root* (and links, which the caller sorts out), folders in sorted
    order, skipping SKIPPED_DIRS and `*.egg-info`, never following links to folders.

    Iterative, with an explicit stack: Python 3.11's os.walk recurses, so a folder nested
    10,000 levels deep overflowed it. Folders deeper than MAX_FOLDER_DEPTH are noted, not read."""
    pending = [""]  # repo-relative folders still to read ("" is the root), next one last
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(_join(root, folder) if folder else root) as scan:
                entries = list(scan)
        except OSError as exc:
            notes.append(Note(folder or ".", f"folder not read: {_os_reason(exc)}"))
            continue
        subfolders = []
        for entry in entries:
            path = f"{folder}/{entry.name}" if folder else entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if not is_folder:
                yield path
            elif entry.name not in SKIPPED_DIRS and not entry.name.endswith(".egg-info"):
                subfolders.append(path)
        for path in sorted(subfolders, reverse=True):
            if path.count("/") >= MAX_FOLDER_DEPTH:
                notes.append(Note(path, _TOO_DEEP))
            else:
                pending.append(path)


def _within_depth(entries: Iterable[tuple[str, bool]], notes: list[Note]) -> Iterator[tuple[str, bool]]:
    """The listed paths no deeper than MAX_FOLDER_DEPTH folders; one note per folder cut off."""
    cut: set[str] = set()
    for path, tracked in entries:
        if path.count("/") <= MAX_FOLDER_DEPTH:
            yield path, tracked
            continue
        folder = "/".join(path.split("/", MAX_FOLDER_DEPTH + 1)[: MAX_FOLDER_DEPTH + 1])
        if folder not in cut:
            cut.add(folder)
            notes.append(Note(folder, _TOO_DEEP))
