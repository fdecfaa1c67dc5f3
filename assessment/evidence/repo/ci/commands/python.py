"""Python in CI scripts: scripts and modules run, test runners (pytest, unittest, tox, nox, hatch)
and linters (ruff, flake8, pylint, black --check, mypy, pre-commit...)."""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Add, ShellState
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.commands.words import parse_options
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

K = ActionKind

PYTHON = re.compile(r"^(python(\d+(\.\d+)?)?|py|pypy3?)$")
LINTERS = frozenset(
    {"ruff", "flake8", "pylint", "black", "mypy", "isort", "pyright", "pycodestyle", "pydocstyle"}
)
_NEEDS_CHECK_FLAG = {"black": ("--check", "--diff"), "isort": ("--check", "--check-only", "-c", "--diff")}
PYTHON_MODULE_TOOLS = LINTERS | {"pytest", "unittest", "tox", "nox", "coverage", "pre_commit"}
_LINT_ENVIRONMENT = re.compile(
    r"lint|flake8|ruff|style|format|pre-?commit|mypy|typ(e|ing)|pylint|black|isort", re.I
)


def read_python(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    """`python script.py args` and `python -m module args`."""
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] not in ("-m", "-c", "-"):
        index += 2 if args[index] in ("-W", "-X") else 1
    if index >= len(args) or args[index] in ("-c", "-"):
        return
    if args[index] == "-m":
        if index + 1 < len(args):
            _python_module(files, args[index + 1], args[index + 2 :], state, add)
        return
    script, rest = resolve_path(args[index], state.folder), args[index + 1 :]
    add(K.RUN_PYTHON, (script, *_argument_files(files, rest, state)), parse_options(rest))


def _python_module(files: RepoFiles, module: str, rest: list[str], state: ShellState, add: Add) -> None:
    if module in PYTHON_MODULE_TOOLS:
        if module == "coverage":
            read_coverage(files, rest, state, add)
        else:
            tool = "pre-commit" if module == "pre_commit" else module
            read_test_or_lint(tool, rest, add)
        return
    path = module_path(files, module, state.cwd)
    if path:
        add(K.RUN_PYTHON, (path, *_argument_files(files, rest, state)), parse_options(rest))


def module_path(files: RepoFiles, module: str, cwd: str) -> str | None:
    """The repo file `python -m module` runs: pkg/mod.py, src/pkg/mod.py or pkg/mod/__main__.py."""
    relative = module.replace(".", "/")
    for base in dict.fromkeys((cwd, "", "src")):
        for candidate in (f"{relative}.py", f"{relative}/__main__.py"):
            path = posixpath.normpath(posixpath.join(base, candidate)) if base else candidate
            if files.exists(path):
                return path
    return None


def _argument_files(files: RepoFiles, args: list[str], state: ShellState) -> tuple[str, ...]:
    found = []
    for arg in args:
        value = arg.partition("=")[2] if arg.startswith("-") else arg
        if value and not is_unresolved(value):
            path = resolve_path(value.lstrip("@"), state.folder)
            if files.exists(path):
                found.append(path)
    return tuple(found)


def read_coverage(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    """`coverage run [-m] ...`: what it runs."""
    if args[:1] == ["run"]:
        rest = args[1:]
        while rest and rest[0].startswith("-") and rest[0] != "-m":
            rest = rest[1:]
        read_python(files, rest, state, add)


def read_test_or_lint(name: str, args: list[str], add: Add) -> bool:
    """pytest, unittest, tox, nox, `hatch test`, linters and pre-commit; False when *name* is none of them."""
    if name in ("pytest", "py.test"):
        if not {"--collect-only", "--co"} & set(args):
            add(K.RUN_TESTS, options=parse_options(args))
    elif name == "unittest":
        add(K.RUN_TESTS, options=parse_options(args))
    elif name in ("tox", "nox"):
        _tox(args, add)
    elif name == "hatch" and args[:1] == ["test"]:
        add(K.RUN_TESTS, options=parse_options(args[1:]))
    elif name in LINTERS or name in ("pre-commit", "pre_commit", "prek"):
        _lint(name, args, add)
    else:
        return False
    return True


def _tox(args: list[str], add: Add) -> None:
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


def _lint(name: str, args: list[str], add: Add) -> None:
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
