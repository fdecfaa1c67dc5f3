"""`--help` of the Azure commands loads no Azure SDK; drift matching rules on resources built here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlops_ladder.assessment.drift import find_drift
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence, Gap
from mlops_ladder.assessment.evidence.common import Expr, Location, Resource

WS = "Microsoft.MachineLearningServices/workspaces"
KV = "Microsoft.KeyVault/vaults"


@pytest.mark.parametrize("command", ["assess", "scan-azure"])
def test_help_of_the_azure_commands_imports_no_sdk(command: str) -> None:
    code = (
        "import sys\n"
        "from mlops_ladder.cli.main import run\n"
        f"run(['{command}', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('azure', 'requests', 'msal'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _code(resource_type: str, name, line: int, **properties) -> Resource:
    body = {"name": name, "properties": properties}
    return Resource(resource_type, str(name), body, Location("infra/main.bicep", line))


def _live(resource_type: str, name: str, **properties) -> Resource:
    rid = f"/subscriptions/s/resourceGroups/rg/providers/{resource_type}/{name}"
    return Resource(
        resource_type, name, {"name": name, "properties": properties}, Location(rid), source="azure"
    )


def test_settings_missing_and_unmanaged() -> None:
    code = [
        _code(WS, "mlw", 3, publicNetworkAccess="Disabled", hbiWorkspace=Expr("param")),
        _code(KV, "kv-declared", 9, enablePurgeProtection=True),
        _code(f"{WS}/computes", "mlw/cpu", 20, disableLocalAuth=True),
    ]
    live = [
        _live(WS, "MLW", publicNetworkAccess="Enabled", hbiWorkspace=True),
        _live(f"{WS}/computes", "cpu", disableLocalAuth=True),
        _live(KV, "kv-by-hand"),
    ]
    result = find_drift(code, AzureEvidence(["s"], live))
    kinds = [(d.kind, d.name, d.property) for d in result.items]
    assert kinds == [
        ("setting", "MLW", "properties.publicNetworkAccess"),  # the expression-valued setting is skipped
        ("unmanaged", "kv-by-hand", None),
        ("missing", "kv-declared", None),
    ]
    setting = result.items[0]
    assert (setting.iac_location, setting.iac_value, setting.azure_value) == (
        "infra/main.bicep:3",
        "'Disabled'",
        "'Enabled'",
    )
    assert "is 'Disabled' in infra/main.bicep:3, 'Enabled' in Azure" in setting.describe()


def test_computed_names_and_gaps_are_not_guessed() -> None:
    code = [_code(KV, Expr("'kv-${env}'"), 5)]
    live = [_live(KV, "kv-prod")]
    result = find_drift(code, AzureEvidence(["s"], live))
    assert result.items == () and "computed name" in result.notes[0]
    # a type the scan could not read is never reported missing
    hidden = AzureEvidence(["s"], [], gaps=[Gap("/subscriptions/s/resourceGroups/rg", ("*",), "403")])
    assert find_drift([_code(KV, "kv-declared", 9)], hidden).items == ()
