"""`mlops-ladder assess`: scan a repository and score its MLOps maturity."""

from __future__ import annotations

import sys
from pathlib import Path

from mlops_ladder.cli.azure_options import (
    CloudOption,
    EndpointOption,
    ManagementGroupOption,
    QuietOption,
    ResourceGroupOption,
    SnapshotOption,
    SubscriptionOption,
    WorkspaceOption,
)
from mlops_ladder.cli.options import (
    FailUnderOption,
    ForceOption,
    FormatOption,
    OutputOption,
    RepoPath,
    ReportFormat,
    ShowAllOption,
)
from mlops_ladder.errors import ExitCode, UsageError


def assess(
    path: RepoPath = Path("."),
    format: FormatOption = ReportFormat.terminal,
    output: OutputOption = None,
    force: ForceOption = False,
    fail_under: FailUnderOption = None,
    show_all: ShowAllOption = False,
    subscription: SubscriptionOption = None,
    resource_group: ResourceGroupOption = None,
    workspace: WorkspaceOption = None,
    management_group: ManagementGroupOption = None,
    cloud: CloudOption = None,
    resource_manager_endpoint: EndpointOption = None,
    azure_snapshot: SnapshotOption = None,
    quiet: QuietOption = False,
) -> int:
    """Assess a repository (and, with --subscription or --azure-snapshot, its live Azure estate):
    level 0-5, the core and minor criteria met, and what the next level needs."""
    from mlops_ladder.assessment.api import assess as run_assessment
    from mlops_ladder.assessment.api import resolve_repo_path
    from mlops_ladder.cli import azure_options
    from mlops_ladder.cli.output import write_report

    azure = None
    if azure_snapshot is not None:
        if azure_options.wants_azure(subscription, management_group):
            raise UsageError("--azure-snapshot and a live scope were both given", hint="give one of them")
        azure = azure_options.load_snapshot(azure_snapshot)
    elif azure_options.wants_azure(subscription, management_group) or resource_group or workspace:
        resolve_repo_path(path)  # a wrong PATH is reported before signing in to Azure
        azure = azure_options.read_azure(
            subscription=subscription, resource_group=resource_group, workspace=workspace,
            management_group=management_group, cloud=cloud, endpoint=resource_manager_endpoint, quiet=quiet,
        )[0]
    report = run_assessment(path, azure=azure)
    if format is ReportFormat.json:
        from mlops_ladder.assessment.render import json_report

        text = json_report.render(report)
    elif format is ReportFormat.markdown:
        from mlops_ladder.assessment.render import markdown

        text = markdown.render(report, show_all=show_all)
    else:
        from mlops_ladder.assessment.render import terminal  # rich: only for people

        to_tty = output is None and sys.stdout.isatty()
        text = terminal.render(report, show_all=show_all, color=to_tty, width=_width() if to_tty else 100)
    if output is None:
        sys.stdout.write(text)
    else:
        write_report(output, text, force=force)
        print(f"Level {report.level}: report written to {output}", file=sys.stderr)
    if fail_under is not None and report.level < fail_under:
        print(f"Level {report.level} is below --fail-under {fail_under}.", file=sys.stderr)
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def _width() -> int:
    import shutil

    return max(80, min(shutil.get_terminal_size().columns, 140))
