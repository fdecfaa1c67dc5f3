"""The Azure options of `assess` and `scan-azure`, and reading Azure evidence from them: a live scan
(with a progress display on a terminal) or a saved snapshot. The Azure SDKs are imported only
when a scan runs, never for `--help`."""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlops_ladder.errors import UsageError

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.azure_model import AzureEvidence

PANEL = "Azure"
CONCURRENCY_VARIABLE = "MLOPS_LADDER_AZURE_CONCURRENCY"
SubscriptionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--subscription",
        metavar="ID",
        help="Azure subscription id to read (repeatable).",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
ResourceGroupOption = Annotated[
    str | None,
    typer.Option(
        "--resource-group",
        "-g",
        metavar="NAME",
        help="Read only this resource group (one --subscription).",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
WorkspaceOption = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        metavar="NAME",
        help="Read only this Azure ML workspace (one --subscription).",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
ManagementGroupOption = Annotated[
    str | None,
    typer.Option(
        "--management-group",
        metavar="ID",
        help="Read every subscription under this management group.",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
CloudOption = Annotated[
    str | None,
    typer.Option(
        "--cloud",
        metavar="NAME",
        help="AzureCloud (default), AzureUSGovernment or AzureChinaCloud.",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--resource-manager-endpoint",
        metavar="URL",
        envvar="AZURE_RESOURCE_MANAGER_ENDPOINT",
        help="A custom Resource Manager endpoint (Azure Stack Hub).",
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
SnapshotOption = Annotated[
    Path | None,
    typer.Option(
        "--azure-snapshot",
        metavar="FILE",
        help="Assess with Azure evidence saved by scan-azure --save (or the "
        "JSON output of az graph query / az resource list), without signing in.",
        dir_okay=False,
        show_default=False,
        rich_help_panel=PANEL,
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress display while reading Azure.", rich_help_panel=PANEL),
]

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def wants_azure(subscription: list[str] | None, management_group: str | None) -> bool:
    return bool(subscription) or bool(management_group)


def read_azure(
    *,
    subscription: list[str] | None,
    resource_group: str | None,
    workspace: str | None,
    management_group: str | None,
    cloud: str | None,
    endpoint: str | None,
    quiet: bool,
) -> tuple[AzureEvidence, str, str]:
    """Scan the estate the options name: (evidence, scope description, cloud name)."""
    from mlops_ladder.assessment.evidence.azure.cloud import resolve_cloud
    from mlops_ladder.assessment.evidence.azure.collect import Scope, scan
    from mlops_ladder.assessment.evidence.azure.transport import Settings

    if (resource_group or workspace) and not subscription:
        raise UsageError("--resource-group and --workspace need --subscription", hint="add --subscription ID")
    for value in subscription or []:
        if not _GUID.match(value):
            raise UsageError(
                f"--subscription {value}: not a subscription id (a GUID)",
                hint="list yours with `az account list -o table`",
            )
    scope = Scope(tuple(subscription or ()), management_group, resource_group, workspace)
    scope.validate()
    chosen = resolve_cloud(cloud, endpoint)
    _quiet_azure_logging()
    with _Progress(enabled=not quiet and sys.stderr.isatty() and not os.environ.get("CI")) as progress:
        evidence = scan(
            scope,
            chosen,
            settings=Settings(concurrency=_concurrency()),
            on_call=progress.call,
            on_phase=progress.phase,
        )
    return evidence, scope.describe(), chosen.name


def _concurrency() -> int:
    """Parallel calls: MLOPS_LADDER_AZURE_CONCURRENCY (1-64), 16 by default."""
    value = os.environ.get(CONCURRENCY_VARIABLE, "16")
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise UsageError(f"{CONCURRENCY_VARIABLE}={value}: not a number from 1 to 64", hint="unset it for 16")
    return int(value)


def load_snapshot(path: Path) -> AzureEvidence:
    from mlops_ladder.assessment.evidence.azure.snapshot import load

    return load(path)


def _quiet_azure_logging() -> None:
    """The SDKs log failed credentials and retries as warnings: the report and notes say it once."""
    import logging

    logger = logging.getLogger("azure")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


class _Progress:
    """ "Reading Azure: workspaces (412 calls)" on standard error, on a terminal only."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._calls = 0
        self._phase = "starting"
        self._lock = threading.Lock()
        self._shown = 0.0
        self._status = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console

            self._status = Console(stderr=True).status(self._text())
            self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)

    def phase(self, name: str) -> None:
        self._phase = name
        self._refresh(force=True)

    def call(self) -> None:
        with self._lock:
            self._calls += 1
        self._refresh()

    def _refresh(self, force: bool = False) -> None:
        if self._status is None:
            return
        now = time.monotonic()
        if force or now - self._shown > 0.1:
            self._shown = now
            self._status.update(self._text())

    def _text(self) -> str:
        return f"Reading Azure: {self._phase} ({self._calls} calls)"
