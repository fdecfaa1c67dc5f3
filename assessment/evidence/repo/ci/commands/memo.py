"""What reading a script file found, kept to replay it (ScriptReader.read_file_script).

CI steps of many workflows run the same helper scripts: azureml-examples has 351 workflows whose
steps source one 873-line helper file and run it again for each helper function they call. Read
every time, that is hundreds of thousands of commands for a few thousand written ones.

Why a replay is exact: a script file's text does not change during a scan and reading it is
deterministic, so a reading depends only on the state it starts in, and only on the parts of the
state it looks at. The memo key holds, in full, the file, how deep it is read (nested scripts
stop at MAX_DEPTH) and every part of the state other than variables: the folder, the pushd stack,
the shell syntax, the arrays and the template spec. Variables are many and differ from workflow
to workflow, so a reading records, with TrackedEnv, the variables it looked up before setting
them itself (also in the subshells and scripts it ran), with the value each had or its absence.
A later reading that starts from the same key with the same values for those variables looks up
the same values at every step, so it finds the same commands and leaves the same state: the
findings are replayed at the new calling line (a nested script's findings all point at the line
that called it) and its effects applied (the variables it set, the folder, stack, arrays...).
A reading that takes all the variables at once (a make recipe inherits the environment) depends
on the whole environment it started with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Scan, ShellState

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


class FileReading:
    """One reading of a script file: what it depended on, found, and did to the state."""

    __slots__ = ("depends", "found", "leaves", "line", "whole", "writes")

    def __init__(self, start: dict[str, object], env: TrackedEnv, found: Scan, line: int, leaves: ShellState):
        reads = env.reads
        self.whole = dict(start) if _EVERYTHING in reads else None
        self.depends = tuple((name, value) for name, value in reads.items() if name != _EVERYTHING)
        self.found = found
        self.line = line
        self.writes = {name: dict.__getitem__(env, name) for name in env.written}
        # copies: a sourced script's state is its caller's, which goes on changing
        arrays = {name: tuple(values) for name, values in leaves.arrays.items()}
        self.leaves = (leaves.cwd, leaves.windows, leaves.template_spec, tuple(leaves.dirs), arrays)

    def matches(self, env: Mapping[str, object]) -> bool:
        if self.whole is not None:
            return dict(env) == self.whole
        get = dict.get
        return all(get(env, name, MISSING) == value for name, value in self.depends)  # type: ignore[arg-type]

    def apply(self, state: ShellState, scan: Scan, line: int) -> None:
        """Replay the findings at *line* into *scan* and leave *state* as the reading left its own."""
        depend_on(state.env, self.depends, whole=self.whole is not None)
        state.env.update(self.writes)
        cwd, state.windows, state.template_spec, dirs, arrays = self.leaves
        state.cwd, state.dirs = cwd, list(dirs)
        state.arrays = {name: list(values) for name, values in arrays.items()}
        if line == self.line:
            scan.actions.extend(self.found.actions)
            scan.logins.extend(self.found.logins)
        else:
            scan.actions.extend(dataclasses.replace(found, line=line) for found in self.found.actions)
            scan.logins.extend(dataclasses.replace(login, line=line) for login in self.found.logins)


def depend_on(env: dict[str, object], depends: Iterable[tuple[str, object]], *, whole: bool) -> None:
    """Record in *env* (when an enclosing reading tracks it) what a nested reading depended on."""
    if isinstance(env, TrackedEnv):
        if whole:
            env.everything()
        for name, _ in depends:
            env.get(name)


def state_key(path: str, depth: int, state: ShellState) -> tuple[object, ...] | None:
    """The file, its depth and every part of *state* except the variables (see the module doc)."""
    try:
        key = (
            path,
            depth,
            state.cwd,
            state.windows,
            state.template_spec,
            tuple(state.dirs),
            tuple(sorted((name, tuple(values)) for name, values in state.arrays.items())),
        )
        hash(key)
    except TypeError:  # something unhashable in the arrays: not memoised
        return None
    return key
