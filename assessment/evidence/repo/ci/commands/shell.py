"""Scripts that run other scripts: shells (`bash -c`, `pwsh -File`), script files, `source` and make.

The commands of a script file or Makefile recipe in the repository are read as if they were
written in the calling step, from the calling line, at most MAX_DEPTH levels deep.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.repo.ci.commands.memo import all_variables
from mlops_ladder.assessment.evidence.repo.ci.commands.model import Scan, ShellState, ask_folder
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import anchored, is_unresolved, resolve_path

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
    from mlops_ladder.assessment.evidence.repo.files import RepoFiles

MAX_DEPTH = 3  # scripts that call scripts or make targets, followed this deep
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
POWERSHELLS = frozenset({"pwsh", "powershell"})
SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1")


def read_shell(
    reader: ScriptReader, name: str, args: list[str], state: ShellState, scan: Scan, depth: int, line: int
) -> None:
    """`bash x.sh`, `sh -c "..."`, `pwsh -File x.ps1`, `pwsh -Command "..."`."""
    if depth >= MAX_DEPTH:
        return
    lowered = [arg.lower() for arg in args]
    for flag in ("-c", "-command"):
        if flag in lowered and lowered.index(flag) + 1 < len(args):
            inline = args[lowered.index(flag) + 1]
            reader.read_script(inline, state.copy(windows=name in POWERSHELLS), scan, depth + 1, line)
            return
    if "-file" in lowered and lowered.index("-file") + 1 < len(args):
        read_script_file(reader, args[lowered.index("-file") + 1], state.copy(), scan, depth, line)
        return
    positional = [arg for arg in args if not arg.startswith("-")]
    if positional:
        read_script_file(
            reader, positional[0], state.copy(), scan, depth, line, args=args[args.index(positional[0]) + 1 :]
        )


def read_script_file(
    reader: ScriptReader,
    word: str,
    state: ShellState,
    scan: Scan,
    depth: int,
    line: int,
    relative_to_cwd: bool = True,
    args: list[str] | tuple[str, ...] = (),
    sourced: bool = False,
) -> None:
    """A script file the command runs (`./deploy.sh a b`, `source env.sh`: *sourced*), read when it
    is in the repository: `$0` is its own path, `$1`... its arguments."""
    if depth >= MAX_DEPTH:
        return
    folder = state.folder if relative_to_cwd else ""
    # A word that names no file of the repository (a file made at run time, a comment read as a
    # word) tells a memoised reading only that: it is a question asked of the folder, not a use.
    if not ask_folder(reader.files, folder, _is_repo_file, word):
        return
    path = resolve_path(word, folder)
    text = reader.files.read_text(path)
    if text is not None:
        state.windows = path.endswith(".ps1")
        state.env.update({"0": anchored(path), "BASH_SOURCE": anchored(path)})
        state.env.update({str(number): value for number, value in enumerate(args, start=1)})
        if args:
            state.env["@"] = " ".join(args)
        # its own arguments are known, unless it is sourced without any in a function body
        in_function, state.in_function = state.in_function, state.in_function and sourced and not args
        reader.read_file_script(path, text, state, scan, depth + 1, line)
        state.in_function = in_function


def _is_repo_file(files: RepoFiles, cwd: str, word: str) -> bool:
    path = resolve_path(word, cwd)
    return not is_unresolved(path) and files.exists(path)


def read_make(
    reader: ScriptReader, args: list[str], state: ShellState, scan: Scan, depth: int, line: int
) -> None:
    """`make target`: the recipes of the target and of its prerequisites."""
    if depth >= MAX_DEPTH:
        return
    folder, makefile_name, targets = _make_arguments(args)
    base = resolve_path(folder, state.cwd) if folder else state.cwd
    names = [makefile_name] if makefile_name else ["Makefile", "makefile", "GNUmakefile"]
    path = next((p for p in (resolve_path(n, base) for n in names) if reader.files.exists(p)), None)
    text = reader.files.read_text(path) if path else None
    if path is None or text is None:
        return
    makefile = _Makefile(text)
    for target in makefile.expand(targets or makefile.first[:1]):
        for recipe in makefile.recipes.get(target, []):
            # Each recipe line runs in its own shell, in the Makefile's folder.
            variables = {**all_variables(state.env), **makefile.variables}
            recipe_state = ShellState(posixpath.dirname(path), variables, False)
            reader.read_script(recipe, recipe_state, scan, depth + 1, line)


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
