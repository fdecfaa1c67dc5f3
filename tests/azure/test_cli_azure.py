"""`assess --subscription`, `scan-azure --save` and `assess --azure-snapshot` from the command line,
against the emulator: the Azure evidence merged with the repository's, the sources that decided each
criterion, drift, one-line errors with their exit codes, and snapshots without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlops_ladder.assessment.report import SCHEMA_PATH
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from tests.azure.conftest import remove_credentials
from tests.azure_emulator.estate import SUBSCRIPTION
from tests.conftest import make_repo

WS = "Microsoft.MachineLearningServices/workspaces"
WRONG = "99999999-9999-9999-9999-999999999999"
BICEP = """\
param location string = resourceGroup().location

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: 'mlw-prod'
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    publicNetworkAccess: 'Enabled'
  }
}

resource missing 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-never-deployed'
  location: location
  properties: { tenantId: subscription().tenantId, sku: { family: 'A', name: 'standard' } }
}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"infra/main.bicep": BICEP, "src/app/train.py": "print('hi')\n"})


def _assess(capsys, *args: str) -> tuple[int, dict, str]:
    code = run(["assess", *args, "--format", "json", "--quiet"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def test_assess_merges_the_estate_with_the_repository(emulator, repo, capsys) -> None:
    code, report, err = _assess(capsys, str(repo), "--subscription", SUBSCRIPTION)
    assert code == 0, err
    assert err == ""  # --quiet: nothing but the report
    assert report["schema_version"] == "2.1"
    assert report["sources"]["azure"]["collected"] is True
    findings = {f["id"]: f for f in report["findings"]}
    isolation = findings["MLL-514"]
    assert isolation["outcome"] == "pass" and isolation["decided_by"] == ["azure"]
    assert {s["source"]: s["outcome"] for s in isolation["sources"]} == {"repo": "fail", "azure": "pass"}
    assert any(e["location"].startswith(f"/subscriptions/{SUBSCRIPTION}/") for e in isolation["evidence"])
    assert findings["MLL-204"]["outcome"] == "pass"  # models registered in the workspace


def test_drift_between_the_bicep_and_the_estate(emulator, repo, capsys) -> None:
    code, report, _ = _assess(capsys, str(repo), "--subscription", SUBSCRIPTION)
    assert code == 0
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    items = report["drift"]["items"]
    setting = next(
        d for d in items if d["kind"] == "setting" and d["property"] == "properties.publicNetworkAccess"
    )
    assert setting["name"] == "mlw-prod" and setting["iac_value"] == "'Enabled'"
    assert setting["azure_value"] == "'Disabled'"
    assert setting["iac_location"] == "infra/main.bicep:3"
    assert setting["azure_id"].endswith("/workspaces/mlw-prod")
    assert any(d["kind"] == "setting" and d["property"] == "identity.type" for d in items)
    missing = next(d for d in items if d["kind"] == "missing")
    assert missing["name"] == "kv-never-deployed" and missing["iac_location"] == "infra/main.bicep:12"
    unmanaged = {d["name"] for d in items if d["kind"] == "unmanaged"}
    assert {"stmlprod", "kv-ml-prod", "crmlprod"} <= unmanaged and "cpu-cluster" not in unmanaged
    # and in the terminal report
    assert run(["assess", str(repo), "--subscription", SUBSCRIPTION, "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Drift between code and cloud" in text and "kv-never-deployed" in text
    assert "Microsoft.Storage/storageAccounts exists in Azure but no infrastructure code declares it" in text


def test_a_denied_resource_group_leaves_its_criteria_unknown(emulator, repo, capsys) -> None:
    emulator.fault("/resourcegroups/rg-ml/resources", status=403)
    code, report, _ = _assess(capsys, str(repo), "--subscription", SUBSCRIPTION)
    assert code == 0
    budget = next(f for f in report["findings"] if f["id"] == "MLL-411")
    azure = next(s for s in budget["sources"] if s["source"] == "azure")
    # budgets are read at the subscription, so they still decide; the workspace's resources do not
    assert azure["outcome"] == "pass"
    isolation = next(f for f in report["findings"] if f["id"] == "MLL-514")
    azure = next(s for s in isolation["sources"] if s["source"] == "azure")
    assert azure["outcome"] == "unknown" and "403 AuthorizationFailed" in azure["found"]
    assert any("rg-ml" in n["path"] and "not read" in n["reason"] for n in report["notes"])


def test_no_credential_is_one_line_and_exit_6(emulator, no_credential, repo, capsys) -> None:
    code = run(["assess", str(repo), "--subscription", SUBSCRIPTION])
    err = capsys.readouterr().err
    assert code == ExitCode.AZURE == 6
    assert err.count("\n") == 1 and err.startswith(
        f"error: no Azure credential to read subscription {SUBSCRIPTION}"
    )
    assert "az login" in err and "Traceback" not in err
    assert emulator.requests == [] or all(r.path == "/metadata/endpoints" for r in emulator.requests)


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["--subscription", WRONG], 6, f"error: subscription {WRONG}: not found"),
        (
            ["--subscription", SUBSCRIPTION, "-g", "rg-nope"],
            6,
            "error: resource group rg-nope in subscription",
        ),
        (["--subscription", SUBSCRIPTION, "-w", "nope"], 6, "error: workspace nope not found"),
        (["--subscription", "my-sub"], 2, "error: --subscription my-sub: not a subscription id"),
        (["-g", "rg-ml"], 2, "error: --resource-group and --workspace need --subscription"),
        (["--subscription", SUBSCRIPTION, "--cloud", "Mars"], 2, "error: --cloud Mars and a custom"),
    ],
)
def test_scope_errors_are_one_line(emulator, repo, capsys, args, code, text) -> None:
    assert run(["assess", str(repo), *args, "--quiet"]) == code
    err = capsys.readouterr().err
    assert err.startswith(text) and err.count("\n") == 1 and "(hint: " in err


def test_unknown_cloud_is_a_usage_error(repo, capsys, monkeypatch) -> None:
    monkeypatch.delenv("AZURE_RESOURCE_MANAGER_ENDPOINT", raising=False)
    assert run(["assess", str(repo), "--subscription", SUBSCRIPTION, "--cloud", "Mars"]) == 2
    assert capsys.readouterr().err.startswith("error: --cloud Mars: unknown cloud")


def test_snapshot_round_trip_without_credentials(emulator, repo, tmp_path, capsys, monkeypatch) -> None:
    snapshot = tmp_path / "estate.json"
    assert run(["scan-azure", "--subscription", SUBSCRIPTION, "--save", str(snapshot), "--quiet"]) == 0
    assert "Snapshot written to" in capsys.readouterr().err
    code, live, _ = _assess(capsys, str(repo), "--subscription", SUBSCRIPTION)
    calls = len(emulator.requests)
    remove_credentials(monkeypatch, tmp_path)  # no az: no credential at all
    code, saved, _ = _assess(capsys, str(repo), "--azure-snapshot", str(snapshot))
    assert code == 0 and len(emulator.requests) == calls  # not one call to Azure
    assert [(f["id"], f["outcome"]) for f in saved["findings"]] == [
        (f["id"], f["outcome"]) for f in live["findings"]
    ]
    assert saved["drift"]["items"] == live["drift"]["items"]
    assert saved["sources"]["azure"]["detail"].endswith(f"from {snapshot}")


def test_a_snapshot_never_holds_secrets(emulator, estate, tmp_path, capsys) -> None:
    rg = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-ml"
    component = estate.resources[f"{rg}/providers/Microsoft.Insights/components/appi-ml-prod".lower()]
    connection = component["properties"]["ConnectionString"]
    instrumentation_key = component["properties"]["InstrumentationKey"]
    compute = estate.collections[
        f"{rg}/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod/computes".lower()
    ][0]
    compute["properties"]["properties"]["userAccountCredentials"] = {
        "adminUserName": "azureuser",
        "adminUserPassword": "S3cret-Passw0rd!",
        "adminUserSshPublicKey": "ssh-rsa AAA",
    }
    version = estate.collections[
        f"{rg}/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod/models/credit/versions".lower()
    ][0]
    version["properties"]["modelUri"] = (
        "https://st.blob.core.windows.net/m/model.pkl?sv=2022-11-02&sig=AbCdSecretSig%3D"
    )
    version["properties"]["properties"] = {
        "connection": "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=SuperSecretKey=="
    }
    snapshot = tmp_path / "estate.json"
    assert run(["scan-azure", "--subscription", SUBSCRIPTION, "--save", str(snapshot), "--quiet"]) == 0
    text = snapshot.read_text()
    for secret in (connection, instrumentation_key, "S3cret-Passw0rd!", "AbCdSecretSig", "SuperSecretKey"):
        assert secret not in text
    assert "model.pkl" in text and "azureuser" in text  # the rest of the bodies is kept


def test_az_cli_outputs_are_accepted(tmp_path, repo, capsys) -> None:
    workspace = {
        "id": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/{WS}/w",
        "name": "w",
        "type": "microsoft.machinelearningservices/workspaces",
        "location": "westeurope",
        "properties": {"publicNetworkAccess": "Enabled"},
        "subscriptionId": SUBSCRIPTION,
        "resourceGroup": "rg",
    }
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"count": 1, "data": [workspace], "skip_token": None, "total_records": 1}))
    code, report, _ = _assess(capsys, str(repo), "--azure-snapshot", str(graph))
    assert code == 0
    isolation = next(f for f in report["findings"] if f["id"] == "MLL-514")
    assert isolation["outcome"] == "fail" and "azure" in isolation["decided_by"]
    models = next(f for f in report["findings"] if f["id"] == "MLL-204")
    azure = next(s for s in models["sources"] if s["source"] == "azure")
    assert azure["outcome"] == "unknown" and "not the Azure ML workspace detail" in azure["found"]
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([dict(workspace, properties=None)]))
    code, report, _ = _assess(capsys, str(repo), "--azure-snapshot", str(listing))
    isolation = next(f for f in report["findings"] if f["id"] == "MLL-514")
    azure = next(s for s in isolation["sources"] if s["source"] == "azure")
    assert code == 0 and azure["outcome"] == "unknown" and "properties not in the az output" in azure["found"]


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "not an Azure snapshot"),
        ('{"mlops_ladder_azure_snapshot": 99}', "format 99 is not supported"),
    ],
)
def test_bad_snapshots_are_exit_3(tmp_path, repo, capsys, content, text) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert run(["assess", str(repo), "--azure-snapshot", str(path)]) == 3
    err = capsys.readouterr().err
    assert text in err and err.count("\n") == 1


def test_save_never_overwrites_a_file_that_is_not_a_snapshot(emulator, tmp_path, capsys) -> None:
    precious = tmp_path / "notes.json"
    precious.write_text('{"mine": true}')
    assert run(["scan-azure", "--subscription", SUBSCRIPTION, "--save", str(precious), "--quiet"]) == 4
    assert precious.read_text() == '{"mine": true}'


def test_progress_is_shown_on_a_terminal_only(emulator, repo, capsys, monkeypatch) -> None:
    import sys

    assert run(["scan-azure", "--subscription", SUBSCRIPTION]) == 0
    captured = capsys.readouterr()
    assert "Reading Azure" not in captured.err  # not a terminal (as in CI)
    assert "Microsoft.MachineLearningServices/workspaces" in captured.out
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    from mlops_ladder.cli import azure_options

    progress = azure_options._Progress(enabled=True)
    with progress:
        progress.phase("workspaces")
        progress.call()
    assert "Reading Azure: workspaces (1 calls)" in progress._text()
