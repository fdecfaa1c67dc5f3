"""Entry point: parse, call one command, map errors to exit codes. Nothing heavy is imported here,
so `mlops-ladder --help` stays fast (the Azure SDKs load only in the commands that need them)."""

from __future__ import annotations

import os
import sys

import typer

try:  # typer >= 0.20 ships its own copy of click; older ones use click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]

from mlops_ladder import __version__
from mlops_ladder.assessment.printable import printable
from mlops_ladder.cli import assess, explain, levels, new, report, scan_azure, update, upgrade
from mlops_ladder.errors import ExitCode, LadderError

# Plain help: an argument is shown by its name alone. Typer appends a type placeholder (`<list[str]>`)
# to arguments, and no per-argument setting turns it off; options avoid it with their metavar.
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]

app = typer.Typer(
    name="mlops-ladder",
    help="Assess the MLOps maturity (0-5) of an Azure ML project and scaffold the next level.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes, no `<bool>` type placeholders
)
app.command("assess", short_help="Score a repository's MLOps maturity (0-5) and its gaps.")(assess.assess)
app.command("scan-azure", short_help="Read an Azure estate (and save it as a snapshot).")(
    scan_azure.scan_azure
)
app.command("report", short_help="Render a saved JSON report in another format.")(report.report)
app.command("levels", short_help="Print the maturity model: levels and criteria.")(levels.levels)
app.command("explain", short_help="Explain one criterion (MLL-NNN).")(explain.explain)
app.command("new", short_help="Create a new project at level 1, 2 or 3.")(new.new)
app.command("upgrade", short_help="Lift a repository to the next level (or --to N).")(upgrade.upgrade)
app.command("update", short_help="Bring a generated project to the current templates.")(update.update)


def _version(value: bool) -> None:
    if value:
        print(f"mlops-ladder {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Assess the MLOps maturity (0-5) of an Azure ML project and scaffold the next level."""


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (used by main() and by tests)."""
    try:
        result = app(args=argv, prog_name="mlops-ladder", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except click_errors.NoArgsIsHelpError as exc:  # `mlops-ladder` alone: the help is the answer
        print(exc.format_message(), file=sys.stderr)
        return ExitCode.USAGE
    except click_errors.UsageError as exc:  # bad option or argument: one line, like every other error
        print(usage_error_line(exc), file=sys.stderr)
        return ExitCode.USAGE
    except click_errors.ClickException as exc:
        print(f"error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        return 130
    except LadderError as exc:
        # printable: a message may quote a path (an escape sequence in a name must not reach the terminal)
        message = printable(f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else ""))
        print(message, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("MLOPS_LADDER_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(hint: rerun with MLOPS_LADDER_DEBUG=1 for a traceback and report it)",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL
    return int(result or 0)


def usage_error_line(exc: click_errors.UsageError) -> str:
    """click's usage error as the one line every error is: `error: <what> (hint: <help command>)`."""
    message = " ".join(exc.format_message().split()).replace("Value error, ", "").rstrip(".")
    message = message[:1].lower() + message[1:]
    command = exc.ctx.command_path if exc.ctx is not None else "mlops-ladder"
    return f"error: {message} (hint: see `{command} --help`)"
