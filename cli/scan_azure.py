"""`mlops-ladder scan-azure`: read an Azure estate and save what was read (a snapshot to assess later
without credentials), or print a summary of it."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from mlops_ladder.cli.azure_options import (
    CloudOption,
    EndpointOption,
    ManagementGroupOption,
    QuietOption,
    ResourceGroupOption,
    SubscriptionOption,
    WorkspaceOption,
    read_azure,
)
from mlops_ladder.errors import ExitCode, UsageError

SaveOption = Annotated[
    Path | None,
    typer.Option(
        "--save",
        help="Write what was read to this JSON file (no secrets are ever saved).",
        dir_okay=False,
        show_default=False,
    ),
]


ForceOption = Annotated[
    bool, typer.Option("--force", help="Overwrite a --save file that is not an mlops-ladder snapshot.")
]


def scan_azure(
    subscription: SubscriptionOption = None,
    resource_group: ResourceGroupOption = None,
    workspace: WorkspaceOption = None,
    management_group: ManagementGroupOption = None,
    cloud: CloudOption = None,
    resource_manager_endpoint: EndpointOption = None,
    save: SaveOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> int:
    """Read an Azure estate (read-only) and save it as a snapshot for `assess --azure-snapshot`."""
    if not subscription and not management_group:
        raise UsageError("scan-azure needs a scope", hint="pass --subscription ID or --management-group ID")
    evidence, scope, cloud_name = read_azure(
        subscription=subscription,
        resource_group=resource_group,
        workspace=workspace,
        management_group=management_group,
        cloud=cloud,
        endpoint=resource_manager_endpoint,
        quiet=quiet,
    )
    counts = Counter(r.type for r in evidence.resources)
    lines = [
        f"Read {len(evidence.resources)} resources in {len(evidence.subscriptions)} subscription(s) "
        f"({scope}):"
    ]
    lines += [f"  {n:>6}  {t}" for t, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    if evidence.gaps:
        lines.append(f"Not read ({len(evidence.gaps)}): the criteria they could decide stay unknown")
        lines += [f"  {g.scope}: {g.reason}" for g in evidence.gaps[:20]]
    if save is not None:
        from mlops_ladder.assessment.evidence.azure.snapshot import save as save_snapshot

        save_snapshot(evidence, save, scope=scope, cloud=cloud_name, force=force)
        lines.append(f"Snapshot written to {save}")
    print("\n".join(lines), file=sys.stderr if save is not None else sys.stdout)
    return ExitCode.OK
