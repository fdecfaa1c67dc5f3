"""data-factory/: the definitions hang together and keep the contract with the ML layer
(docs/data-pipeline.md): what the pipeline expects is what the training code reads, it writes where
the curated datastore points, and it versions the data asset that training uses."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "data-factory"
FOLDERS = (
    "factory",
    "credential",
    "linkedService",
    "dataset",
    "pipeline",
    "trigger",
    "integrationRuntime",
    "managedVirtualNetwork",
)
REFERENCE_FOLDERS = {
    "LinkedServiceReference": "linkedService",
    "DatasetReference": "dataset",
    "PipelineReference": "pipeline",
    "CredentialReference": "credential",
    "IntegrationRuntimeReference": "integrationRuntime",
}
# The interim data types of a Copy activity's typed mapping (ADF "data type mapping").
INTERIM_TYPES = {
    "Boolean",
    "Byte",
    "Byte[]",
    "Char",
    "DateTime",
    "DateTimeOffset",
    "Decimal",
    "Double",
    "Guid",
    "Int16",
    "Int32",
    "Int64",
    "SByte",
    "Single",
    "String",
    "TimeSpan",
    "UInt16",
    "UInt32",
    "UInt64",
}


def entities() -> dict[tuple[str, str], dict]:
    found = {}
    for folder in FOLDERS:
        for path in sorted((FACTORY / folder).glob("*.json")):
            body = json.loads(path.read_text(encoding="utf-8"))
            assert body["name"] == path.stem, f"{path}: the name must be the file name"
            found[(folder, body["name"])] = body
    return found


def references(value):
    if isinstance(value, dict):
        if value.get("type") in REFERENCE_FOLDERS and "referenceName" in value:
            yield value["type"], value["referenceName"]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def activities(items):
    for activity in items:
        yield activity
        properties = activity.get("typeProperties", {})
        for key in ("ifTrueActivities", "ifFalseActivities", "activities"):
            yield from activities(properties.get(key, []))


@pytest.fixture(scope="module")
def pipeline() -> dict:
    return entities()[("pipeline", "CurateCustomers")]


def test_every_reference_names_a_definition() -> None:
    found = entities()
    missing = [
        (where, kind, name)
        for where, body in found.items()
        for kind, name in references(body)
        if (REFERENCE_FOLDERS[kind], name) not in found
    ]
    assert missing == []


def test_activity_dependencies_name_activities_of_the_same_list(pipeline) -> None:
    def check(items):
        names = [a["name"] for a in items]
        assert len(names) == len(set(names))
        for activity in items:
            assert {d["activity"] for d in activity.get("dependsOn", [])} <= set(names), activity["name"]
            properties = activity.get("typeProperties", {})
            for key in ("ifTrueActivities", "ifFalseActivities"):
                check(properties.get(key, []))

    check(pipeline["properties"]["activities"])


def test_the_expected_header_is_the_sample_data_header(pipeline) -> None:
    with open(ROOT / "data" / "sample" / "customers.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    expected = pipeline["properties"]["parameters"]["expectedHeader"]["defaultValue"]
    assert [column["name"] for column in expected] == header


def test_the_typed_copy_maps_every_column_with_a_known_type(pipeline) -> None:
    copy = next(a for a in activities(pipeline["properties"]["activities"]) if a["type"] == "Copy")
    assert copy["typeProperties"]["enableSkipIncompatibleRow"] is False, "a bad row must fail the run"
    mappings = copy["typeProperties"]["translator"]["mappings"]
    header = [c["name"] for c in pipeline["properties"]["parameters"]["expectedHeader"]["defaultValue"]]
    assert [m["source"]["name"] for m in mappings] == header
    assert {m["source"]["type"] for m in mappings} <= INTERIM_TYPES


def test_the_curated_data_lands_where_the_datastore_points(pipeline) -> None:
    parameters = {k: v["defaultValue"] for k, v in pipeline["properties"]["parameters"].items()}
    bicep = ROOT / "infra" / "layers" / "25-data-factory.bicep"
    terraform = ROOT / "infra" / "terraform" / "25-data-factory.tf"
    assert bicep.exists() or terraform.exists(), "no infrastructure declares the curated container"
    if bicep.exists():
        assert f"var curatedContainerName = '{parameters['curatedContainer']}'" in bicep.read_text("utf-8")
    if terraform.exists():
        text = terraform.read_text(encoding="utf-8")
        for block in ('resource "azurerm_storage_container" "curated"',
                      'resource "azurerm_machine_learning_datastore_blobstorage" "curated"'):
            body = text.split(block, 1)[1].split("\n}", 1)[0]
            name = parameters["curatedContainer"]
            assert re.search(rf'^\s*name\s*=\s*"{name}"$', body, re.MULTILINE), block
    assert parameters["curatedDatastore"] == parameters["curatedContainer"]  # the datastore is named after it
    docs = (ROOT / "docs" / "data-pipeline.md").read_text(encoding="utf-8")
    assert (
        f"azureml://datastores/{parameters['curatedDatastore']}/paths/{parameters['curatedFolder']}/<run id>/"
        f"{parameters['curatedFile']}"
    ) in docs


def test_the_pipeline_versions_the_data_asset_that_training_reads(pipeline) -> None:
    asset = yaml.safe_load(
        (ROOT / "mlops" / "azureml" / "data" / "customers.yml").read_text(encoding="utf-8")
    )
    parameters = pipeline["properties"]["parameters"]
    assert parameters["dataAssetName"]["defaultValue"] == asset["name"]
    register = next(
        a for a in activities(pipeline["properties"]["activities"]) if a["name"] == "RegisterDataVersion"
    )
    assert register["typeProperties"]["method"] == "PUT"
    assert re.search(
        r"/data/@\{pipeline\(\)\.parameters\.dataAssetName\}/versions/",
        register["typeProperties"]["url"]["value"],
    )
    body = register["typeProperties"]["body"]["value"]
    assert '"dataType": "uri_file"' in body and "azureml://datastores/" in body


def test_the_trigger_runs_the_pipeline_and_is_started_by_the_deployment() -> None:
    trigger = entities()[("trigger", "DailyCurateCustomers")]
    assert trigger["properties"]["runtimeState"] == "Started"
    assert [p["pipelineReference"]["referenceName"] for p in trigger["properties"]["pipelines"]] == [
        "CurateCustomers"
    ]


def test_no_secret_or_key_is_written_in_the_definitions() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in FACTORY.rglob("*.json"))
    assert not re.search(r"AccountKey=|SharedAccessSignature|sig=|\"password\"|connectionString", text)
