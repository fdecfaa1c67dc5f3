"""What reading a script file found, kept to replay it (ScriptReader.read_file_script).

CI steps of many workflows run the same helper scripts: azureml-examples has 351 workflows whose
steps source one 873-line helper file and run it again for each helper function they call. Read
every time, that is hundreds of thousands of commands for a few thousand written ones.

Why a replay is exact: a script file's text does not change during a scan and reading it is
deterministic, so a reading depends only on the state it starts in, and only on the parts of the
state it looks at. The memo key holds, in full, the file, how deep it is read (nested scripts
stop at MAX_DEPTH) and the parts of the state other than the variables and the folder: the pushd
stack, the shell syntax, the arrays, the template spec and whether it is read in a function body
(functions.py). Variables are many and differ from
workflow to workflow, so a reading records, with TrackedEnv, the variables it looked up before
setting them itself (also in the subshells and scripts it ran), with the value each had or its
absence. The folder differs too (each workflow runs in its own `working-directory`), so a reading
starts in a Folder token (model.py) that records whether it looked at the folder: read through
ShellState.cwd, or a relative path resolved against it. A reading that only carried the folder
along (into its findings, the pushd stack, the state it leaves) is replayed in any folder, with
each of those re-based on the folder it is replayed in; one that looked at it, only in the same.
A reading that only asked a yes-or-no question of it (model.ask_folder: does a manifest there
define this console script?) is replayed in a folder that gives the same answers.
The folders on the pushd stack are tokens as well, so that a `popd` back to a caller's folder is
re-based too, and a use of it is passed on to the enclosing reading that owns it.
A later reading that starts from the same key with the same values for those variables (and
folder, where it was used) looks up the same values at every step, so it finds the same commands
and leaves the same state: the findings are replayed at the new calling line (a nested script's
findings all point at the line that called it) and its effects applied (the variables it set, the
folder, stack, arrays...). A reading that takes all the variables at once (a make recipe inherits
the environment) depends on the whole environment it started with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from mlops_ladder.assessment.evidence.repo.ci.commands.model import (
    Folder,
    Scan,
    ShellState,
    answer_of,
    use_folder,
)

MISSING = object()  # the value recorded for a variable that was looked up but not set
_EVERYTHING = "\0all"  # a key of TrackedEnv.reads: the reading took every variable (see module doc)


class TrackedEnv(dict):  # type: ignore[type-arg]
    """A shell environment that records, in `reads` (shared by its copies), the value of each
    variable looked up before this lineage of copies set it (`written`)."""

    __slots__ = ("reads", "written")

    def __init__(self, values: Mapping[str, object], reads: dict[str, object], written: set[str]) -> None:
        super().__init__(values)
        self.reads = reads
        self.written = written

    def _read(self, name: str) -> None:
        if name not in self.written and name not in self.reads:
            self.reads[name] = dict.get(self, name, MISSING)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self._read(name)
        return dict.get(self, name, default)

    def __getitem__(self, name: str) -> object:
        self._read(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        self._read(name)  # type: ignore[arg-type]
        return dict.__contains__(self, name)

    def __setitem__(self, name: str, value: object) -> None:
        self.written.add(name)
        dict.__setitem__(self, name, value)

    def update(self, *args: object, **values: object) -> None:  # type: ignore[override]
        for name, value in dict(*args, **values).items():
            self[name] = value

    def copy(self) -> TrackedEnv:  # a subshell's or a called script's own variables
        return TrackedEnv(self, self.reads, set(self.written))

    def everything(self) -> dict[str, object]:
        """All the variables, as a plain dict: the reading now depends on all of them."""
        self.reads[_EVERYTHING] = True
        return dict(self)

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("a script's variables are only set, never removed")

    __delitem__ = pop = popitem = clear = setdefault = _refuse  # type: ignore[assignment]


def all_variables(env: dict[str, object]) -> dict[str, object]:
    """Every variable of *env* (a make recipe inherits them all), recorded as read when tracked."""
    return env.everything() if isinstance(env, TrackedEnv) else dict(env)


def start_tokens(state: ShellState) -> tuple[list[str], list[Folder]]:
    """Put a token (Folder) in place of the folder and of each folder on the pushd stack of *state*,
    for a reading about to start; returns the folders they stand for and the tokens."""
    folders = [state.folder, *state.dirs]
    tokens = [Folder(folder) for folder in folders]
    state.folder, state.dirs = tokens[0], tokens[1:]
    return folders, tokens


class FileReading:
    """One reading of a script file: what it depended on, found, and did to the state."""

    __slots__ = (
        "answers",
        "depends",
        "folder",
        "found",
        "leaves",
        "line",
        "tokens",
        "used",
        "whole",
        "writes",
    )

    def __init__(
        self,
        start: dict[str, object],
        env: TrackedEnv,
        folders: list[str],
        tokens: list[Folder],
        found: Scan,
        line: int,
        leaves: ShellState,
    ):
        reads = env.reads
        self.whole = dict(start) if _EVERYTHING in reads else None
        self.depends = tuple((name, value) for name, value in reads.items() if name != _EVERYTHING)
        # the folder it started in, when it looked at it (None: replayed in any folder); the stack
        # is in the key, but a use of a folder on it is passed on to the reading that owns it
        self.folder = str(folders[0]) if tokens[0].used else None
        self.used = tuple(index for index, token in enumerate(tokens) if token.used)
        # what it asked of a folder it did not use (model.ask_folder), by the token's place
        self.answers = tuple(
            (index, question, answer)
            for index, token in enumerate(tokens)
            if token.answers and not token.used
            for question, answer in token.answers.items()
        )
        self.tokens = tokens
        self.found = found
        self.line = line
        self.writes = {name: dict.__getitem__(env, name) for name in env.written}
        # copies: a sourced script's state is its caller's, which goes on changing
        arrays = {name: tuple(values) for name, values in leaves.arrays.items()}
        self.leaves = (leaves.folder, leaves.windows, leaves.template_spec, tuple(leaves.dirs), arrays)

    def matches(self, env: Mapping[str, object], folder: str, files: object) -> bool:
        if self.folder is not None and self.folder != folder:
            return False
        for index, (ask, *args), answer in self.answers:
            # the stack is in the key
            if index == 0 and answer_of(files, ask, str(folder), tuple(args)) != answer:
                return False
        if self.whole is not None:
            return dict(env) == self.whole
        get = dict.get
        return all(get(env, name, MISSING) == value for name, value in self.depends)  # type: ignore[arg-type]

    def apply(self, state: ShellState, scan: Scan, line: int) -> None:
        """Replay the findings at *line* into *scan* and leave *state* as the reading left its own."""
        depend_on(state.env, self.depends, whole=self.whole is not None)
        folders = [state.folder, *state.dirs]  # what the tokens stand for in this replay
        for index in self.used:
            use_folder(folders[index])
        for index, question, answer in self.answers:  # passed on to the enclosing reading's tokens
            folder = folders[index]
            if type(folder) is Folder and not folder.used:
                folder.answers = {**(folder.answers or {}), question: answer}
        tokens = self.tokens

        def rebase(folder: str) -> str:
            if type(folder) is Folder:
                for index, token in enumerate(tokens):
                    if folder is token:
                        return folders[index]
            return folder

        state.env.update(self.writes)
        cwd, state.windows, state.template_spec, dirs, arrays = self.leaves
        state.folder, state.dirs = rebase(cwd), [rebase(folder) for folder in dirs]
        state.arrays = {name: list(values) for name, values in arrays.items()}
        for found in self.found.actions:
            cwd = rebase(found.cwd)
            if line != self.line or cwd is not found.cwd:
                found = found.moved(line, cwd)
            scan.actions.append(found)
        if line == self.line:
            scan.logins.extend(self.found.logins)
        else:
            scan.logins.extend(dataclasses.replace(login, line=line) for login in self.found.logins)


def depend_on(env: dict[str, object], depends: Iterable[tuple[str, object]], *, whole: bool) -> None:
    """Record in *env* (when an enclosing reading tracks it) what a nested reading depended on."""
    if isinstance(env, TrackedEnv):
        if whole:
            env.everything()
        for name, _ in depends:
            env.get(name)


def state_key(path: str, depth: int, state: ShellState) -> tuple[object, ...] | None:
    """The file, its depth and every part of *state* except the variables and the folder (see the
    module doc)."""
    try:
        key = (
            path,
            depth,
            state.windows,
            state.template_spec,
            state.in_function,
            tuple(state.dirs),
            tuple(sorted((name, tuple(values)) for name, values in state.arrays.items())),
        )
        hash(key)
    except TypeError:  # something unhashable in the arrays: not memoised
        return None
    return key
