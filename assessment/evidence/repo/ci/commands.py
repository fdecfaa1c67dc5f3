"""Say what the commands of a CI script do: the ActionKind, the files it targets, its options.

A script (a GitHub `run:`, an Azure DevOps `script:`, a GitLab `script:` line, a shell
script or a Makefile target it runs) is split into simple commands: line continuations
joined, comments and here-documents dropped, `&&`, `||`, `;`, `|` and `&` separating
commands, `${{ }}` expressions kept whole. The words of each command come from shlex (a
whitespace split when its quoting is broken). Wrappers (`uv run`, `poetry run`, `sudo`,
`VAR=x`...) are peeled off, then the command is matched against the tools that matter
here: test runners, linters, `az ml`, `az deployment`, terraform, bicep, python scripts,
calls to a scoring URI and Azure sign-ins.

Paths are resolved against the working directory (following `cd`, `pushd` and `popd`);
variables whose value is a literal are substituted. Anything that cannot be resolved stays
as written (it keeps its `$`), so a check can tell "cannot resolve" from "wrong file".
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

MAX_DEPTH = 3  # scripts that call scripts or make targets, followed this deep
COMMAND_WIDTH = 160

K = ActionKind
_Add = Callable[..., None]  # records one recognised command: add(kind, files=(), options=None, masked=False)


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


# -- variables and paths --------------------------------------------------------------------

# Variables that name the checkout folder: the repository root.
_WORKSPACE_VARIABLES = frozenset(
    {
        "github.workspace",
        "github_workspace",
        "system.defaultworkingdirectory",
        "build.sourcesdirectory",
        "build.repository.localpath",
        "system_defaultworkingdirectory",
        "build_sourcesdirectory",
        "build_repository_localpath",
        "ci_project_dir",
    }
)
_VARIABLE = re.compile(
    r"\$\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}"  # ${{ env.X }} (GitHub), ${{ variables.X }} (Azure DevOps)
    r"|\$\{([A-Za-z_]\w*)\}"  # ${X}
    r"|\$\(([A-Za-z_][\w.-]*)\)"  # $(X): Azure DevOps macro
    r"|\$env:([A-Za-z_]\w*)"  # PowerShell
    r"|\$([A-Za-z_]\w*)"  # $X
)
_EXPRESSION_CONTEXTS = ("env.", "variables.")


def expand(text: str, env: Mapping[str, str]) -> str:
    """Substitute the variables of *text* whose value is known; leave the others as written."""
    if "$" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if match.group(1):
            lowered = name.lower()
            if lowered in _WORKSPACE_VARIABLES:
                return "."
            context = next((c for c in _EXPRESSION_CONTEXTS if lowered.startswith(c)), None)
            if context is None:
                return match.group(0)
            name = name[len(context) :]
        if name.lower() in _WORKSPACE_VARIABLES:
            return "."
        known = env.get(name)
        if known is None:
            known = env.get(name.upper().replace(".", "_"))
        return known if known is not None else match.group(0)

    return _VARIABLE.sub(value, text)


def is_unresolved(path: str) -> bool:
    """True when *path* still holds a variable or expression (it could not be resolved)."""
    return "$" in path or "{{" in path


def resolve_path(path: str, cwd: str = "") -> str:
    """*path* as a normalised repo path, relative to *cwd*; unresolvable paths stay as written."""
    text = path.strip().replace("\\", "/") if "\\" in path and "/" not in path else path.strip()
    if not text:
        return text
    if is_unresolved(text) or text.startswith("/") or "://" in text or re.match(r"^[A-Za-z]:/", text):
        return text
    if cwd and is_unresolved(cwd):
        return posixpath.join(cwd, text)  # visibly unresolved
    return posixpath.normpath(posixpath.join(cwd, text) if cwd else text)


# -- splitting a script into commands -------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_]\w*)['\"]?")
_REDIRECT = re.compile(r"^\d*&?(>>?|<)(&\d*-?)?(.*)$")
_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.S)
_LEADING_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSING_KEYWORDS = frozenset({"fi", "done", "esac", "}", "then", "else", "do"})
_IGNORING = frozenset({"true", ":", "echo", "exit 0", "Write-Host", "Write-Output", "printf"})


@dataclass
class Command:
    words: list[str]
    line: int
    masked: bool = False
    after_failure: bool = False


def split_commands(script: str, *, windows: bool = False) -> list[Command]:
    """The simple commands of *script*, in order, each with its 0-based line."""
    expressions: list[str] = []

    def protect(match: re.Match[str]) -> str:
        expressions.append(match.group(0))
        return f"\ue000{len(expressions) - 1}\ue001"

    text = _EXPRESSION.sub(protect, script)
    commands: list[Command] = []
    in_failure_branch = False  # inside `if ! cmd; then ...; fi`: the branch runs when cmd failed
    for line_no, logical in _logical_lines(text):
        segments = _split_operators(logical)
        cleaned = [_clean_words(_words(segment, windows), expressions) for segment, _ in segments]
        previous_operator: str | None = None
        for index, ((keywords, words), (_, operator)) in enumerate(zip(cleaned, segments, strict=True)):
            if keywords[:2] == ["if", "!"]:
                in_failure_branch = True  # the next `then` opens the branch
                negated_test = True
            else:
                negated_test = False
                if "else" in keywords or "elif" in keywords or words[:1] == ["fi"]:
                    in_failure_branch = False
            if words and words != ["fi"]:
                following = cleaned[index + 1][1] if index + 1 < len(cleaned) else []
                commands.append(
                    Command(
                        words,
                        line_no,
                        masked=operator == "||" and _ignores_failure(following),
                        after_failure=previous_operator == "||" or (in_failure_branch and not negated_test),
                    )
                )
            previous_operator = operator
    return commands


def _ignores_failure(words: list[str]) -> bool:
    if not words:
        return False
    return words[0] in _IGNORING or " ".join(words[:2]) in _IGNORING


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        start, buffer = index, lines[index]
        while buffer.rstrip().endswith(("\\", "`")) and index + 1 < len(lines):
            buffer = buffer.rstrip()[:-1] + " " + lines[index + 1]
            index += 1
        yield start, buffer
        index += 1
        heredoc = _HEREDOC.search(buffer)
        if heredoc:
            marker = heredoc.group(1)
            while index < len(lines) and lines[index].strip() != marker:
                index += 1
            index += 1


def _split_operators(line: str) -> list[tuple[str, str | None]]:
    """Split one logical line at `&&`, `||`, `;`, `|`, `&`, `(` and `)` outside quotes and `$( )`."""
    segments: list[tuple[str, str | None]] = []
    buffer: list[str] = []
    quote: str | None = None
    depth = 0
    index, size = 0, len(line)
    while index < size:
        char = line[index]
        if quote:
            buffer.append(char)
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and index + 1 < size:
                buffer.append(line[index + 1])
                index += 1
            index += 1
            continue
        if char in "'\"":
            quote = char
        elif char == "\\" and index + 1 < size:
            buffer.append(char + line[index + 1])
            index += 2
            continue
        elif char == "#" and depth == 0 and (not buffer or buffer[-1][-1:].isspace()):
            break  # a comment
        elif char == "$" and line[index + 1 : index + 2] == "(":
            depth += 1
            buffer.append("$(")
            index += 2
            continue
        elif depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        elif line[index : index + 2] in ("&&", "||"):
            segments.append(("".join(buffer), line[index : index + 2]))
            buffer = []
            index += 2
            continue
        elif char in ";|&()":
            after_angle = bool(buffer) and buffer[-1][-1:] in "<>"
            redirect = char == "&" and (after_angle or line[index + 1 : index + 2] == ">")
            if not redirect:
                segments.append(("".join(buffer), char))
                buffer = []
                index += 1
                continue
        buffer.append(char)
        index += 1
    segments.append(("".join(buffer), None))
    return segments


def _words(segment: str, windows: bool) -> list[str]:
    if not segment.strip():
        return []
    try:
        lexer = shlex.shlex(segment, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        if windows:
            lexer.escape = ""  # backslashes are path separators
        return list(lexer)
    except ValueError:  # unbalanced quotes: words as they stand
        return segment.split()


def _clean_words(words: list[str], expressions: list[str]) -> tuple[list[str], list[str]]:
    """(leading shell keywords, the command's words) with expressions restored and redirections dropped."""
    restored = [_PLACEHOLDER.sub(lambda m: expressions[int(m.group(1))], word) for word in words]
    kept: list[str] = []
    skip_next = False
    for word in restored:
        if skip_next:
            skip_next = False
            continue
        redirect = _REDIRECT.match(word)
        if redirect:
            skip_next = not redirect.group(2) and not redirect.group(3)
            continue
        kept.append(word)
    keywords: list[str] = []
    while kept and kept[0] in _LEADING_KEYWORDS:
        keywords.append(kept.pop(0))
    if len(kept) == 1 and kept[0] in _CLOSING_KEYWORDS:
        return keywords, ["fi"] if kept[0] == "fi" else []
    if kept and kept[0] in ("for", "case", "select", "function"):
        return keywords, []
    return keywords, kept


# -- options --------------------------------------------------------------------------------


def parse_options(args: list[str]) -> dict[str, list[str]]:
    """Options as written: `--name value`, `--name=value`, `-n value`, flags.

    An option takes every word up to the next option (`--set a=1 b=2`)."""
    options: dict[str, list[str]] = {}
    current: list[str] | None = None
    for arg in args:
        if arg.startswith("-") and len(arg) > 1 and not _is_number(arg):
            name, equals, value = arg.partition("=")
            current = options.setdefault(name, [])
            if equals:
                current.append(value)
                current = None
        elif current is not None:
            current.append(arg)
    return options


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first(options: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        values = options.get(name)
        if values:
            return values[0]
    return None


def _flat(options: dict[str, list[str]]) -> dict[str, str]:
    return {name: " ".join(values) for name, values in options.items()}


_SECRET_OPTIONS = frozenset(
    {
        "-p",
        "--password",
        "--client-secret",
        "--secret",
        "--token",
        "--federated-token",
        "--account-key",
        "--sas-token",
        "-password",
        "-federatedtoken",
        "-clientsecret",
    }
)


def shorten(words: list[str]) -> str:
    """One line for a report, with literal values of secret options hidden."""
    shown: list[str] = []
    hide_next = False
    for word in words:
        if hide_next and not word.startswith(("$", "-")):
            shown.append("***")
        else:
            shown.append(word if " " not in word else shlex.quote(word))
        hide_next = word.lower() in _SECRET_OPTIONS
    text = " ".join(shown)
    return text if len(text) <= COMMAND_WIDTH else text[: COMMAND_WIDTH - 3] + "..."


@functools.lru_cache(maxsize=4096)  # pure, and asked for every word of every command
def program(word: str) -> str:
    name = posixpath.basename(word.replace("\\", "/")).lower()
    for suffix in (".exe", ".cmd", ".bat"):
        name = name.removesuffix(suffix)
    return name


# -- wrappers -------------------------------------------------------------------------------

_PREFIX_COMMANDS = frozenset({"sudo", "time", "exec", "nohup", "command", "xvfb-run", "stdbuf", "nice"})
_RUNNERS = {
    "uv": "run",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "rye": "run",
    "conda": "run",
    "mamba": "run",
    "micromamba": "run",
    "pixi": "run",
    "pipx": "run",
}
_RUNNER_VALUE_OPTIONS = frozenset(
    {
        "-n",
        "--name",
        "-p",
        "--prefix",
        "-e",
        "--env",
        "--environment",
        "--with",
        "--python",
        "--extra",
        "--group",
        "--package",
        "--project",
        "--directory",
        "--env-file",
        "--index",
        "--spec",
        "--from",
    }
)


def unwrap(words: list[str]) -> list[str]:
    """The command a wrapper runs: `uv run pytest` -> `pytest`, `FOO=1 sudo -E az ...` -> `az ...`."""
    while words:
        name = program(words[0])
        if _ASSIGNMENT.match(words[0]) and len(words) > 1:
            words = words[1:]
        elif name in _PREFIX_COMMANDS and len(words) > 1:
            words = _skip_options(words[1:], frozenset({"-u", "-g"}))
        elif name == "env" and len(words) > 1:
            rest = _skip_options(words[1:], frozenset({"-u", "--unset", "-C", "--chdir"}))
            while rest and _ASSIGNMENT.match(rest[0]):
                rest = rest[1:]
            words = rest
        elif name == "timeout" and len(words) > 2:
            words = _skip_options(words[1:], frozenset({"-s", "--signal", "-k", "--kill-after"}))[1:]
        elif name in _RUNNERS and len(words) > 2 and words[1] == _RUNNERS[name]:
            words = _skip_options(words[2:], _RUNNER_VALUE_OPTIONS)
        elif name == "uvx" and len(words) > 1:
            words = _skip_options(words[1:], _RUNNER_VALUE_OPTIONS)
        else:
            break
    return words


def _skip_options(words: list[str], with_value: frozenset[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index].startswith("-"):
        index += 2 if words[index] in with_value else 1
    return words[index:]


# -- the scanner ----------------------------------------------------------------------------


@dataclass
class _State:
    cwd: str
    env: dict[str, str]
    windows: bool
    dirs: list[str] = field(default_factory=list)

    def copy(self, **changes: object) -> _State:
        state = _State(self.cwd, dict(self.env), self.windows, list(self.dirs))
        for name, value in changes.items():
            setattr(state, name, value)
        return state


_PYTHON = re.compile(r"^(python(\d+(\.\d+)?)?|py|pypy3?)$")
_LINTERS = frozenset(
    {"ruff", "flake8", "pylint", "black", "mypy", "isort", "pyright", "pycodestyle", "pydocstyle"}
)
_NEEDS_CHECK_FLAG = {"black": ("--check", "--diff"), "isort": ("--check", "--check-only", "-c", "--diff")}
_PYTHON_MODULE_TOOLS = _LINTERS | {"pytest", "unittest", "tox", "nox", "coverage", "pre_commit"}
_LINT_ENVIRONMENT = re.compile(
    r"lint|flake8|ruff|style|format|pre-?commit|mypy|typ(e|ing)|pylint|black|isort", re.I
)
_SCORING_TARGET = re.compile(
    r"scor(e|ing)[_-]?(uri|url)|endpoint[_-]?(uri|url)|\.inference\.ml\.azure\.com|/score\b", re.I
)
_HTTP_CLIENTS = frozenset(
    {"curl", "wget", "http", "https", "invoke-restmethod", "invoke-webrequest", "irm", "iwr"}
)
_WINDOWS_SHELLS = frozenset({"pwsh", "powershell", "cmd", "ps", "pscore", "batch"})
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
_POWERSHELLS = frozenset({"pwsh", "powershell"})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1")
_AZ_ML_KINDS: dict[tuple[str, str], ActionKind] = {
    ("job", "create"): K.SUBMIT_JOB,
    ("job", "stream"): K.WAIT_JOB,
    ("job", "show"): K.WAIT_JOB,
    ("schedule", "create"): K.CREATE_SCHEDULE,
    ("schedule", "update"): K.CREATE_SCHEDULE,
    ("online-endpoint", "create"): K.CREATE_ENDPOINT,
    ("batch-endpoint", "create"): K.CREATE_ENDPOINT,
    ("online-endpoint", "invoke"): K.INVOKE_ENDPOINT,
    ("batch-endpoint", "invoke"): K.INVOKE_ENDPOINT,
    ("online-deployment", "create"): K.DEPLOY_MODEL,
    ("online-deployment", "update"): K.DEPLOY_MODEL,
    ("batch-deployment", "create"): K.DEPLOY_MODEL,
    ("batch-deployment", "update"): K.DEPLOY_MODEL,
    ("online-deployment", "delete"): K.DELETE_DEPLOYMENT,
    ("batch-deployment", "delete"): K.DELETE_DEPLOYMENT,
    ("component", "create"): K.REGISTER_COMPONENT,
    ("environment", "create"): K.REGISTER_ENVIRONMENT,
    ("model", "create"): K.REGISTER_MODEL,
    ("model", "share"): K.SHARE_MODEL,
}
_DEPLOYMENT_SCOPES = frozenset({"group", "sub", "mg", "tenant"})


class ScriptReader:
    """Recognises the commands of scripts; reads the shell scripts and Makefiles they run."""

    def __init__(self, files: RepoFiles) -> None:
        self.files = files
        # Scripts that many workflows (or other scripts) run are split into commands once:
        # splitting is pure, while what the commands do depends on the caller's state.
        self._commands: dict[tuple[str, bool], list[Command]] = {}

    def scan(
        self, script: str, *, cwd: str = "", env: Mapping[str, str] | None = None, shell: str = "bash"
    ) -> Scan:
        scan = Scan()
        windows = program(shell.split()[0] if shell.strip() else "bash") in _WINDOWS_SHELLS
        self._scan(script, _State(cwd, dict(env or {}), windows), scan, depth=0, at_line=None)
        return scan

    def scan_file(self, path: str, *, cwd: str = "", env: Mapping[str, str] | None = None) -> Scan:
        """Recognise the commands of the script file *path* (a repo path), run from *cwd*."""
        scan = Scan()
        self._script_file(
            path,
            _State(cwd, dict(env or {}), path.endswith(".ps1")),
            scan,
            depth=0,
            line=0,
            relative_to_cwd=False,
        )
        return scan

    def _scan(self, script: str, state: _State, scan: Scan, depth: int, at_line: int | None) -> None:
        key = (script, state.windows)
        commands = self._commands.get(key)
        if commands is None:
            commands = self._commands[key] = split_commands(script, windows=state.windows)
        for command in commands:
            line = command.line if at_line is None else at_line
            self._command(command, state, scan, depth, line)

    def _command(self, command: Command, state: _State, scan: Scan, depth: int, line: int) -> None:
        words = [expand(word, state.env) for word in command.words]
        if all(_ASSIGNMENT.match(word) for word in words):
            for word in words:
                name, value = _ASSIGNMENT.match(word).groups()  # type: ignore[union-attr]
                state.env[name] = value
            return
        text = shorten(words)
        words = unwrap(words)
        if not words:
            return
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
                    _flat(options or {}),
                    masked=masked or command.masked,
                    after_failure=command.after_failure,
                    cwd=state.cwd,
                )
            )

        self._dispatch(words, state, scan, depth, line, add)
        scan.actions.extend(found)

    def _dispatch(
        self, words: list[str], state: _State, scan: Scan, depth: int, line: int, add: _Add
    ) -> None:
        name, args = program(words[0]), words[1:]
        if name in ("cd", "set-location", "sl", "chdir"):
            if not args:
                state.cwd = ""  # home: nothing in the repository
            elif args[0] != "-":
                state.cwd = resolve_path(args[0], state.cwd)
        elif name in ("pushd", "push-location"):
            if args:
                state.dirs.append(state.cwd)
                state.cwd = resolve_path(args[0], state.cwd)
        elif name in ("popd", "pop-location"):
            if state.dirs:
                state.cwd = state.dirs.pop()
        elif name == "export":
            for arg in args:
                match = _ASSIGNMENT.match(arg)
                if match:
                    state.env[match.group(1)] = match.group(2)
        elif name in ("source", "."):
            if args:
                self._script_file(args[0], state, scan, depth, line)
        elif name in _SHELLS or name in _POWERSHELLS:
            self._shell(name, args, state, scan, depth, line)
        elif words[0].endswith(_SCRIPT_SUFFIXES) or words[0].startswith("./"):
            self._script_file(words[0], state.copy(), scan, depth, line)
        elif name in ("make", "gmake"):
            self._make(args, state, scan, depth, line)
        elif name == "az":
            self._az(args, state, scan, line, add)
        elif _PYTHON.match(name):
            self._python(args, state, add)
        elif name == "coverage":
            self._coverage(args, state, add)
        else:
            self._tool(name, args, state, scan, line, add)

    def _tool(self, name: str, args: list[str], state: _State, scan: Scan, line: int, add: _Add) -> None:
        if name in ("pytest", "py.test"):
            if not {"--collect-only", "--co"} & set(args):
                add(K.RUN_TESTS, options=parse_options(args))
        elif name == "unittest":
            add(K.RUN_TESTS, options=parse_options(args))
        elif name in ("tox", "nox"):
            self._tox(args, add)
        elif name == "hatch" and args[:1] == ["test"]:
            add(K.RUN_TESTS, options=parse_options(args[1:]))
        elif name in _LINTERS or name in ("pre-commit", "pre_commit", "prek"):
            self._lint(name, args, add)
        elif name in ("terraform", "tofu"):
            self._terraform(args, state, add)
        elif name == "bicep":
            positional = [arg for arg in args if not arg.startswith("-")]
            if positional[:1] and positional[0] in ("build", "lint", "build-params") and len(positional) > 1:
                add(K.VALIDATE_IAC, (resolve_path(positional[1], state.cwd),), parse_options(args))
        elif name in _HTTP_CLIENTS:
            if any(_SCORING_TARGET.search(arg) for arg in args):
                add(K.INVOKE_ENDPOINT, options=parse_options(args))
        elif name == "connect-azaccount":
            self._connect_azaccount(args, scan, line)

    # -- scripts, shells and make -------------------------------------------------------
    def _shell(self, name: str, args: list[str], state: _State, scan: Scan, depth: int, line: int) -> None:
        if depth >= MAX_DEPTH:
            return
        lowered = [arg.lower() for arg in args]
        for flag in ("-c", "-command"):
            if flag in lowered and lowered.index(flag) + 1 < len(args):
                inline = args[lowered.index(flag) + 1]
                self._scan(inline, state.copy(windows=name in _POWERSHELLS), scan, depth + 1, line)
                return
        if "-file" in lowered and lowered.index("-file") + 1 < len(args):
            self._script_file(args[lowered.index("-file") + 1], state.copy(), scan, depth, line)
            return
        positional = [arg for arg in args if not arg.startswith("-")]
        if positional:
            self._script_file(positional[0], state.copy(), scan, depth, line)

    def _script_file(
        self, word: str, state: _State, scan: Scan, depth: int, line: int, relative_to_cwd: bool = True
    ) -> None:
        path = resolve_path(word, state.cwd if relative_to_cwd else "")
        if depth >= MAX_DEPTH or is_unresolved(path) or not self.files.exists(path):
            return
        text = self.files.read_text(path)
        if text is not None:
            state.windows = path.endswith(".ps1")
            self._scan(text, state, scan, depth + 1, line)

    def _make(self, args: list[str], state: _State, scan: Scan, depth: int, line: int) -> None:
        if depth >= MAX_DEPTH:
            return
        folder, makefile_name, targets = _make_arguments(args)
        base = resolve_path(folder, state.cwd) if folder else state.cwd
        names = [makefile_name] if makefile_name else ["Makefile", "makefile", "GNUmakefile"]
        path = next((p for p in (resolve_path(n, base) for n in names) if self.files.exists(p)), None)
        text = self.files.read_text(path) if path else None
        if path is None or text is None:
            return
        makefile = _Makefile(text)
        for target in makefile.expand(targets or makefile.first[:1]):
            for recipe in makefile.recipes.get(target, []):
                # Each recipe line runs in its own shell, in the Makefile's folder.
                recipe_state = _State(posixpath.dirname(path), {**state.env, **makefile.variables}, False)
                self._scan(recipe, recipe_state, scan, depth + 1, line)

    # -- tools --------------------------------------------------------------------------
    def _python(self, args: list[str], state: _State, add: _Add) -> None:
        index = 0
        while index < len(args) and args[index].startswith("-") and args[index] not in ("-m", "-c", "-"):
            index += 2 if args[index] in ("-W", "-X") else 1
        if index >= len(args) or args[index] in ("-c", "-"):
            return
        if args[index] == "-m":
            if index + 1 < len(args):
                self._python_module(args[index + 1], args[index + 2 :], state, add)
            return
        script, rest = resolve_path(args[index], state.cwd), args[index + 1 :]
        add(K.RUN_PYTHON, (script, *self._argument_files(rest, state)), parse_options(rest))

    def _python_module(self, module: str, rest: list[str], state: _State, add: _Add) -> None:
        if module in _PYTHON_MODULE_TOOLS:
            if module == "coverage":
                self._coverage(rest, state, add)
            else:
                tool = "pre-commit" if module == "pre_commit" else module
                self._tool(tool, rest, state, Scan(), 0, add)
            return
        path = self.module_path(module, state.cwd)
        if path:
            add(K.RUN_PYTHON, (path, *self._argument_files(rest, state)), parse_options(rest))

    def module_path(self, module: str, cwd: str) -> str | None:
        """The repo file `python -m module` runs: pkg/mod.py, src/pkg/mod.py or pkg/mod/__main__.py."""
        relative = module.replace(".", "/")
        for base in dict.fromkeys((cwd, "", "src")):
            for candidate in (f"{relative}.py", f"{relative}/__main__.py"):
                path = posixpath.normpath(posixpath.join(base, candidate)) if base else candidate
                if self.files.exists(path):
                    return path
        return None

    def _argument_files(self, args: list[str], state: _State) -> tuple[str, ...]:
        found = []
        for arg in args:
            value = arg.partition("=")[2] if arg.startswith("-") else arg
            if value and not is_unresolved(value):
                path = resolve_path(value.lstrip("@"), state.cwd)
                if self.files.exists(path):
                    found.append(path)
        return tuple(found)

    def _coverage(self, args: list[str], state: _State, add: _Add) -> None:
        if args[:1] == ["run"]:
            rest = args[1:]
            while rest and rest[0].startswith("-") and rest[0] != "-m":
                rest = rest[1:]
            self._python(rest, state, add)

    def _tox(self, args: list[str], add: _Add) -> None:
        options = parse_options(args)
        names = [
            n
            for value in ("-e", "--envlist", "-s", "--session", "--sessions", "-t", "--tags")
            for v in options.get(value, [])
            for n in re.split(r"[,\s]+", v)
            if n
        ]
        lint = [n for n in names if _LINT_ENVIRONMENT.search(n)]
        if lint:
            add(K.LINT, options=options)
        if not names or len(lint) < len(names):
            add(K.RUN_TESTS, options=options)

    def _lint(self, name: str, args: list[str], add: _Add) -> None:
        positional = [arg for arg in args if not arg.startswith("-")]
        if name == "ruff":
            subcommand = positional[0] if positional else "check"
            if subcommand in ("format",) and not {"--check", "--diff"} & set(args):
                return
            if subcommand in ("clean", "version", "rule", "config", "server", "linter", "analyze", "help"):
                return
        if name in _NEEDS_CHECK_FLAG and not set(_NEEDS_CHECK_FLAG[name]) & set(args):
            return
        if name in ("pre-commit", "pre_commit", "prek") and positional[:1] != ["run"]:
            return
        add(K.LINT, options=parse_options(args), masked="--exit-zero" in args)

    def _terraform(self, args: list[str], state: _State, add: _Add) -> None:
        chdir = None
        while args and args[0].startswith("-"):
            if args[0].startswith("-chdir="):
                chdir = args[0].partition("=")[2]
            args = args[1:]
        subcommand = args[0] if args else ""
        kind = {"apply": K.APPLY_IAC, "plan": K.VALIDATE_IAC, "validate": K.VALIDATE_IAC}.get(subcommand)
        if kind:
            folder = resolve_path(chdir, state.cwd) if chdir else (state.cwd or ".")
            add(kind, (folder,), parse_options(args[1:]))

    def _az(self, args: list[str], state: _State, scan: Scan, line: int, add: _Add) -> None:
        count = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
        groups, options = args[:count], parse_options(args[count:])
        if groups[:1] == ["ml"] and len(groups) >= 3:
            self._az_ml(groups[1], groups[2], options, state, add)
        elif groups[:1] == ["login"]:
            login = _az_login(options)
            if login:
                scan.logins.append(FoundLogin(login[0], login[1], line))
        elif groups[:1] == ["deployment"] or groups[:2] == ["group", "deployment"] or groups[:1] == ["stack"]:
            verb = groups[2] if len(groups) > 2 else (groups[1] if len(groups) == 2 else "")
            if groups[:1] == ["deployment"] and len(groups) > 2 and groups[1] not in _DEPLOYMENT_SCOPES:
                return
            self._az_deployment(verb, options, state, add)
        elif groups[:1] == ["bicep"] and len(groups) > 1 and groups[1] in ("build", "lint", "build-params"):
            target = _first(options, "--file", "-f")
            add(K.VALIDATE_IAC, (resolve_path(target, state.cwd),) if target else (), options)

    def _az_ml(self, group: str, verb: str, options: dict[str, list[str]], state: _State, add: _Add) -> None:
        target = _first(options, "--file", "-f")
        files = (resolve_path(target, state.cwd),) if target else ()
        kind = _AZ_ML_KINDS.get((group, verb))
        if group in ("online-endpoint", "batch-endpoint") and verb == "update":
            if files:
                add(K.CREATE_ENDPOINT, files, options)
            shifts = "--traffic" in options or any(
                "defaults.deployment_name" in value for value in options.get("--set", [])
            )
            if shifts:
                add(K.SHIFT_TRAFFIC, files, options)
        elif kind:
            add(kind, files, options)
        if "--registry-name" in options and kind is not K.SHARE_MODEL:
            add(K.SHARE_MODEL, files, options)

    def _az_deployment(self, verb: str, options: dict[str, list[str]], state: _State, add: _Add) -> None:
        if verb == "create":
            kind = K.VALIDATE_IAC if {"--what-if", "-w"} & set(options) else K.APPLY_IAC
        elif verb in ("what-if", "validate"):
            kind = K.VALIDATE_IAC
        else:
            return
        template = _first(options, "--template-file", "-f")
        if template:
            files: tuple[str, ...] = (resolve_path(template, state.cwd),)
        else:  # `--parameters main.bicepparam` names its template with `using`
            parameters = options.get("--parameters", []) + options.get("-p", [])
            files = tuple(
                self._bicepparam_template(value, state)
                for value in parameters
                if value.endswith(".bicepparam")
            )
        add(kind, files, options)

    def _bicepparam_template(self, value: str, state: _State) -> str:
        """The template a .bicepparam file is `using` (the deployment's real target), else the file itself."""
        path = resolve_path(value.lstrip("@"), state.cwd)
        text = self.files.read_text(path) if not is_unresolved(path) and self.files.exists(path) else None
        match = re.search(r"^\s*using\s+'([^']+)'", text or "", re.M)
        if match and not match.group(1).startswith("br"):
            return resolve_path(match.group(1), posixpath.dirname(path))
        return path

    def _connect_azaccount(self, args: list[str], scan: Scan, line: int) -> None:
        flags = {arg.lower() for arg in args if arg.startswith("-")}
        if "-federatedtoken" in flags:
            scan.logins.append(FoundLogin("oidc", "Connect-AzAccount -FederatedToken", line))
        elif flags & {"-credential", "-certificatethumbprint", "-certificatepath", "-clientsecret"}:
            detail = "Connect-AzAccount with a service principal credential"
            scan.logins.append(FoundLogin("secret", detail, line))
        elif "-identity" in flags:
            scan.logins.append(FoundLogin("unknown", "Connect-AzAccount -Identity (managed identity)", line))


def _az_login(options: dict[str, list[str]]) -> tuple[str, str] | None:
    if "--federated-token" in options:
        return "oidc", "az login --federated-token (workload identity federation)"
    for flag in ("-p", "--password", "--client-secret", "--secret"):
        if flag in options:
            return "secret", f"az login with {flag} (a stored secret)"
    if "--certificate" in options:
        return "secret", "az login with --certificate (a stored credential)"
    if "--identity" in options or "-i" in options:
        return "unknown", "az login --identity (managed identity)"
    return None


# -- Makefiles ------------------------------------------------------------------------------

_MAKE_VALUE_OPTIONS = frozenset({"-C", "--directory", "-f", "--file", "--makefile", "-I", "-o", "-W", "-l"})


def _make_arguments(args: list[str]) -> tuple[str | None, str | None, list[str]]:
    """(folder of -C, makefile of -f, targets) of a make command line."""
    folder = makefile = None
    targets: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        value = args[index + 1] if index + 1 < len(args) else None
        if arg in _MAKE_VALUE_OPTIONS or (arg == "-j" and value is not None and value.isdigit()):
            if arg in ("-C", "--directory"):
                folder = value
            elif arg in ("-f", "--file", "--makefile"):
                makefile = value
            index += 2
            continue
        if arg.startswith("--directory=") or (arg.startswith("-C") and len(arg) > 2):
            folder = arg.partition("=")[2] if arg.startswith("--") else arg[2:]
        elif arg.startswith(("--file=", "--makefile=")):
            makefile = arg.partition("=")[2]
        elif not arg.startswith("-") and "=" not in arg:
            targets.append(arg)
        index += 1
    return folder, makefile, targets


_MAKE_RULE = re.compile(r"^([A-Za-z0-9_.%/-][^:=#\t]*?)\s*::?(?!=)\s*([^=#]*?)\s*(?:#.*)?$")
_MAKE_VARIABLE = re.compile(r"^([A-Za-z_][\w]*)\s*(?::?=|\?=|::=)\s*(.*?)\s*$")


class _Makefile:
    """Targets, their prerequisites and recipes, and simple variables of a Makefile."""

    def __init__(self, text: str) -> None:
        self.recipes: dict[str, list[str]] = {}
        self.prerequisites: dict[str, list[str]] = {}
        self.variables: dict[str, str] = {}
        self.first: list[str] = []
        current: list[str] | None = None
        for raw in text.replace("\\\n", " ").splitlines():
            if raw.startswith("\t"):
                if current is not None:
                    current.append(raw.strip().lstrip("@-+").replace("$(MAKE)", "make").replace("$$", "$"))
                continue
            variable = _MAKE_VARIABLE.match(raw)
            rule = _MAKE_RULE.match(raw)
            if variable and not rule:
                self.variables[variable.group(1)] = variable.group(2)
                current = None
            elif rule and not raw.startswith((".", " ")):
                current = []
                for target in rule.group(1).split():
                    self.recipes[target] = current
                    self.prerequisites[target] = rule.group(2).split()
                    if not self.first:
                        self.first.append(target)
            elif raw.strip():
                current = None

    def expand(self, targets: list[str]) -> list[str]:
        """*targets* with their prerequisites first, each once."""
        ordered: list[str] = []

        def visit(target: str, depth: int) -> None:
            if target in ordered or depth > 10:
                return
            for prerequisite in self.prerequisites.get(target, []):
                visit(prerequisite, depth + 1)
            ordered.append(target)

        for target in targets:
            visit(target, 0)
        return ordered
