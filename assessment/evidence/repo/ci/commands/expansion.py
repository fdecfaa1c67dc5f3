"""The words of a command as the shell sees them: variables substituted (variables.py), bash arrays
spread (`"${ARGS[@]}"`), and command substitutions that name a folder evaluated.

Only the substitutions scripts use to find their way are evaluated: `$(dirname X)`, `$(pwd)`,
`$(cd X && pwd)`, `$(realpath X)`, `$(readlink -f X)`, `$(git rev-parse --show-toplevel)` and
`$(find PATTERN)` / a glob over the repository's files (for loops over files). Any other
substitution stays as written: its output is only known at run time.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.repo.ci.commands.functions import FunctionScope
from mlops_ladder.assessment.evidence.repo.ci.commands.model import use_folder
from mlops_ladder.assessment.evidence.repo.ci.commands.split import Command, split_commands
from mlops_ladder.assessment.evidence.repo.ci.commands.substitution import find_substitutions
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import (
    REPO_ROOT,
    anchored,
    expand,
    is_unresolved,
    resolve_path,
)

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.ci.commands.model import ShellState
    from mlops_ladder.assessment.evidence.repo.files import RepoFiles

_ARRAY_WORD = re.compile(r"\$\{([A-Za-z_]\w*)\[[@*]\]\}")
_GLOB = re.compile(r"[*?\[]")
# `$(...)` inside `$(...)`, evaluated this deep: a variable whose unresolved value holds a
# substitution that reads the same variable (`ID=$(sh -c 'echo $ID')`, run twice) nests without end
MAX_SUBSTITUTION_DEPTH = 4  # `$(cd $(dirname $(dirname $(readlink -f $0))) && pwd)`
MAX_MATCHES = 50  # files a glob or `find` yields, at most
_PATH_IDIOMS = frozenset({"cd", "pwd", "dirname", "realpath", "readlink", "git", "find"})  # see _evaluate


def expand_words(words: list[str], state: ShellState, files: RepoFiles, *, glob: bool = False) -> list[str]:
    """*words* expanded; with *glob*, words that are file patterns become the repository files they
    match (a `for` loop's values)."""
    expanded: list[str] = []
    for word in words:
        array = _ARRAY_WORD.fullmatch(word) if "$" in word else None
        if array and array.group(1) in state.arrays:
            expanded.extend(state.arrays[array.group(1)])
            continue
        value = expand_word(word, state, files)
        if glob and _GLOB.search(value) and not is_unresolved(value):
            expanded.extend(glob_files(value, state.folder, files) or [value])
        elif glob and value != word and " " in value and not is_unresolved(value):
            expanded.extend(value.split())  # `for f in $FILES`: the words of the value
        else:
            expanded.append(value)
    return expanded


def expand_word(word: str, state: ShellState, files: RepoFiles, depth: int = 0) -> str:
    """One word with its variables substituted and its path substitutions evaluated (*depth*: how
    many substitutions it is inside)."""
    if "$" not in word and "`" not in word:
        return word
    value = expand(word, FunctionScope(state.env) if state.in_function else state.env)
    if ("$(" not in value and "`" not in value) or depth >= MAX_SUBSTITUTION_DEPTH:
        return value
    found = find_substitutions(value, backticks=not state.windows)
    for start, end, inner in reversed(found):
        result = _evaluate(inner, state, files, depth + 1)
        if result is not None:
            value = value[:start] + result + value[end:]
    if "$(pwd)" in value:
        value = value.replace("$(pwd)", anchored(state.cwd))
    return value


@functools.lru_cache(maxsize=4096)
def _split(inner: str, windows: bool) -> list[Command]:
    # The same substitutions come back in every step that sources the same helpers: split once
    # (the commands are only read).
    return split_commands(inner, windows=windows)


def _evaluate(inner: str, state: ShellState, files: RepoFiles, depth: int) -> str | None:
    """What `$(inner)` prints, when it is a path idiom; else None."""
    cwd, output = state.folder, None  # looked at only where used (resolve_path, use_folder)
    for command in _split(inner, state.windows):
        if command.loop is not None or command.array is not None:
            return None
        # expand_word only reads the state: a copy only to run in the folder a `cd` changed to
        here = state if cwd is state.folder else state.copy(cwd=cwd)
        name = expand_word(command.words[0], here, files, depth) if command.words else ""
        if name not in _PATH_IDIOMS:  # `$(az ml job create ...)`: its output is only known at run time
            return None
        args = [expand_word(word, here, files, depth) for word in command.words[1:]]
        operands = [arg for arg in args if not arg.startswith("-")]
        if name == "cd":
            if not operands or is_unresolved(operands[0]):
                return None
            cwd = resolve_path(operands[0], cwd)
            output = None
        elif name == "pwd":
            output = anchored(use_folder(cwd))
        elif name == "dirname" and operands and not is_unresolved(operands[0]):
            output = posixpath.dirname(operands[0].rstrip("/")) or "."
        elif name in ("realpath", "readlink") and operands and not is_unresolved(operands[0]):
            output = anchored(resolve_path(operands[0], cwd))
        elif name == "git" and args[:2] == ["rev-parse", "--show-toplevel"]:
            output = REPO_ROOT
        elif name == "find" and operands and not is_unresolved(operands[0]):
            pattern = _find_pattern(args)
            matched = glob_files(operands[0], cwd, files, pattern)
            output = " ".join(matched) if matched else None
        else:
            return None
    return output


def _find_pattern(args: list[str]) -> str | None:
    for flag in ("-name", "-iname"):
        if flag in args and args.index(flag) + 1 < len(args):
            return args[args.index(flag) + 1]
    return None


def glob_files(pattern: str, cwd: str, files: RepoFiles, name: str | None = None) -> list[str]:
    """Repository files matching *pattern* (a glob, a file, or a folder searched with *name*),
    written from the repository root."""
    path = resolve_path(pattern, cwd)
    if not _GLOB.search(path):
        if files.exists(path) and name is None:
            return [anchored(path)]
        base, pattern_of_path = path, None
    else:
        fixed = path[: _GLOB.search(path).start()]  # type: ignore[union-attr]
        base, pattern_of_path = posixpath.dirname(fixed), path
    candidates = files.under(base) if base not in ("", ".") else files.files
    matched = []
    for repo_file in candidates:
        if pattern_of_path and not fnmatch.fnmatchcase(repo_file.path, pattern_of_path):
            continue
        if name and not fnmatch.fnmatchcase(posixpath.basename(repo_file.path), name):
            continue
        matched.append(anchored(repo_file.path))
        if len(matched) >= MAX_MATCHES:
            break
    return matched
