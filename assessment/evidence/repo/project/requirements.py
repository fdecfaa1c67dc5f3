"""Requirement lines and requirements files: names normalised, pins told apart (`==`, `===`, hashes,
fixed archives, VCS commits), `-r` includes followed and `-c` constraints applied."""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.project.common import name_of
from mlops_ladder.assessment.evidence.repo.project.model import Dependency, DependencyFile

REQUIREMENTS_NAME = re.compile(r"(^|[-_.])requirements([-_.].*)?\.txt$|^requirements.*\.txt$", re.IGNORECASE)
_NAME = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
EXACT_PIN = re.compile(r"\s*(===?)\s*[^,*\s;]+\s*$")
_COMMIT = re.compile(r"@[0-9a-f]{40}\b")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|zip|tar\.bz2)(#.*)?$", re.IGNORECASE)
_VCS = ("git+", "hg+", "svn+", "bzr+")
COMMENT = re.compile(r"(^|\s)#.*$")


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_requirements_file(repo_file: RepoFile) -> bool:
    if not repo_file.path.lower().endswith(".txt"):
        return False
    if REQUIREMENTS_NAME.search(name_of(repo_file)):
        return True
    return "/requirements/" in f"/{repo_file.path}"


def parse_requirement(text: str) -> tuple[str, bool] | None:
    """(normalised name, pinned) of one requirement, or None for a local path (the project itself)."""
    hashed = "--hash" in text
    requirement = text.split(" --", 1)[0].strip()
    if not requirement:
        return None
    without_marker = requirement.split(";", 1)[0].strip()
    if without_marker.startswith(_VCS) or "://" in without_marker.split(" @ ", 1)[0]:
        egg = re.search(r"#egg=([\w.\-]+)", without_marker)
        url = without_marker.split("#", 1)[0].rstrip("/")
        name = egg.group(1) if egg else url.rsplit("/", 1)[-1].split("@")[0]
        return normalise_name(name.removesuffix(".git")), bool(
            hashed or _COMMIT.search(without_marker) or _ARCHIVE.search(without_marker)
        )
    if without_marker.startswith((".", "/", "~")) or (
        "/" in without_marker and "@" not in without_marker
    ):
        return None
    if "@" in without_marker:  # PEP 508 direct reference: name @ url
        name, _, url = without_marker.partition("@")
        url = url.strip()
        fixed = _ARCHIVE.search(url) or _COMMIT.search("@" + url.rsplit("@", 1)[-1])
        pinned = url.startswith("file:") or bool(fixed)
        return normalise_name(name.split("[")[0].strip()), pinned or hashed
    match = _NAME.match(without_marker)
    if match is None:
        return None
    specifier = match.group(3).strip().strip("()")
    return normalise_name(match.group(1)), hashed or bool(EXACT_PIN.fullmatch(specifier))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Requirement lines with comments removed and `\\` continuations joined: (first line number, text)."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        line = COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            lines.append((start, line))
    if pending.strip():
        lines.append((start, COMMENT.sub("", pending).strip()))
    return lines


_INCLUDE_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=-[rc]))(\S+)")


class RequirementsReader:
    """Reads requirements files once each, following -r includes and applying -c constraints."""

    def __init__(self, files: RepoFiles) -> None:
        self.files = files
        self.parsed: dict[str, DependencyFile] = {}
        self.constraint_pins: dict[str, set[str]] = {}  # path -> names pinned by the constraints it includes
        self.locks: set[str] = set()
        self._reading: set[str] = set()

    def read(self, path: str) -> DependencyFile | None:
        if path in self.parsed:
            return self.parsed[path]
        if path in self._reading or not self.files.exists(path):
            return None
        self._reading.add(path)
        text = self.files.read_text(path)
        if text is None:
            return None
        result = DependencyFile(path, "requirements")
        pins: set[str] = set()
        hashed_lines = 0
        folder = posixpath.dirname(path)
        for line_number, line in _logical_lines(text):
            if line.startswith("-"):
                pins |= self._option(result, folder, line)
                continue
            parsed = parse_requirement(line)
            if parsed is None:
                continue
            hashed_lines += "--hash" in line
            name, pinned = parsed
            result.dependencies.append(Dependency(name, line[:120], pinned, Location(path, line_number)))
        if pins:
            result.dependencies = [
                d if d.pinned or d.name not in pins else Dependency(d.name, d.spec, True, d.location)
                for d in result.dependencies
            ]
        self.constraint_pins[path] = pins
        if result.dependencies and hashed_lines == len(result.dependencies):
            self.locks.add(path)
        self.parsed[path] = result
        return result

    def _option(self, result: DependencyFile, folder: str, line: str) -> set[str]:
        """Follow -r / -c; -e of a VCS URL is a requirement; other options are ignored."""
        if line.startswith(("-e ", "--editable")):
            target = line.split(None, 1)[1] if " " in line else line.partition("=")[2]
            parsed = parse_requirement(target.strip())
            if parsed is not None:
                name, pinned = parsed
                result.dependencies.append(Dependency(name, line[:120], pinned, Location(result.path)))
            return set()
        match = _INCLUDE_OPTION.match(line)
        if match is None:
            return set()
        target = posixpath.normpath(posixpath.join(folder, match.group(2)))
        result.includes.append(target)
        included = self.read(target)
        if included is None:
            return set()
        if match.group(1) in ("-c", "--constraint"):
            if not REQUIREMENTS_NAME.search(posixpath.basename(target)):
                included.kind = "constraints"
            return {d.name for d in included.dependencies if d.pinned}
        # an included requirements file brings its own constraints with it
        return self.constraint_pins.get(target, set())

    def read_lines(self, path: str, lines: list[str], line: int) -> DependencyFile:
        """Requirements embedded in another file (a conda file's pip: list)."""
        result = DependencyFile(path, "requirements")
        folder = posixpath.dirname(path)
        for text in lines:
            if text.startswith("-"):
                self._option(result, folder, text)
                continue
            parsed = parse_requirement(text)
            if parsed is not None:
                result.dependencies.append(Dependency(parsed[0], text[:120], parsed[1], Location(path, line)))
        return result

    def result(self) -> list[DependencyFile]:
        return list(self.parsed.values())
