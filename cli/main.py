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

app = typer.Typer(
    name="mlops-ladder",
    help="Assess the MLOps maturity (0-5) of an Azure ML project and scaffold the next level.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("assess")(assess.assess)
app.command("scan-azure")(scan_azure.scan_azure)
app.command("report")(report.report)
app.command("levels")(levels.levels)
app.command("explain")(explain.explain)
app.command("new")(new.new)
app.command("upgrade")(upgrade.upgrade)
app.command("update")(update.update)


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
    except click_errors.ClickException as exc:  # usage errors: bad option, missing argument
        exc.show()
        return ExitCode.USAGE if isinstance(exc, click_errors.UsageError) else exc.exit_code
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
