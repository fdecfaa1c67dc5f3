"""What a script scan finds (Found, FoundLogin, Scan) and the shell state it follows (ShellState)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

Add = Callable[..., None]  # records one recognised command: add(kind, files=(), options=None, masked=False)


@dataclass(frozen=True)
class Found:
    """One recognised command."""

    kind: ActionKind
    command: str
    line: int  # 0-based line in the scanned script (for nested scripts: the calling line)
    files: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)
    masked: bool = False  # its failure is ignored: `|| true`, `--exit-zero`
    after_failure: bool = False  # it runs only when the command before it failed: `a || b`
    cwd: str = ""


@dataclass(frozen=True)
class FoundLogin:
    method: str  # "oidc" | "secret" | "unknown"
    detail: str  # never a secret value
    line: int


@dataclass
class Scan:
    actions: list[Found] = field(default_factory=list)
    logins: list[FoundLogin] = field(default_factory=list)


@dataclass
class ShellState:
    """Where a script runs: its folder, its variables and arrays, its shell syntax, the pushd stack.

    A script file's own path is `$0` (and `${BASH_SOURCE[0]}`), its arguments `$1`, `$2`...: they
    are variables like the others."""

    cwd: str
    env: dict[str, str]
    windows: bool
    dirs: list[str] = field(default_factory=list)
    arrays: dict[str, list[str]] = field(default_factory=dict)  # ARGS=(--file x.yml)
    template_spec: str | None = None  # the template last published as a template spec (`az ts create`)

    def copy(self, **changes: object) -> ShellState:
        arrays = {name: list(values) for name, values in self.arrays.items()}
        state = ShellState(
            self.cwd, self.env.copy(), self.windows, list(self.dirs), arrays, self.template_spec
        )
        for name, value in changes.items():
            setattr(state, name, value)
        return state
