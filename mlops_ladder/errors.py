"""One error root for everything a user can cause, and the exit codes they map to.

The CLI is the only place that turns these into output and exit codes (cli/main.py);
library code raises, never prints or exits.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes (README, "Exit codes")."""

    OK = 0
    BELOW_THRESHOLD = 1  # assessment level below --fail-under
    USAGE = 2  # bad option or argument (also click's own usage errors)
    BAD_INPUT = 3  # a path, file or answer the tool cannot use
    REFUSED = 4  # refused for safety: dirty worktree, non-empty destination, not a git repo
    CONFLICTS = 5  # a merge left conflicts to resolve by hand
    AZURE = 6  # an Azure call was denied or failed
    INTERNAL = 70  # a bug in mlops-ladder


class LadderError(Exception):
    """Root of every error a user can cause or fix. Carries a one-line message and a hint."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(LadderError):
    exit_code = ExitCode.USAGE


class BadInputError(LadderError):
    """A path, file or value that cannot be used (missing, unreadable, malformed)."""

    exit_code = ExitCode.BAD_INPUT


class RefusedError(LadderError):
    """The tool refuses to act because acting could lose a user's work."""

    exit_code = ExitCode.REFUSED


class ConflictError(LadderError):
    exit_code = ExitCode.CONFLICTS

    def __init__(self, message: str, *, files: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.files = files


class AzureAccessError(LadderError):
    exit_code = ExitCode.AZURE


class ModelDefinitionError(LadderError):
    """The maturity model under levels/ is inconsistent (a packaging or authoring bug)."""

    exit_code = ExitCode.INTERNAL
