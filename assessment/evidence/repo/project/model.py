"""Project hygiene facts (filled by collect.py): dependencies and their pins, lock files, test /
lint / pre-commit configuration, dependency bots, CODEOWNERS, model cards, load tests,
committed model and data files, and committed secrets."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.files import RepoFile


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


@dataclass(frozen=True, slots=True)
class PythonTextFacts:
    """What the project collectors need from a Python file's text, taken by the Python collector
    when it parses the file (project/text_facts.py), since it then forgets the text."""

    secrets: tuple[SecretFinding, ...] = ()  # what the secret scan finds in it
    imports_locust: bool = False  # a locust load test (documents.collect_load_tests)


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
