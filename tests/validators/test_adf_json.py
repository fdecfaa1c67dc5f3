"""The Data Factory definition check finds what ADF would refuse (and passes what it accepts)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import needs_shared
from tests.validators.adf_json import check_folder
from tests.validators.bicep_types import TYPES_ROOT

pytestmark = needs_shared(TYPES_ROOT / "index.json")


def write(root: Path, folder: str, body: dict) -> None:
    (root / folder).mkdir(parents=True, exist_ok=True)
    (root / folder / f"{body['name']}.json").write_text(json.dumps(body))


def factory(root: Path, activity: dict) -> Path:
    write(root, "linkedService", {"name": "Store", "properties": {
        "type": "AzureBlobStorage", "typeProperties": {"serviceEndpoint": "https://x.blob.core.windows.net/"}}})
    write(root, "pipeline", {"name": "P", "properties": {"activities": [activity]}})
    return root


def wait(name: str = "Wait", **extra) -> dict:
    return {"name": name, "type": "Wait", "typeProperties": {"waitTimeInSeconds": 1}, **extra}


def test_valid_definitions_pass(tmp_path: Path) -> None:
    assert check_folder(factory(tmp_path, wait())) == []


def test_an_unknown_activity_type_and_property_are_found(tmp_path: Path) -> None:
    problems = check_folder(factory(tmp_path, {"name": "W", "type": "WebActivty", "typeProperties": {}}))
    assert any("BCP088" in str(p) and "WebActivty" in str(p) for p in problems)
    problems = check_folder(factory(tmp_path, wait(typeProperties={"waitTimeInSecond": 1})))
    assert any("BCP037" in str(p) and "waitTimeInSecond" in str(p) for p in problems)


def test_a_dangling_reference_and_dependency_are_found(tmp_path: Path) -> None:
    activity = wait(dependsOn=[{"activity": "Nope", "dependencyConditions": ["Succeeded"]}])
    root = factory(tmp_path, activity)
    write(root, "dataset", {"name": "D", "properties": {
        "type": "Json", "linkedServiceName": {"referenceName": "Missing", "type": "LinkedServiceReference"}}})
    problems = [str(p) for p in check_folder(root)]
    assert any("'Missing': no linkedService/Missing.json" in p for p in problems)
    assert any("depends on 'Nope'" in p for p in problems)


def test_a_file_named_otherwise_than_its_entity_is_found(tmp_path: Path) -> None:
    root = factory(tmp_path, wait())
    (root / "pipeline" / "P.json").rename(root / "pipeline" / "Q.json")
    assert any("is not the file name" in str(p) for p in check_folder(root))
