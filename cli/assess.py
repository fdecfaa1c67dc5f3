"""`mlops-ladder assess`: scan a repository and score its MLOps maturity; several repositories (or
JSON reports made elsewhere) make a portfolio (cli/portfolio.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_ladder.cli.azure_options import (
    CloudOption,
    EndpointOption,
    ManagementGroupOption,
    ResourceGroupOption,
    SnapshotOption,
    SubscriptionOption,
    WorkspaceOption,
)
from mlops_ladder.cli.options import (
    AnswersFileOption,
    BaselineOption,
    FailUnderOption,
    ForceOption,
    FormatOption,
    InteractiveOption,
    JobsOption,
    OutputDirOption,
    OutputOption,
    QuietOption,
    RepoPaths,
    ReportFormat,
    ReposOption,
    ShowAllOption,
)
from mlops_ladder.errors import BadInputError, ExitCode, UsageError

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.azure_model import AzureEvidence


def assess(
    paths: RepoPaths = None,
    format: FormatOption = ReportFormat.terminal,
    output: OutputOption = None,
    force: ForceOption = False,
    fail_under: FailUnderOption = None,
    show_all: ShowAllOption = False,
    interactive: InteractiveOption = False,
    answers: AnswersFileOption = None,
    baseline: BaselineOption = None,
    quiet: QuietOption = False,
    repos: ReposOption = None,
    output_dir: OutputDirOption = None,
    jobs: JobsOption = None,
    subscription: SubscriptionOption = None,
    resource_group: ResourceGroupOption = None,
    workspace: WorkspaceOption = None,
    management_group: ManagementGroupOption = None,
    cloud: CloudOption = None,
    resource_manager_endpoint: EndpointOption = None,
    azure_snapshot: SnapshotOption = None,
) -> int:
    """Assess a repository (and, with --subscription or --azure-snapshot, its live Azure estate):
    level 0-5, the core and minor criteria met, and what the next level needs."""
    from mlops_ladder.cli import azure_options

    wants_azure = (
        azure_snapshot is not None
        or azure_options.wants_azure(subscription, management_group)
        or bool(resource_group or workspace)
    )
    if any(not raw.strip() for raw in paths or []):
        raise BadInputError(
            "an empty path was given", hint="give a repository folder, or . for the current one"
        )
    paths = [Path(raw) for raw in paths or []]
    if repos is not None or len(paths) > 1 or any(p.suffix.lower() == ".json" for p in paths):
        if interactive or answers or baseline or wants_azure:
            raise UsageError(
                "--interactive, --answers, --baseline and the Azure options apply to one repository, "
                "not a portfolio",
                hint="assess each repository on its own for those",
            )
        from mlops_ladder.cli import portfolio

        return portfolio.run(
            paths,
            repos=repos,
            fmt=format.value,
            output=output,
            output_dir=output_dir,
            force=force,
            jobs=jobs,
            quiet=quiet,
            fail_under=fail_under,
        )
    if output_dir is not None:
        raise UsageError("--output-dir is for a portfolio of several repositories", hint="use --output")
    path = paths[0] if paths else Path(".")
    azure = None
    if azure_snapshot is not None:
        if azure_options.wants_azure(subscription, management_group):
            raise UsageError("--azure-snapshot and a live scope were both given", hint="give one of them")
        azure = azure_options.load_snapshot(azure_snapshot)
    elif wants_azure:
        from mlops_ladder.assessment.api import resolve_repo_path

        resolve_repo_path(path)  # a wrong PATH is reported before signing in to Azure
        azure = azure_options.read_azure(
            subscription=subscription, resource_group=resource_group, workspace=workspace,
            management_group=management_group, cloud=cloud, endpoint=resource_manager_endpoint, quiet=quiet,
        )[0]
    return _one(
        path, format, output, force, fail_under, show_all, interactive, answers, baseline, quiet, azure
    )


def _one(
    path: Path,
    format: ReportFormat,
    output: Path | None,
    force: bool,
    fail_under: int | None,
    show_all: bool,
    interactive: bool,
    answers_path: Path | None,
    baseline: Path | None,
    quiet: bool,
    azure: AzureEvidence | None,
) -> int:
    from mlops_ladder.assessment.api import assess_with_evidence, build_report, resolve_repo_path
    from mlops_ladder.assessment.evidence.answers_file import DEFAULT_PATH, load_answers
    from mlops_ladder.cli import progress
    from mlops_ladder.levels.catalog import load_model

    if interactive:
        from mlops_ladder.cli.interactive import require_terminal

        require_terminal()
    root = resolve_repo_path(path)
    file = answers_path if answers_path is not None else root / DEFAULT_PATH
    shown = str(answers_path) if answers_path is not None else str(DEFAULT_PATH)
    given = None
    # The default file is read when it exists; a file given with --answers must exist, unless
    # --interactive is about to create it.
    if file.exists() or (answers_path is not None and not interactive):
        given = load_answers(file, load_model(), shown_as=shown)
    with progress.stages(progress.wanted(quiet), f"Assessing {path}") as stage:
        report, repo = assess_with_evidence(root, azure=azure, answers=given, on_stage=stage)
    if interactive:
        from mlops_ladder.cli.questionnaire import ask_and_save

        answers = ask_and_save(report, root, file, shown, given, quiet=quiet)
        if answers is not given:
            report = build_report(root, repo, azure=azure, answers=answers)
    if baseline is not None:
        from mlops_ladder.assessment.baseline import with_baseline

        with_baseline(report, baseline)
    emit(report, format.value, output, force=force, show_all=show_all, quiet=quiet)
    return gate(report.level, fail_under, quiet=quiet)


def emit(report, fmt: str, output: Path | None, *, force: bool, show_all: bool, quiet: bool) -> None:
    from mlops_ladder.assessment.render.formats import render
    from mlops_ladder.cli.output import write_report

    color = fmt == "terminal" and output is None and sys.stdout.isatty()
    text = render(report, fmt, show_all=show_all, color=color)
    if output is None:
        sys.stdout.write(text)
    else:
        write_report(output, text, force=force)
        if not quiet:
            print(f"Level {report.level}: report written to {output}", file=sys.stderr)


def gate(level: int, fail_under: int | None, *, quiet: bool = False) -> int:
    """Exit code 1 when the level is below --fail-under."""
    if fail_under is not None and level < fail_under:
        print(f"Level {level} is below --fail-under {fail_under}.", file=sys.stderr)
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK
