"""`az ml` commands written in the repository's script files (`*.sh`, `*.bash`, `*.ps1`, `*.cmd`,
`*.bat`, Makefiles), whether CI runs them or a person does.

What CI runs is read by the CI collector; this list answers the questions where a script run by
hand still counts, such as "are models registered from code" (`az ml model create`, the CLI v1
`az ml model register`). Continuation lines (`\\`, PowerShell's backtick, cmd's `^`) are joined and
comments skipped; a file without the text `az ml` is not split at all.
"""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.azureml.model import CliCommand
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".cmd", ".bat")
_AZ_ML = re.compile(r"(?:^|[\s;&|(`'\"])az\s+ml\s+([a-z][\w-]*)\s+([a-z][\w-]*)", re.IGNORECASE)
_CONTINUATION = re.compile(r"(?:\\|`|\^)\s*$")


def collect_cli_commands(files: RepoFiles) -> list[CliCommand]:
    found: list[CliCommand] = []
    for repo_file in files.files:
        name = repo_file.name
        if not (name.lower().endswith(SCRIPT_SUFFIXES) or name in ("Makefile", "makefile")):
            continue
        text = files.read_text(repo_file.path)
        if text is None or "az ml" not in text.replace("\t", " "):
            continue
        found.extend(_commands(repo_file.path, text))
    return found


def _commands(path: str, text: str) -> list[CliCommand]:
    commands = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not pending and (stripped.startswith(("#", "REM ", "rem ", "::")) or not stripped):
            continue
        if not pending:
            start = number
        if _CONTINUATION.search(stripped):
            pending.append(_CONTINUATION.sub("", stripped))
            continue
        pending.append(stripped)
        joined = " ".join(pending)
        pending = []
        for match in _AZ_ML.finditer(joined):
            commands.append(CliCommand(path, start, match.group(1).lower(), match.group(2).lower(), joined))
    return commands
