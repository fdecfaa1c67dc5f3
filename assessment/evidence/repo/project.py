"""Project hygiene facts: dependencies and their pins, lock files, test / lint / pre-commit
configuration, dependency bots, CODEOWNERS, model cards, load tests, committed model and data
files, and committed secrets.

Only files whose path says what they are get read (requirements*.txt, pyproject.toml,
conda environment files...). Model and data files are judged by their listed size, never
read. The secret scan reads small configuration-like files (see SECRET_SCAN_SUFFIXES) and
runs precise patterns only on files where a cheap trigger search hits; findings are kept
redacted (the first characters and the length), never the value.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import LineDict, LineList, YamlError, load_yaml

# -- the facts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    name: str  # normalised (lower case, "-" for "_" and ".")
    spec: str  # as written, shortened
    pinned: bool  # exact version (==, ===, poetry "1.2.3", conda =1.2), a fixed file/URL/commit, or hashed
    location: Location


@dataclass
class DependencyFile:
    path: str
    kind: str  # requirements | pyproject | poetry | setup.cfg | pipfile | conda
    dependencies: list[Dependency] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)  # files pulled in with -r or -c

    @property
    def total(self) -> int:
        return len(self.dependencies)

    @property
    def pinned(self) -> int:
        return sum(d.pinned for d in self.dependencies)

    @property
    def unpinned(self) -> list[str]:
        return [d.name for d in self.dependencies if not d.pinned]


@dataclass(frozen=True)
class LockFile:
    path: str
    kind: str  # poetry.lock | uv.lock | Pipfile.lock | pdm.lock | conda-lock | pylock | requirements lock


@dataclass(frozen=True)
class ToolConfig:
    tool: str  # pytest | ruff | flake8 | pylint | black
    location: Location
    detail: str = ""  # where: "pyproject.toml [tool.ruff]", "pre-commit hook ruff"


@dataclass(frozen=True)
class PreCommitHook:
    id: str
    repo: str
    location: Location


@dataclass
class PreCommitConfig:
    path: str
    hooks: list[PreCommitHook] = field(default_factory=list)
    error: str | None = None  # set when the file does not parse or has the wrong shape


@dataclass(frozen=True)
class DependencyBot:
    tool: str  # dependabot | renovate
    path: str
    ecosystems: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class CodeOwners:
    path: str
    rules: int  # lines that assign owners to a pattern


@dataclass(frozen=True)
class ModelCard:
    path: str
    sections: frozenset[str]  # of MODEL_CARD_SECTIONS, matched on markdown headings


@dataclass(frozen=True)
class LoadTest:
    tool: str  # locust | k6 | jmeter
    path: str


@dataclass(frozen=True)
class SecretFinding:
    location: Location
    kind: str
    preview: str  # redacted: the first characters and the length, never the value


@dataclass
class ProjectEvidence:
    dependency_files: list[DependencyFile] = field(default_factory=list)
    lock_files: list[LockFile] = field(default_factory=list)
    test_configs: list[ToolConfig] = field(default_factory=list)
    lint_configs: list[ToolConfig] = field(default_factory=list)
    pre_commit: PreCommitConfig | None = None
    dependency_bots: list[DependencyBot] = field(default_factory=list)
    codeowners: list[CodeOwners] = field(default_factory=list)
    model_cards: list[ModelCard] = field(default_factory=list)
    load_tests: list[LoadTest] = field(default_factory=list)
    model_data_files: list[RepoFile] = field(default_factory=list)  # tracked, not in Git LFS; all sizes
    lfs_patterns: tuple[str, ...] = ()
    secrets: list[SecretFinding] = field(default_factory=list)
    files_scanned_for_secrets: int = 0


# RepoFile.name / .suffix build a PurePosixPath on every access; these string helpers are ~20x faster,
# which matters when every listing is walked several times in a 20,000-file repository.
def _name(repo_file: RepoFile) -> str:
    return repo_file.path.rpartition("/")[2]


def _with_suffix(files: RepoFiles, *suffixes: str) -> list[RepoFile]:
    return [f for f in files.files if f.path.lower().endswith(suffixes)]


def _named(files: RepoFiles, *names: str) -> list[RepoFile]:
    return [f for f in files.files if f.path.rpartition("/")[2] in names]


def collect(files: RepoFiles) -> ProjectEvidence:
    evidence = ProjectEvidence()
    pyproject = _load_toml(files, "pyproject.toml")
    _collect_dependencies(files, evidence, pyproject)
    _collect_lock_files(files, evidence)
    _collect_tool_configs(files, evidence, pyproject)
    _collect_dependency_bots(files, evidence)
    _collect_codeowners(files, evidence)
    _collect_model_cards(files, evidence)
    _collect_load_tests(files, evidence)
    _collect_model_data_files(files, evidence)
    _scan_secrets(files, evidence)
    return evidence


# -- dependencies -----------------------------------------------------------------------------

_REQUIREMENTS_NAME = re.compile(r"(^|[-_.])requirements([-_.].*)?\.txt$|^requirements.*\.txt$", re.IGNORECASE)
_CONDA_NAME = re.compile(r"conda|^environment|^env[-_.]|[-_.]env\.|^env\.", re.IGNORECASE)
_NAME = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_EXACT = re.compile(r"\s*(===?)\s*[^,*\s;]+\s*$")
_POETRY_EXACT = re.compile(r"\s*(==|=)?\s*\d[\w.!+-]*\s*$")
_CONDA_PIN = re.compile(r"^([A-Za-z0-9_.\-]+(?:::[A-Za-z0-9_.\-]+)?)\s*(==?)\s*([^\s=*,<>|]+)(?:=\S+)?$")
_COMMIT = re.compile(r"@[0-9a-f]{40}\b")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|zip|tar\.bz2)(#.*)?$", re.IGNORECASE)
_VCS = ("git+", "hg+", "svn+", "bzr+")
_COMMENT = re.compile(r"(^|\s)#.*$")


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_requirements_file(repo_file: RepoFile) -> bool:
    if not repo_file.path.lower().endswith(".txt"):
        return False
    if _REQUIREMENTS_NAME.search(_name(repo_file)):
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
    return normalise_name(match.group(1)), hashed or bool(_EXACT.fullmatch(specifier))


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
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            lines.append((start, line))
    if pending.strip():
        lines.append((start, _COMMENT.sub("", pending).strip()))
    return lines


_INCLUDE_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=-[rc]))(\S+)")


def _collect_dependencies(files: RepoFiles, evidence: ProjectEvidence, pyproject: dict | None) -> None:
    requirements = _RequirementsReader(files)
    for repo_file in files.files:
        if _is_requirements_file(repo_file):
            requirements.read(repo_file.path)
    conda_files = []
    for repo_file in _with_suffix(files, ".yml", ".yaml"):
        if _CONDA_NAME.search(_name(repo_file)) and not repo_file.path.startswith((".github/", ".gitlab/")):
            found = _conda_dependencies(files, repo_file.path, requirements)
            if found is not None:
                conda_files.append(found)
    # after the conda files: their pip sections may include requirements files with -r
    evidence.dependency_files.extend(requirements.result())
    evidence.dependency_files.extend(conda_files)
    evidence.lock_files.extend(LockFile(p, "requirements with hashes") for p in sorted(requirements.locks))

    if pyproject is not None:
        evidence.dependency_files.extend(_pyproject_dependencies(files, pyproject))
    for repo_file in _named(files, "setup.cfg"):
        found = _setup_cfg_dependencies(files, repo_file.path)
        if found is not None:
            evidence.dependency_files.append(found)
    for repo_file in _named(files, "Pipfile"):
        data = _load_toml(files, repo_file.path)
        if data is not None:
            evidence.dependency_files.append(_pipfile_dependencies(files, repo_file.path, data))


class _RequirementsReader:
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
            if not _REQUIREMENTS_NAME.search(posixpath.basename(target)):
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


def _find_line(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _key_line(text: str, key: str) -> int | None:
    """Line of `key = ...` in a TOML file (bare or quoted key)."""
    match = re.search(rf"""^[ \t]*["']?{re.escape(key)}["']?[ \t]*=""", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _pyproject_dependencies(files: RepoFiles, data: dict) -> list[DependencyFile]:
    text = files.read_text("pyproject.toml") or ""
    found: list[DependencyFile] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    specs: list[str] = [s for s in project.get("dependencies") or [] if isinstance(s, str)]
    optional = project.get("optional-dependencies")
    groups = [
        *(optional.values() if isinstance(optional, dict) else ()),
        *(data["dependency-groups"].values() if isinstance(data.get("dependency-groups"), dict) else ()),
    ]
    specs += [s for group in groups if isinstance(group, list) for s in group if isinstance(s, str)]
    if specs:
        result = DependencyFile("pyproject.toml", "pyproject")
        for spec in specs:
            parsed = parse_requirement(spec)
            if parsed is not None:
                location = Location("pyproject.toml", _find_line(text, spec))
                result.dependencies.append(Dependency(parsed[0], spec[:120], parsed[1], location))
        found.append(result)
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        group_tables = poetry.get("group")
        if isinstance(group_tables, dict):
            tables += [g.get("dependencies") for g in group_tables.values() if isinstance(g, dict)]
        result = DependencyFile("pyproject.toml", "poetry")
        for table in tables:
            if isinstance(table, dict):
                result.dependencies.extend(_poetry_table(table, "pyproject.toml", text))
        if result.dependencies:
            found.append(result)
    return found


def _poetry_table(table: dict, path: str, text: str) -> list[Dependency]:
    dependencies = []
    for name, spec in table.items():
        if name.lower() == "python":
            continue
        pinned = _poetry_pinned(spec)
        if pinned is None:
            continue  # a local path dependency: the project's own code
        location = Location(path, _key_line(text, name))
        dependencies.append(Dependency(normalise_name(name), f"{name} = {spec}"[:120], pinned, location))
    return dependencies


def _poetry_pinned(spec: Any) -> bool | None:
    if isinstance(spec, str):
        return bool(_POETRY_EXACT.fullmatch(spec))
    if isinstance(spec, list):  # multiple constraints by platform: pinned only if each is
        values = [_poetry_pinned(s) for s in spec]
        return all(v for v in values if v is not None)
    if isinstance(spec, dict):
        if "path" in spec:
            return None
        if "git" in spec:
            return bool(spec.get("rev") or spec.get("tag"))
        if "url" in spec or "file" in spec:
            return True
        return _poetry_pinned(spec.get("version", "*"))
    return False


def _pipfile_dependencies(files: RepoFiles, path: str, data: dict) -> DependencyFile:
    text = files.read_text(path) or ""
    result = DependencyFile(path, "pipfile")
    for table_name in ("packages", "dev-packages"):
        table = data.get(table_name)
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            version = spec.get("version", "*") if isinstance(spec, dict) else spec
            pinned = isinstance(version, str) and bool(_EXACT.fullmatch(version))
            if isinstance(spec, dict) and ("ref" in spec or "file" in spec):
                pinned = True
            if isinstance(spec, dict) and "path" in spec:
                continue
            location = Location(path, _key_line(text, name))
            spec_text = f"{name} = {spec}"[:120]
            result.dependencies.append(Dependency(normalise_name(name), spec_text, pinned, location))
    return result


def _setup_cfg_dependencies(files: RepoFiles, path: str) -> DependencyFile | None:
    text = files.read_text(path)
    if text is None or "install_requires" not in text:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        files.note(path, f"malformed INI: {str(exc).splitlines()[0]}")
        return None
    result = DependencyFile(path, "setup.cfg")
    values = [parser.get("options", "install_requires", fallback="")]
    if parser.has_section("options.extras_require"):
        values += [v for _, v in parser.items("options.extras_require")]
    for value in values:
        for line in value.splitlines():
            line = _COMMENT.sub("", line).strip()
            parsed = parse_requirement(line) if line else None
            if parsed is not None:
                location = Location(path, _find_line(text, line))
                result.dependencies.append(Dependency(parsed[0], line[:120], parsed[1], location))
    return result


def _conda_dependencies(
    files: RepoFiles, path: str, requirements: _RequirementsReader
) -> DependencyFile | None:
    text = files.read_text(path)
    if text is None or "dependencies" not in text:
        return None
    try:
        data = load_yaml(text)
    except YamlError as exc:
        files.note(path, f"malformed YAML: {exc}")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        return None
    conda_keys = {"name", "channels", "prefix"} & set(data)
    if "$schema" in data or not (conda_keys or _looks_conda(data["dependencies"])):
        return None
    result = DependencyFile(path, "conda")
    items: LineList = data["dependencies"]
    for index, item in enumerate(items):
        line = items.item_line(index) if isinstance(items, LineList) else None
        if isinstance(item, str):
            dependency = _conda_dependency(item, Location(path, line))
            if dependency is not None:
                result.dependencies.append(dependency)
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            pip_items = item["pip"]
            pip_lines = [str(p).strip() for p in pip_items if isinstance(p, str | int | float)]
            embedded = requirements.read_lines(path, pip_lines, line or 0)
            if isinstance(pip_items, LineList):  # give each pip requirement its own line
                lines_by_text = {str(p).strip(): pip_items.item_line(i) for i, p in enumerate(pip_items)}
                embedded.dependencies = [
                    Dependency(d.name, d.spec, d.pinned, Location(path, lines_by_text.get(d.spec, line)))
                    for d in embedded.dependencies
                ]
            result.dependencies.extend(embedded.dependencies)
            result.includes.extend(embedded.includes)
    return result


def _looks_conda(dependencies: list) -> bool:
    return any(isinstance(d, dict) and "pip" in d for d in dependencies) or any(
        isinstance(d, str) and re.match(r"python\s*[=<>]|python$", d) for d in dependencies
    )


def _conda_dependency(spec: str, location: Location) -> Dependency | None:
    spec = spec.strip()
    if not spec:
        return None
    match = _CONDA_PIN.match(spec)
    name = (match.group(1) if match else re.split(r"[\s=<>!~\[]", spec, maxsplit=1)[0]).split("::")[-1]
    if normalise_name(name) == "pip" and not match:
        return None  # the pip tool itself, listed to enable the pip: section
    return Dependency(normalise_name(name), spec[:120], match is not None, location)


# -- lock files -------------------------------------------------------------------------------

_LOCK_NAMES = {
    "poetry.lock": "poetry.lock", "uv.lock": "uv.lock", "Pipfile.lock": "Pipfile.lock",
    "pdm.lock": "pdm.lock",
    "conda-lock.yml": "conda-lock", "conda-lock.yaml": "conda-lock", "pylock.toml": "pylock",
}


def _lock_kind(repo_file: RepoFile) -> str | None:
    name = _name(repo_file)
    if name in _LOCK_NAMES:
        return _LOCK_NAMES[name]
    lower = name.lower()
    # the cheap endswith/startswith tests rule out almost every file before a regular expression runs
    if lower.endswith((".conda-lock.yml", ".conda-lock.yaml")) or (
        lower.endswith(".lock") and re.fullmatch(r"conda-.+\.lock", lower)
    ):
        return "conda-lock"
    if lower.startswith("pylock.") and re.fullmatch(r"pylock\..+\.toml", lower):
        return "pylock"
    if lower.startswith("requirements") and lower.endswith(".lock"):
        return "requirements lock"
    return None


def _collect_lock_files(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for repo_file in files.files:
        kind = _lock_kind(repo_file)
        if kind is not None and repo_file.size > 0:
            evidence.lock_files.append(LockFile(repo_file.path, kind))


# -- test and lint configuration ---------------------------------------------------------------

_LINT_HOOKS = {
    "ruff": "ruff", "ruff-check": "ruff", "ruff-format": "ruff", "flake8": "flake8", "pylint": "pylint",
    "black": "black", "black-jupyter": "black", "nbqa-ruff": "ruff", "nbqa-flake8": "flake8",
    "nbqa-pylint": "pylint", "nbqa-black": "black",
}
_SECTION = re.compile(r"^[ \t]*\[([^\]\n]+)\][ \t]*(?:[#;].*)?$", re.MULTILINE)


def _ini_sections(text: str) -> dict[str, int]:
    sections: dict[str, int] = {}
    for match in _SECTION.finditer(text):
        sections.setdefault(match.group(1).strip(), text.count("\n", 0, match.start()) + 1)
    return sections


def _toml_table_line(text: str, table: str) -> int | None:
    match = re.search(rf"^[ \t]*\[{re.escape(table)}[\].]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _load_toml(files: RepoFiles, path: str) -> dict | None:
    if not files.exists(path):
        return None
    text = files.read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        files.note(path, f"malformed TOML: {exc}")
        return None


def _collect_tool_configs(files: RepoFiles, evidence: ProjectEvidence, pyproject: dict | None) -> None:
    tests, lint = evidence.test_configs, evidence.lint_configs
    if pyproject is not None:
        text = files.read_text("pyproject.toml") or ""
        tool = pyproject.get("tool") if isinstance(pyproject.get("tool"), dict) else {}
        pytest_table = tool.get("pytest")
        if isinstance(pytest_table, dict):
            table = "tool.pytest.ini_options" if "ini_options" in pytest_table else "tool.pytest"
            tests.append(ToolConfig("pytest", Location("pyproject.toml", _toml_table_line(text, table)),
                                    f"pyproject.toml [{table}]"))
        for name in ("ruff", "flake8", "pylint", "black"):
            if isinstance(tool.get(name), dict):
                line = _toml_table_line(text, f"tool.{name}")
                location = Location("pyproject.toml", line)
                lint.append(ToolConfig(name, location, f"pyproject.toml [tool.{name}]"))
    ini_files = {"setup.cfg": {"tool:pytest": "pytest", "flake8": "flake8"},
                 "tox.ini": {"pytest": "pytest", "flake8": "flake8"},
                 "pytest.ini": {"pytest": "pytest"}}
    for path, wanted in ini_files.items():
        if not files.exists(path):
            continue
        text = files.read_text(path)
        if text is None:
            continue
        sections = _ini_sections(text)
        for section, tool_name in wanted.items():
            if section in sections:
                target = tests if tool_name == "pytest" else lint
                target.append(ToolConfig(tool_name, Location(path, sections[section]), f"{path} [{section}]"))
    own_files = {"ruff.toml": "ruff", ".ruff.toml": "ruff", ".flake8": "flake8", ".pylintrc": "pylint",
                 "pylintrc": "pylint"}
    for path, tool_name in own_files.items():
        if files.exists(path):
            lint.append(ToolConfig(tool_name, Location(path), path))
    for repo_file in _named(files, "conftest.py"):
        tests.append(ToolConfig("pytest", Location(repo_file.path), repo_file.path))
    evidence.pre_commit = _read_pre_commit(files)
    if evidence.pre_commit is not None:
        for hook in evidence.pre_commit.hooks:
            if hook.id in _LINT_HOOKS:
                lint.append(ToolConfig(_LINT_HOOKS[hook.id], hook.location, f"pre-commit hook {hook.id}"))


def _read_pre_commit(files: RepoFiles) -> PreCommitConfig | None:
    path = next((p for p in (".pre-commit-config.yaml", ".pre-commit-config.yml") if files.exists(p)), None)
    if path is None:
        return None
    config = PreCommitConfig(path)
    text = files.read_text(path)
    if text is None:
        config.error = "not readable"
        return config
    try:
        data = load_yaml(text)
    except YamlError as exc:
        files.note(path, f"malformed YAML: {exc}")
        config.error = f"malformed YAML: {exc}"
        return config
    repos = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(repos, list):
        config.error = "no `repos:` list"
        files.note(path, "pre-commit config without a `repos:` list")
        return config
    for repo in repos:
        if not isinstance(repo, LineDict) or not isinstance(repo.get("hooks"), list):
            continue
        hooks: LineList = repo["hooks"]
        for index, hook in enumerate(hooks):
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                line = hooks.item_line(index) if isinstance(hooks, LineList) else repo.line
                repo_url = str(repo.get("repo", ""))
                config.hooks.append(PreCommitHook(hook["id"], repo_url, Location(path, line)))
    return config


# -- dependency bots, CODEOWNERS ----------------------------------------------------------------

_RENOVATE_FILES = (
    "renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
    ".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
)


def _collect_dependency_bots(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for path in (".github/dependabot.yml", ".github/dependabot.yaml"):
        if not files.exists(path):
            continue
        text = files.read_text(path)
        if text is None:
            continue
        try:
            data = load_yaml(text)
        except YamlError as exc:
            files.note(path, f"malformed YAML: {exc}")
            evidence.dependency_bots.append(DependencyBot("dependabot", path, error=f"malformed YAML: {exc}"))
            continue
        updates = data.get("updates") if isinstance(data, dict) else None
        if not isinstance(updates, list) or not updates:
            evidence.dependency_bots.append(DependencyBot("dependabot", path, error="no `updates:` entries"))
            continue
        names = [u.get("package-ecosystem") for u in updates if isinstance(u, dict)]
        ecosystems = tuple(dict.fromkeys(str(n) for n in names if n))
        evidence.dependency_bots.append(DependencyBot("dependabot", path, ecosystems))
    for path in _RENOVATE_FILES:
        if not files.exists(path):
            continue
        error = None
        if path.endswith((".json", ".renovaterc")):
            text = files.read_text(path)
            try:
                json.loads(text or "")
            except json.JSONDecodeError as exc:
                error = f"malformed JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
                files.note(path, error)
        evidence.dependency_bots.append(DependencyBot("renovate", path, error=error))


def _collect_codeowners(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for path in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"):
        if not files.exists(path):
            continue
        text = files.read_text(path) or ""
        rules = 0
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith(("[", "^[")) and len(line.split()) >= 2:
                rules += 1
        evidence.codeowners.append(CodeOwners(path, rules))


# -- model cards ------------------------------------------------------------------------------

MODEL_CARD_SECTIONS = ("intended use", "training data", "metrics", "limitations")
_MODEL_CARD_NAME = re.compile(r"(^|[-_.])model[-_ ]?cards?([-_.].*)?\.md$|modelcard.*\.md$", re.IGNORECASE)
_SECTION_PATTERNS = {
    "intended use": re.compile(
        r"\bintended\b|\buse cases?\b|^uses?$|\bdirect use\b|\bout[- ]of[- ]scope\b|\bpurpose\b"
    ),
    "training data": re.compile(r"\bdata(sets?)?\b|\btraining\b"),
    "metrics": re.compile(r"\bmetrics?\b|\bevaluation\b|\bperformance\b|\bresults\b"),
    "limitations": re.compile(r"\blimitations?\b|\bcaveats?\b|\brisks?\b|\bbias(es)?\b|\bethical\b"),
}
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def model_card_sections(text: str) -> frozenset[str]:
    found = set()
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            continue
        heading = match.group(1).lower().strip("*_ :")
        found.update(name for name, pattern in _SECTION_PATTERNS.items() if pattern.search(heading))
    return frozenset(found)


def _collect_model_cards(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for repo_file in _with_suffix(files, ".md"):
        if not _MODEL_CARD_NAME.search(_name(repo_file)):
            continue
        text = files.read_text(repo_file.path)
        if text is not None:
            evidence.model_cards.append(ModelCard(repo_file.path, model_card_sections(text)))


# -- load tests -------------------------------------------------------------------------------

_LOCUST_IMPORT = re.compile(r"^\s*(?:from\s+locust\b|import\s+locust\b)", re.MULTILINE)
_K6_IMPORT = re.compile(r"""(?:from\s+|require\(\s*)["']k6(?:/http)?["']""")
_LOAD_TEST_HINTS = ("k6", "load", "perf", "stress", "locust", "bench", "smoke", "soak", "spike")
_JS_SUFFIXES = (".js", ".mjs", ".ts")
_MAX_JS_FILES_READ_ALL = 200


def _collect_load_tests(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for repo_file in _with_suffix(files, ".py"):
        if _name(repo_file).startswith("locustfile"):
            evidence.load_tests.append(LoadTest("locust", repo_file.path))
            continue
        text = files.read_text(repo_file.path) if repo_file.size <= SECRET_SCAN_MAX_BYTES else None
        if text and "locust" in text and _LOCUST_IMPORT.search(text):
            evidence.load_tests.append(LoadTest("locust", repo_file.path))
    scripts = [
        f for f in _with_suffix(files, *_JS_SUFFIXES) if not f.path.endswith(".min.js") and f.size < 262144
    ]
    read_all = len(scripts) <= _MAX_JS_FILES_READ_ALL
    for repo_file in scripts:
        if not read_all and not any(h in repo_file.path.lower() for h in _LOAD_TEST_HINTS):
            continue
        text = files.read_text(repo_file.path)
        if text and "k6" in text and _K6_IMPORT.search(text):
            evidence.load_tests.append(LoadTest("k6", repo_file.path))
    evidence.load_tests.extend(LoadTest("jmeter", f.path) for f in _with_suffix(files, ".jmx"))


# -- committed model and data files ------------------------------------------------------------

MODEL_DATA_SUFFIXES = (
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".onnx", ".h5", ".hdf5", ".pb", ".ckpt", ".safetensors",
    ".parquet", ".csv", ".tsv", ".feather", ".npy", ".npz", ".zip", ".tar.gz",
)


def _lfs_patterns(files: RepoFiles) -> tuple[str, ...]:
    if not files.exists(".gitattributes"):
        return ()
    text = files.read_text(".gitattributes") or ""
    return tuple(
        parts[0] for parts in (line.split() for line in text.splitlines())
        if len(parts) >= 2 and not parts[0].startswith("#") and "filter=lfs" in parts[1:]
    )


def _in_lfs(path: str, patterns: tuple[str, ...]) -> bool:
    name = posixpath.basename(path)
    for pattern in patterns:
        if "/" in pattern.strip("/"):
            if fnmatch.fnmatch(path, pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatch(name, pattern.strip("/")) or fnmatch.fnmatch(path, pattern.strip("/") + "/*"):
            return True
    return False


def _collect_model_data_files(files: RepoFiles, evidence: ProjectEvidence) -> None:
    evidence.lfs_patterns = _lfs_patterns(files)
    for repo_file in files.files:
        if not repo_file.path.lower().endswith(MODEL_DATA_SUFFIXES):
            continue
        if evidence.lfs_patterns and _in_lfs(repo_file.path, evidence.lfs_patterns):
            continue
        if repo_file.tracked or not files.git.is_repo:
            evidence.model_data_files.append(repo_file)


# -- committed secrets ------------------------------------------------------------------------

SECRET_SCAN_SUFFIXES = frozenset(
    {
        ".env", ".ini", ".cfg", ".conf", ".json", ".yml", ".yaml", ".toml", ".py", ".ipynb", ".txt",
        ".properties", ".sh", ".ps1", ".tf", ".bicep", ".bicepparam", ".tfvars",
    }
)
SECRET_SCAN_MAX_BYTES = 1024 * 1024
# Azurite's documented development key: public, valid only against the local emulator.
_AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# Lower-case substrings one of which every secret pattern needs: `in` on the lowered text is far
# faster than a regular expression, and the precise patterns then run on few files.
_TRIGGERS = (
    "accountkey=", "sharedaccesskey=", "sig=", "private key", "akia", "asia", "client_secret", "clientsecret",
    "passw", "pwd",
)
_GITHUB_TRIGGER = re.compile(r"gh[pousr]_|github_pat_")  # one regex (literal prefix "gh") beats six `in`s
_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Azure storage account key", re.compile(r"AccountKey=([A-Za-z0-9+/]{40,}={0,2})")),
    ("Azure shared access key", re.compile(r"SharedAccessKey=([A-Za-z0-9+/]{40,}={0,2})")),
    ("Azure SAS token signature",
     re.compile(r"SharedAccessSignature=[^\s\"';]*?sig=([A-Za-z0-9%+/]{30,}(?:=|%3D){0,2})")),
    ("Azure SAS token signature",
     re.compile(r"[?&]sv=\d{4}-\d\d-\d\d[^\s\"'<>]*?&sig=([A-Za-z0-9%+/]{30,}(?:=|%3D){0,2})")),
    ("private key",
     re.compile(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----([\s\S]{40,8000}?)-----END ")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36})\b")),
    ("GitHub token", re.compile(r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b")),
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("Azure AD client secret", re.compile(
        r"(?i:client_?secret|clientsecret)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9_~.\-]{34,40})(?![A-Za-z0-9_~.\-])"
    )),
    ("password", re.compile(
        r"(?i:\b[\w.-]*(?:password|passwd|pwd)\b)[\"']?(?:\s*:\s*[A-Za-z_][\w\[\]|, ]*?)?\s*[:=]\s*"
        r"(?P<q>[\"'])([^\"'\n]{1,200})(?P=q)"
    )),
)
# What a text must contain for each pattern above to match (its literal parts, with the pattern's
# own case rules): a quick test that spares the slower patterns most files, notebooks full of
# output in particular. Patterns without an entry always run.
_PATTERN_NEEDS: dict[re.Pattern[str], Callable[[str], object]] = {
    _SECRET_PATTERNS[0][1]: lambda text: "AccountKey=" in text,
    _SECRET_PATTERNS[1][1]: lambda text: "SharedAccessKey=" in text,
    _SECRET_PATTERNS[2][1]: lambda text: "SharedAccessSignature=" in text,
    _SECRET_PATTERNS[3][1]: lambda text: "sv=" in text and "&sig=" in text,
    _SECRET_PATTERNS[4][1]: lambda text: "-----BEGIN " in text,
    _SECRET_PATTERNS[5][1]: re.compile(r"gh[pousr]_").search,
    _SECRET_PATTERNS[6][1]: lambda text: "github_pat_" in text,
    _SECRET_PATTERNS[7][1]: lambda text: "AKIA" in text or "ASIA" in text,
    _SECRET_PATTERNS[9][1]: re.compile(r"(?i:password|passwd|pwd)").search,
}
_UNQUOTED_PASSWORD = re.compile(
    r"^[ \t]*(?:export[ \t]+|-[ \t]*)?(?i:[\w.-]*(?:password|passwd|pwd))[ \t]*[=:][ \t]*"
    r"([^\s#'\"]{1,200})[ \t]*$",
    re.MULTILINE,
)
_UNQUOTED_SUFFIXES = frozenset({".env", ".ini", ".cfg", ".conf", ".properties", ".yml", ".yaml"})
_PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "your", "example", "placeholder", "dummy", "redacted", "replace",
    "todo", "xxx", "***", "...", "insert", "<", ">", "{{", "}}", "%(", "env(", "getenv", "environ",
)
_DEFAULT_PASSWORDS = frozenset(
    {
        "password", "passwd", "pass", "none", "null", "admin", "root", "test", "postgres", "default", "guest",
        "user", "true", "false", "required", "optional", "string", "secret",
    }
)
_MAX_FINDINGS_PER_FILE = 20
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_NAMES_A_SECRET = re.compile(r"pass|pwd|secret|credential|token")


def redact(value: str) -> str:
    """At most 4 leading characters (fewer for short values) and the length; never the value."""
    shown = value[: min(4, len(value) // 4)]
    return f"{shown}…({len(value)} chars)"


def is_placeholder(value: str) -> bool:
    """Values that are obviously not real credentials: empty, templated, env lookups, examples."""
    value = value.strip()
    lower = value.lower()
    if len(value) < 4 or lower in _DEFAULT_PASSWORDS or len(set(lower)) <= 2:
        return True
    if value[0] in "$%{[(<@" or lower.startswith(("os.", "env:", "env.", "secrets.", "vars.", "process.env")):
        return True
    if _ENV_NAME.fullmatch(value) or (_IDENTIFIER.fullmatch(value) and _NAMES_A_SECRET.search(lower)):
        return True  # an environment variable's name, or an enum-like name ("UsernamePassword")
    return any(word in lower for word in _PLACEHOLDER_WORDS)


def _is_scan_candidate(repo_file: RepoFile) -> bool:
    if repo_file.size > SECRET_SCAN_MAX_BYTES:
        return False
    name = _name(repo_file).lower()
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    return suffix in SECRET_SCAN_SUFFIXES or name.startswith(".env") or name.endswith(".env")


def _scan_secrets(files: RepoFiles, evidence: ProjectEvidence) -> None:
    # Besides configuration-like files: the other files this module reads anyway.
    also_read = {c.path for c in evidence.codeowners} | {c.path for c in evidence.model_cards}
    also_read |= {b.path for b in evidence.dependency_bots} | {d.path for d in evidence.dependency_files}
    for repo_file in files.files:
        if not _is_scan_candidate(repo_file) and repo_file.path not in also_read:
            continue
        text = files.read_text(repo_file.path)
        if text is None:
            continue
        evidence.files_scanned_for_secrets += 1
        lowered = text.lower()
        if not any(trigger in lowered for trigger in _TRIGGERS) and not _GITHUB_TRIGGER.search(text):
            continue
        evidence.secrets.extend(scan_text(repo_file.path, text)[:_MAX_FINDINGS_PER_FILE])


def scan_text(path: str, text: str) -> list[SecretFinding]:
    findings: dict[tuple[int, str], SecretFinding] = {}

    def add(kind: str, start: int, value: str) -> None:
        line = text.count("\n", 0, start) + 1
        findings.setdefault((line, kind), SecretFinding(Location(path, line), kind, redact(value)))

    for kind, pattern in _SECRET_PATTERNS:
        needs = _PATTERN_NEEDS.get(pattern)
        if needs is not None and not needs(text):
            continue
        for match in pattern.finditer(text):
            value = match.group(match.lastindex or 0) if kind != "private key" else match.group(2)
            if kind == "private key":
                body = re.sub(r"\\n|\s|[A-Za-z-]+:[^\n]*", "", value)
                if not re.search(r"[A-Za-z0-9+/]{40,}", body):
                    continue  # a header in documentation, not a key
                value = body
            elif kind in ("password", "Azure AD client secret"):
                if is_placeholder(value) or (kind == "Azure AD client secret" and not _entra_like(value)):
                    continue
            elif value == _AZURITE_KEY or "EXAMPLE" in value or len(set(value)) <= 4:
                continue
            add(kind, match.start(), value)
    name = posixpath.basename(path).lower()
    if posixpath.splitext(name)[1] in _UNQUOTED_SUFFIXES or name.startswith(".env") or name.endswith(".env"):
        for match in _UNQUOTED_PASSWORD.finditer(text):
            if not is_placeholder(match.group(1)):
                add("password", match.start(), match.group(1))
    return sorted(findings.values(), key=lambda f: f.location)


def _entra_like(value: str) -> bool:
    """Entra client secrets have `~` (new format, `...8Q~...`) or `.` and mix letters and digits;
    dotted identifiers (`settings.client_secret_value`) are references, not secrets."""
    if "~" not in value and "." not in value:
        return False
    if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", value):
        return False
    return bool(re.search(r"\d", value) and re.search(r"[A-Za-z]", value))
