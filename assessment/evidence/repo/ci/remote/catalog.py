"""The known remote templates (known_templates.yaml, data read by a person from public sources): which
reusable workflows and templates of other repositories are known, and what each does at a ref.

A reference names a repository, a path in it and a ref (`Azure/mlops-templates/.github/workflows/
run-pipeline.yml@v1.1.0`). The data says which refs were read; a ref that was not read is still
recognised and assumed to behave like the data's default ref, and the finding says so.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

DATA = Path(__file__).with_name("known_templates.yaml")
_GITHUB_WORKFLOW = re.compile(r"^([\w.-]+/[\w.-]+)/(\.github/workflows/[^@]+\.ya?ml)@(.+)$")
_REF_PREFIX = re.compile(r"^refs/(heads|tags)/")


@dataclass(frozen=True)
class RemoteRef:
    repository: str  # owner/name
    path: str  # in that repository
    ref: str  # branch, tag or commit ("" when the reference names none: the default branch)
    written: str  # the reference as written


@dataclass(frozen=True)
class TemplateAction:
    kind: ActionKind
    command: str
    files: tuple[str, ...] = ()
    options: Mapping[str, str] | None = None
    target: str = ""
    when: Mapping[str, str] | None = None  # input -> value: runs only when the caller passes it
    unless: Mapping[str, str] | None = None  # input -> value: runs unless the caller passes it
    at: tuple[str, ...] = ()  # refs where the action exists (every ref read when empty)


@dataclass(frozen=True)
class KnownTemplate:
    repository: str
    path: str
    system: str  # "github" | "azure-devops"
    does: str
    actions: tuple[TemplateAction, ...]
    login: Mapping[str, str]  # ref -> "creds" | "client-id" | "service-connection"
    read_at: Mapping[str, str]  # ref -> commit read
    default_ref: str
    continue_on_error: bool = False
    environment: str | None = None  # the input naming the job's environment
    outputs: Mapping[str, str] | None = None  # {from_yaml: input, under: key}

    @property
    def name(self) -> str:
        return f"{self.repository}/{self.path}"

    def ref_read(self, ref: str) -> tuple[str, str]:
        """(the ref whose reading applies to a call at *ref*, a note when it is not *ref* itself)."""
        plain = _REF_PREFIX.sub("", ref)
        if plain in self.read_at:
            return plain, ""
        read = ", ".join(self.read_at)
        called = f"@{plain}" if plain else "without a ref (the default branch)"
        return (
            self.default_ref,
            f"read at {read}; called {called}, assumed to behave as at {self.default_ref}",
        )

    def actions_at(self, ref: str) -> list[TemplateAction]:
        return [action for action in self.actions if not action.at or ref in action.at]

    def login_at(self, ref: str) -> str | None:
        return self.login.get(ref) or self.login.get("*")


def parse_github_uses(uses: str) -> RemoteRef | None:
    """`owner/repo/.github/workflows/x.yml@ref` (a reusable workflow of another repository)."""
    match = _GITHUB_WORKFLOW.match(uses.strip())
    if not match:
        return None
    return RemoteRef(match.group(1), match.group(2), match.group(3), uses.strip())


def lookup(reference: RemoteRef) -> KnownTemplate | None:
    return _catalog().get((reference.repository.lower(), reference.path.lstrip("/")))


@functools.cache
def _catalog() -> dict[tuple[str, str], KnownTemplate]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    catalog: dict[tuple[str, str], KnownTemplate] = {}
    for repository, entry in data["repositories"].items():
        read_at = {str(ref): str(commit) for ref, commit in entry["read_at"].items()}
        for path, spec in entry["templates"].items():
            catalog[(repository.lower(), path)] = KnownTemplate(
                repository=repository,
                path=path,
                system=spec["system"],
                does=spec["does"],
                actions=tuple(_action(item) for item in spec.get("actions") or ()),
                login=_per_ref(spec.get("login")),
                read_at=read_at,
                default_ref=str(entry["default_ref"]),
                continue_on_error=bool(spec.get("continue_on_error")),
                environment=spec.get("environment"),
                outputs=spec.get("outputs"),
            )
    return catalog


def _per_ref(value: object) -> dict[str, str]:
    """{ref: value} from a mapping per ref, or one value for every ref ("*")."""
    if isinstance(value, dict):
        return {str(ref): str(item) for ref, item in value.items()}
    return {"*": str(value)} if value else {}


def _action(item: dict) -> TemplateAction:
    return TemplateAction(
        kind=ActionKind(item["kind"]),
        command=item["command"],
        files=tuple(item.get("files") or ()),
        options={str(k): str(v) for k, v in (item.get("options") or {}).items()},
        target=item.get("target", ""),
        when={str(k): str(v) for k, v in item["when"].items()} if item.get("when") else None,
        unless={str(k): str(v) for k, v in item["unless"].items()} if item.get("unless") else None,
        at=tuple(str(ref) for ref in item.get("at") or ()),
    )


def known_templates() -> list[KnownTemplate]:
    return list(_catalog().values())
