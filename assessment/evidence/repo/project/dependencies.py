"""Dependency files and lock files: requirements files (requirements.py), conda environment files
(with their pip sections; found by name, or named by an environment definition), pyproject.toml
(PEP 621, dependency groups, Poetry), Pipfile and setup.cfg; lock files by name (poetry.lock,
uv.lock, conda-lock, pylock...) or fully hashed requirements."""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable
from typing import Any

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.project.common import load_toml, name_of, named, with_suffix
from mlops_ladder.assessment.evidence.repo.project.model import (
    Dependency,
    DependencyFile,
    LockFile,
    ProjectEvidence,
)
from mlops_ladder.assessment.evidence.repo.project.requirements import (
    COMMENT,
    EXACT_PIN,
    RequirementsReader,
    is_requirements_file,
    normalise_name,
    parse_requirement,
)
from mlops_ladder.assessment.evidence.yamlfile import LineList, YamlError, load_yaml

_CONDA_NAME = re.compile(r"conda|^environment|^env[-_.]|[-_.]env\.|^env\.", re.IGNORECASE)
_POETRY_EXACT = re.compile(r"\s*(==|=)?\s*\d[\w.!+-]*\s*$")
_CONDA_PIN = re.compile(r"^([A-Za-z0-9_.\-]+(?:::[A-Za-z0-9_.\-]+)?)\s*(==?)\s*([^\s=*,<>|]+)(?:=\S+)?$")


def collect_dependencies(
    files: RepoFiles, evidence: ProjectEvidence, pyproject: dict | None, referenced_conda: Iterable[str] = ()
) -> None:
    """*referenced_conda*: conda files that environment definitions name (azureml/conda_refs.py), read
    whatever their name."""
    requirements = RequirementsReader(files)
    for repo_file in files.files:
        if is_requirements_file(repo_file):
            requirements.read(repo_file.path)
    conda_files = []
    for repo_file in with_suffix(files, ".yml", ".yaml"):
        if _CONDA_NAME.search(name_of(repo_file)) and not repo_file.path.startswith((".github/", ".gitlab/")):
            found = _conda_dependencies(files, repo_file.path, requirements)
            if found is not None:
                conda_files.append(found)
    read = {f.path for f in conda_files}
    for path in referenced_conda:
        if path not in read and path.endswith((".yml", ".yaml")) and files.exists(path):
            read.add(path)
            found = _conda_dependencies(files, path, requirements, referenced=True)
            if found is not None:
                conda_files.append(found)
    # after the conda files: their pip sections may include requirements files with -r
    evidence.dependency_files.extend(requirements.result())
    evidence.dependency_files.extend(conda_files)
    evidence.lock_files.extend(LockFile(p, "requirements with hashes") for p in sorted(requirements.locks))

    if pyproject is not None:
        evidence.dependency_files.extend(_pyproject_dependencies(files, pyproject))
    for repo_file in named(files, "setup.cfg"):
        found = _setup_cfg_dependencies(files, repo_file.path)
        if found is not None:
            evidence.dependency_files.append(found)
    for repo_file in named(files, "Pipfile"):
        data = load_toml(files, repo_file.path)
        if data is not None:
            evidence.dependency_files.append(_pipfile_dependencies(files, repo_file.path, data))


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
            pinned = isinstance(version, str) and bool(EXACT_PIN.fullmatch(version))
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
            line = COMMENT.sub("", line).strip()
            parsed = parse_requirement(line) if line else None
            if parsed is not None:
                location = Location(path, _find_line(text, line))
                result.dependencies.append(Dependency(parsed[0], line[:120], parsed[1], location))
    return result


def _conda_dependencies(
    files: RepoFiles, path: str, requirements: RequirementsReader, referenced: bool = False
) -> DependencyFile | None:
    """The dependencies of the conda file *path*; None when it is not one. A file found by its name
    must look like one (`name:`/`channels:`, a pip section or python); one an environment definition
    names (*referenced*) only needs its `dependencies:` list."""
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
    if "$schema" in data or not (referenced or conda_keys or _looks_conda(data["dependencies"])):
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
    name = name_of(repo_file)
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


def collect_lock_files(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for repo_file in files.files:
        kind = _lock_kind(repo_file)
        if kind is not None and repo_file.size > 0:
            evidence.lock_files.append(LockFile(repo_file.path, kind))
