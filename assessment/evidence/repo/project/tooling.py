"""Project tooling: test and lint configuration (pyproject.toml tables, setup.cfg / tox.ini /
pytest.ini sections, linters' own files, conftest.py, pre-commit hooks), dependency bots
(Dependabot, Renovate) and CODEOWNERS."""

from __future__ import annotations

import json
import re

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.jsonfile import load_json
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.project.common import named
from mlops_ladder.assessment.evidence.repo.project.model import (
    CodeOwners,
    DependencyBot,
    PreCommitConfig,
    PreCommitHook,
    ProjectEvidence,
    ToolConfig,
)
from mlops_ladder.assessment.evidence.yamlfile import LineDict, LineList, YamlError, load_yaml

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


def collect_tool_configs(files: RepoFiles, evidence: ProjectEvidence, pyproject: dict | None) -> None:
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
    for repo_file in named(files, "conftest.py"):
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


def collect_dependency_bots(files: RepoFiles, evidence: ProjectEvidence) -> None:
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
                load_json(text or "")
            except json.JSONDecodeError as exc:
                error = f"malformed JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
                files.note(path, error)
        evidence.dependency_bots.append(DependencyBot("renovate", path, error=error))


def collect_codeowners(files: RepoFiles, evidence: ProjectEvidence) -> None:
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
