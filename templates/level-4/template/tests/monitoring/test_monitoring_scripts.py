"""scripts/monitoring.py: what the monitoring workflows run, on the inputs Azure returns."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import monitoring

ROOT = Path(__file__).resolve().parents[2]
TRAINING_DATA = ROOT / "mlops" / "azureml" / "data" / "customers.yml"
BREACH = "has failed due to one or more features violating metric thresholds"


def event(tags: dict, status: str = "Failed") -> dict:
    return {
        "id": "e1",
        "eventType": "Microsoft.MachineLearningServices.RunStatusChanged",
        "eventTime": "2026-05-04T03:41:00Z",
        "subject": "experiments/x/runs/monitor-run-1",
        "data": {"RunId": "monitor-run-1", "RunStatus": status, "RunTags": tags},
    }


def test_the_training_data_asset_is_read_without_pyyaml() -> None:
    name, version = monitoring.data_asset(TRAINING_DATA)
    assert (name, version) == ("customers", "1")


def test_a_data_asset_without_a_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.yml"
    path.write_text("name: customers\ntype: uri_file\n")
    with pytest.raises(monitoring.MonitoringError, match="version"):
        monitoring.data_asset(path)


def test_the_reference_mltable_reads_the_training_file_in_place(tmp_path: Path, capsys) -> None:
    uri = "azureml://subscriptions/s/resourcegroups/r/workspaces/w/datastores/workspaceblobstore/paths/u/customers.csv"
    code = monitoring.main(
        ["reference", "--data-file", str(TRAINING_DATA), "--uri", uri, "--output", str(tmp_path / "ref")]
    )
    assert code == 0
    text = (tmp_path / "ref" / "MLTable").read_text()
    assert f"  - file: {uri}\n" in text and "read_delimited" in text
    assert capsys.readouterr().out.split() == ["REFERENCE_NAME=customers-reference", "REFERENCE_VERSION=1"]


def test_a_folder_mltable_reads_every_file_of_the_format() -> None:
    text = monitoring.mltable("azureml://datastores/workspaceblobstore/paths/p/scores/7/", "jsonl")
    assert "pattern: azureml://datastores/workspaceblobstore/paths/p/scores/7/**/*.jsonl" in text
    assert "read_json_lines" in text


def test_a_local_path_is_not_an_mltable_location() -> None:
    with pytest.raises(monitoring.MonitoringError, match="cloud URI"):
        monitoring.mltable("data/sample/customers.csv", "csv")


@pytest.mark.parametrize(
    ("traffic", "live"),
    [({"blue": 100, "green": 0}, "blue"), ({"blue": 10, "green": 90}, "green"), ({"blue": 0}, ""), ({}, "")],
)
def test_the_live_deployment_takes_most_of_the_traffic(traffic: dict, live: str) -> None:
    assert monitoring.live_deployment(traffic) == live


def test_breaches_are_read_from_plain_and_base64_messages() -> None:
    breached = json.dumps(event({"azureml_modelmonitor_threshold_breached": BREACH}))
    plain = {"id": "m1", "popReceipt": "r1", "content": breached}
    encoded = base64.b64encode(breached.encode()).decode()
    recovered = {"id": "m2", "popReceipt": "r2", "content": json.dumps(event({}, status="Completed"))}
    lines = monitoring.breaches([plain, {"id": "m3", "content": encoded}, recovered])
    assert len(lines) == 2 and all("monitor-run-1" in line and BREACH in line for line in lines)


def test_a_message_that_is_not_an_event_is_an_error() -> None:
    with pytest.raises(monitoring.MonitoringError, match="m9"):
        monitoring.breaches([{"id": "m9", "content": "not json!"}])


def test_the_command_line_prints_the_breach_count(tmp_path: Path, capsys) -> None:
    messages = tmp_path / "messages.json"
    messages.write_text("[]")
    assert monitoring.main(["breaches", "--messages", str(messages)]) == 0
    assert capsys.readouterr().out.strip() == "BREACHES=0"
    messages.write_text("{")
    assert monitoring.main(["breaches", "--messages", str(messages)]) == 2
    assert "messages.json" in capsys.readouterr().err
