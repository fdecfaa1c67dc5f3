"""ScriptReader: what the commands of a script do.

Each command of a script (see split.py) has its variables substituted (variables.py) and its
wrappers peeled off (words.py); it is then matched against the tools that matter here, one
module per family: test runners and linters and python scripts (python.py), `az ml`, `az
deployment` and Azure sign-ins (az.py), terraform and bicep (iac.py), calls to a scoring URI
(scoring.py). `cd`, `pushd`, `popd` and `export` change the state the next commands run in;
shells, script files, `source` and make targets are followed into (shell.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from mlops_ladder.assessment.evidence.repo.ci.commands import az, iac, memo, platforms, python, scoring, shell
from mlops_ladder.assessment.evidence.repo.ci.commands.expansion import expand_words
from mlops_ladder.assessment.evidence.repo.ci.commands.metrics import metric_check_line
from mlops_ladder.assessment.evidence.repo.ci.commands.model import Add, Found, Scan, ShellState
from mlops_ladder.assessment.evidence.repo.ci.commands.split import Command, split_commands
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import resolve_path
from mlops_ladder.assessment.evidence.repo.ci.commands.words import (
    ASSIGNMENT,
    flat_options,
    program,
    shorten,
    unwrap,
)
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

_WINDOWS_SHELLS = frozenset({"pwsh", "powershell", "cmd", "ps", "pscore", "batch"})


class ScriptReader:
    """Recognises the commands of scripts; reads the shell scripts and Makefiles they run."""

    def __init__(self, files: RepoFiles) -> None:
        self.files = files
        # Scripts that many workflows (or other scripts) run are split into commands once:
        # splitting is pure, while what the commands do depends on the caller's state.
        self._commands: dict[tuple[str, bool], list[Command]] = {}
        # What a scan finds depends only on the script and the state it starts in (and on the
        # repository's files, which do not change): a step script many workflows share (355
        # workflows of azureml-examples run the same few) is read once per distinct start, and so
        # is a script file many scripts run or source (memo.py: its readings by key).
        self._scans: dict[tuple[object, ...], Scan] = {}
        self._file_readings: dict[tuple[object, ...], list[memo.FileReading]] = {}

    def scan(
        self, script: str, *, cwd: str = "", env: Mapping[str, str] | None = None, shell: str = "bash"
    ) -> Scan:
        """What the commands of *script* do. Callers read the Scan and must not change it: the same
        one is returned for the same script, folder, variables and shell."""
        key = _key(script, cwd, shell, env or {})
        scan = self._scans.get(key) if key is not None else None
        if scan is None:
            scan = Scan()
            windows = program(shell.split()[0] if shell.strip() else "bash") in _WINDOWS_SHELLS
            self.read_script(script, ShellState(cwd, dict(env or {}), windows), scan, depth=0, at_line=None)
            if key is not None:
                self._scans[key] = scan
        return scan

    def scan_file(self, path: str, *, cwd: str = "", env: Mapping[str, str] | None = None) -> Scan:
        """Recognise the commands of the script file *path* (a repo path), run from *cwd*."""
        scan = Scan()
        shell.read_script_file(
            self,
            path,
            ShellState(cwd, dict(env or {}), path.endswith(".ps1")),
            scan,
            depth=0,
            line=0,
            relative_to_cwd=False,
        )
        return scan

    def read_script(
        self, script: str, state: ShellState, scan: Scan, depth: int, at_line: int | None
    ) -> None:
        """Recognise the commands of *script*, run with *state*, into *scan*; *depth*: how deep in
        scripts that call scripts; *at_line*: the calling line, for every command of a nested script."""
        key = (script, state.windows)
        commands = self._commands.get(key)
        if commands is None:
            commands = self._commands[key] = split_commands(script, windows=state.windows)
        outside = state.in_function  # a script sourced in a function body is read in its scope
        for command in commands:
            line = command.line if at_line is None else at_line
            state.in_function = outside or command.in_function
            self._command(command, state, scan, depth, line)
        state.in_function = outside
        check = metric_check_line(script)
        if check is not None:  # the script checks a model's metric and fails the run on it
            text = shorten(script.splitlines()[check].split())
            scan.actions.append(Found(ActionKind.ASSERT_METRICS, text, check if at_line is None else at_line))

    def read_file_script(
        self, path: str, script: str, state: ShellState, scan: Scan, depth: int, line: int
    ) -> None:
        """read_script() for the text *script* of the script file *path*, run from *line*
        (shell.read_script_file): read once per distinct start (memo.py), replayed after that;
        *state* is left as the script leaves it (`source` shares the caller's state)."""
        key = memo.state_key(path, depth, state)
        if key is None:
            self.read_script(script, state, scan, depth, line)
            return
        readings = self._file_readings.setdefault(key, [])
        for reading in readings:
            if reading.matches(state.env, state.folder, self.files):
                reading.apply(state, scan, line)
                return
        outer = state.env
        state.env = tracked = memo.TrackedEnv(outer, {}, set())
        folders, tokens = memo.start_tokens(state)
        found = Scan()
        self.read_script(script, state, found, depth, line)
        reading = memo.FileReading(outer, tracked, folders, tokens, found, line, state)
        state.env, state.folder, state.dirs = outer, folders[0], folders[1:]
        readings.append(reading)
        reading.apply(state, scan, line)

    def _command(self, command: Command, state: ShellState, scan: Scan, depth: int, line: int) -> None:
        for group in command.substitutions:  # `$(...)` runs first, in a subshell
            subshell = state.copy()
            for inner in group:
                self._command(inner, subshell, scan, depth, line)
        if command.array is not None:
            name, appends = command.array
            values = expand_words(command.words, state, self.files)
            state.arrays[name] = (state.arrays.get(name, []) if appends else []) + values
            return
        if command.loop is not None:
            values = expand_words(command.words, state, self.files, glob=True)
            if values:
                state.env[command.loop] = values[0]  # the loop body is read once, with the first value
            return
        words = expand_words(command.words, state, self.files)
        if all(ASSIGNMENT.match(word) for word in words):
            for word in words:
                name, value = ASSIGNMENT.match(word).groups()  # type: ignore[union-attr]
                state.env[name] = value
            return
        text = shorten(words)
        prefix = dict(
            m.groups() for word in words[: _leading_assignments(words)] if (m := ASSIGNMENT.match(word))
        )
        words = unwrap(words)
        if not words:
            return
        if prefix:  # `VAR=x ./script.sh`: the variables of that command only
            state = state.copy()
            state.env.update(prefix)
        found: list[Found] = []

        def add(
            kind: ActionKind,
            files: tuple[str, ...] = (),
            options: dict[str, list[str]] | None = None,
            masked: bool = False,
        ) -> None:
            found.append(
                Found(
                    kind,
                    text,
                    line,
                    files,
                    flat_options(options or {}),
                    masked=masked or command.masked,
                    after_failure=command.after_failure,
                    cwd=state.folder,  # recorded, not looked at: a replay re-bases it (memo.py)
                )
            )

        self._dispatch(words, state, scan, depth, line, add)
        scan.actions.extend(found)

    def _dispatch(
        self, words: list[str], state: ShellState, scan: Scan, depth: int, line: int, add: Add
    ) -> None:
        name, args = program(words[0]), words[1:]
        if name in ("cd", "set-location", "sl", "chdir"):
            if not args:
                state.cwd = ""  # home: nothing in the repository
            elif args[0] != "-":
                state.cwd = resolve_path(args[0], state.folder)  # the folder is used for a relative path only
        elif name in ("pushd", "push-location"):
            if args:
                state.dirs.append(state.folder)
                state.cwd = resolve_path(args[0], state.folder)
        elif name in ("popd", "pop-location"):
            if state.dirs:
                state.cwd = state.dirs.pop()
        elif name == "export":
            for arg in args:
                match = ASSIGNMENT.match(arg)
                if match:
                    state.env[match.group(1)] = match.group(2)
        elif name in ("source", "."):
            if args:
                shell.read_script_file(self, args[0], state, scan, depth, line, args=args[1:], sourced=True)
        elif name in shell.SHELLS or name in shell.POWERSHELLS:
            shell.read_shell(self, name, args, state, scan, depth, line)
        elif words[0].endswith(shell.SCRIPT_SUFFIXES) or words[0].startswith("./"):
            shell.read_script_file(self, words[0], state.copy(), scan, depth, line, args=args)
        elif name in ("make", "gmake"):
            shell.read_make(self, args, state, scan, depth, line)
        elif platforms.read_tool(self.files, name, args, state, add):
            pass  # dvc, databricks, aws, cdk, sam, gcloud, package installers, console scripts
        elif name == "az":
            az.read_az(self.files, args, state, scan, line, add)
        elif python.PYTHON.match(name):
            python.read_python(self.files, args, state, add)
        elif name == "coverage":
            python.read_coverage(self.files, args, state, add)
        else:
            self._tool(name, args, state, scan, line, add)

    def _tool(self, name: str, args: list[str], state: ShellState, scan: Scan, line: int, add: Add) -> None:
        if python.read_test_or_lint(name, args, add):
            return
        if name in ("terraform", "tofu"):
            iac.read_terraform(args, state, add)
        elif name == "bicep":
            iac.read_bicep(args, state, add)
        elif name in scoring.HTTP_CLIENTS:
            scoring.read_http_client(args, add)
        elif name == "connect-azaccount":
            az.read_connect_azaccount(args, scan, line)


def _key(script: str, cwd: str, shell: str, env: Mapping[str, str]) -> tuple[object, ...] | None:
    try:
        key = (script, cwd, shell, frozenset(env.items()))
        hash(key)
    except TypeError:  # a value that is not hashable (a list from YAML): not memoised
        return None
    return key


def _leading_assignments(words: list[str]) -> int:
    """How many of *words* are `VAR=value` assignments before the command."""
    count = 0
    while count < len(words) - 1 and ASSIGNMENT.match(words[count]):
        count += 1
    return count
