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

    def moved(self, line: int, cwd: str) -> Found:
        """This finding at *line*, run in *cwd* (dataclasses.replace, without its per-call field lookup:
        replays move thousands of findings)."""
        return Found(
            self.kind, self.command, line, self.files, self.options, self.masked, self.after_failure, cwd
        )


@dataclass(frozen=True)
class FoundLogin:
    method: str  # "oidc" | "secret" | "unknown"
    detail: str  # never a secret value
    line: int


@dataclass
class Scan:
    actions: list[Found] = field(default_factory=list)
    logins: list[FoundLogin] = field(default_factory=list)


class Folder(str):
    """The folder a memoised reading of a script file starts in (memo.py), as a token: the reading
    uses it (`used`) when it reads it through ShellState.cwd or resolves a relative path against it
    (variables.resolve_path); it only records it (ShellState.folder) in findings, the pushd stack and
    the state it leaves, which a replay re-bases on the folder it starts in. A yes-or-no question
    about the folder (ask_folder) is recorded with its answer (`answers`) instead of a use."""

    used = False
    answers: dict[tuple[object, ...], object] | None = None


def use_folder(folder: str) -> str:
    """*folder*, recorded as used when it is the start of a memoised reading."""
    if type(folder) is Folder:
        folder.used = True
    return folder


def ask_folder(files: object, folder: str, question: Callable[..., object], *args: object) -> object:
    """`question(files, folder, *args)` (*files*: the repository's), for a question whose answer
    tells nothing else of the folder (a boolean: a reading that goes on to use the folder says so):
    a memoised reading then depends only on that answer, which a replay in another folder must get
    again (memo.FileReading.matches)."""
    answer = answer_of(files, question, str(folder), args)
    if type(folder) is not Folder:
        return answer
    if not folder.used:
        if folder.answers is None:
            folder.answers = {}
        folder.answers[(question, *args)] = answer
    return answer


def answer_of(
    files: object, question: Callable[..., object], folder: str, args: tuple[object, ...]
) -> object:
    """`question(files, folder, *args)`, asked once per repository: the questions are pure functions
    of the files, and every replay of a memoised reading in another folder asks again."""
    cache = getattr(files, "folder_answers", None)
    if cache is None:
        return question(files, folder, *args)
    key = (question, folder, *args)
    try:
        return cache[key]
    except KeyError:
        answer = cache[key] = question(files, folder, *args)
        return answer


class ShellState:
    """Where a script runs: its folder, its variables and arrays, its shell syntax, the pushd stack.

    A script file's own path is `$0` (and `${BASH_SOURCE[0]}`), its arguments `$1`, `$2`...: they
    are variables like the others. `cwd` is the folder as a reading uses it (recorded when tracked,
    see Folder); `folder` the same value only kept or passed on, not looked at."""

    __slots__ = ("arrays", "dirs", "env", "folder", "in_function", "template_spec", "windows")

    def __init__(
        self,
        cwd: str,
        env: dict[str, str],
        windows: bool,
        dirs: list[str] | None = None,
        arrays: dict[str, list[str]] | None = None,  # ARGS=(--file x.yml)
        template_spec: str | None = None,  # the template last published as a template spec (`az ts create`)
    ) -> None:
        self.folder = cwd
        self.env = env
        self.windows = windows
        self.dirs = [] if dirs is None else dirs
        self.arrays = {} if arrays is None else arrays
        self.template_spec = template_spec
        # reading a function body: its positional parameters are unknown (functions.py)
        self.in_function = False

    @property
    def cwd(self) -> str:
        folder = self.folder
        if type(folder) is Folder:
            folder.used = True
        return folder

    @cwd.setter
    def cwd(self, value: str) -> None:
        self.folder = value

    def copy(self, **changes: object) -> ShellState:
        arrays = {name: list(values) for name, values in self.arrays.items()}
        state = ShellState(
            self.folder, self.env.copy(), self.windows, list(self.dirs), arrays, self.template_spec
        )
        state.in_function = self.in_function
        for name, value in changes.items():
            setattr(state, name, value)
        return state

    def __repr__(self) -> str:
        return (
            f"ShellState(cwd={self.folder!r}, env={self.env!r}, windows={self.windows!r}, "
            f"dirs={self.dirs!r}, arrays={self.arrays!r}, template_spec={self.template_spec!r})"
        )
