"""Infrastructure tools in CI scripts: terraform (and OpenTofu) and the bicep CLI."""

from __future__ import annotations

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Add, ShellState
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import resolve_path
from mlops_ladder.assessment.evidence.repo.ci.commands.words import parse_options
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

K = ActionKind


def read_terraform(args: list[str], state: ShellState, add: Add) -> None:
    """`terraform|tofu [-chdir=dir] apply|plan|validate`: the folder of the root module."""
    chdir = None
    while args and args[0].startswith("-"):
        if args[0].startswith("-chdir="):
            chdir = args[0].partition("=")[2]
        args = args[1:]
    subcommand = args[0] if args else ""
    kind = {"apply": K.APPLY_IAC, "plan": K.VALIDATE_IAC, "validate": K.VALIDATE_IAC}.get(subcommand)
    if kind:
        folder = resolve_path(chdir, state.folder) if chdir else (state.cwd or ".")
        add(kind, (folder,), parse_options(args[1:]))


def read_bicep(args: list[str], state: ShellState, add: Add) -> None:
    """`bicep build|lint|build-params file`: the template validated."""
    positional = [arg for arg in args if not arg.startswith("-")]
    if positional[:1] and positional[0] in ("build", "lint", "build-params") and len(positional) > 1:
        add(K.VALIDATE_IAC, (resolve_path(positional[1], state.folder),), parse_options(args))
