"""checkov's Bicep checks run on the infrastructure of every generated level (1-5) and find nothing,
except checks suppressed in the Bicep with a written reason; and checkov really read every file (its
Bicep parser fails silently on some layouts, reporting zero checks: a parsing error fails here).

checkov runs from its own cached virtual environment (tests/validators/tool_venv.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.validators.tool_venv import checkov, checkov_json

VARIANTS = {
    "level1": (1, {}),
    "level2": (2, {}),
    "level3-online": (3, {"deployment_kind": "online"}),
    "level3-batch": (3, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "level4-online": (4, {"deployment_kind": "online"}),
    "level4-batch": (4, {"deployment_kind": "batch"}),
    # level 5 turns networkIsolation on: main.bicep's conditional expressions are checked too
    "level5-online": (5, {"deployment_kind": "online"}),
    "level5-batch": (5, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    # Azure DevOps: the drift alert's Logic App (level 4) and the private agents (level 5)
    "level5-ado-online": (5, {"deployment_kind": "online", "ci_system": "azure-devops"}),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[dict, list[str]]:
    """checkov's JSON report on the infra/ folders of every variant, copied side by side, and the
    Bicep files it was given."""
    scanned = tmp_path_factory.mktemp("checkov")
    for name, (level, data) in VARIANTS.items():
        project = tmp_path_factory.mktemp("project") / name
        new_project(project, level, complete({"name_suffix": "ab12", **data}, level))
        shutil.copytree(project / "infra", scanned / name)
    result = checkov_json(scanned, "bicep")
    result["_scanned"] = str(scanned)
    files = sorted("/" + str(p.relative_to(scanned)) for p in scanned.rglob("*.bicep"))
    return result, files


def test_checkov_parses_every_generated_bicep_file(report) -> None:
    result, files = report
    assert result["summary"]["parsing_errors"] == 0, result["results"].get("parsing_errors")
    # checkov has no Bicep check for some resource types (identities, role assignments, compute), so
    # each file is also parsed by checkov's own parser, which may fail where ours succeeds.
    parser = checkov().parent / "python"
    script = (
        "import sys\nfrom pycep import BicepParser\n"
        "for f in sys.argv[1:]: BicepParser().parse(text=open(f).read())"
    )
    scanned = Path(result["_scanned"])
    proc = subprocess.run([str(parser), "-c", script, *(str(scanned / f.lstrip("/")) for f in files)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    checked = {c["file_path"] for kind in ("passed_checks", "skipped_checks")
               for c in result["results"][kind]}
    assert {f for f in files if f.endswith("/main.bicep")} <= checked
    assert result["summary"]["passed"] >= 9 * len(VARIANTS)


def failed_checks(result: dict) -> list[str]:
    return [f"{c['check_id']} {c['file_path']} {c['resource']}: {c['check_name']}"
            for c in result["results"]["failed_checks"]]


def unexplained_suppressions(result: dict) -> list[str]:
    """Skipped checks whose `checkov:skip` comment gives no reason (under 20 characters)."""
    return [f"{c['check_id']} {c['file_path']}" for c in result["results"]["skipped_checks"]
            if len(c.get("check_result", {}).get("suppress_comment", "").strip()) < 20
            or c["check_result"]["suppress_comment"] == "No comment provided"]


def test_no_check_fails(report) -> None:
    result, _ = report
    assert failed_checks(result) == []


def test_every_suppression_gives_a_reason(report) -> None:
    result, _ = report
    assert result["results"]["skipped_checks"], (
        "expected the documented suppressions (network isolation comes at level 5)"
    )
    assert unexplained_suppressions(result) == []


# The Terraform variant (iac: terraform) of the same levels: checkov's terraform framework.
TERRAFORM_VARIANTS = {
    "level1": (1, {}),
    "level2": (2, {}),
    "level3-online": (3, {"deployment_kind": "online"}),
    "level3-batch": (3, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    # level 5 turns network_isolation on: 10-platform.tf's conditional expressions are checked too
    "level5-online": (5, {"deployment_kind": "online"}),
    # data_pipeline: adf adds 25-data-factory.tf (level 5: managed network and private endpoints)
    "level2-adf": (2, {"data_pipeline": "adf"}),
    "level5-adf": (5, {"data_pipeline": "adf"}),
}


@pytest.fixture(scope="module")
def terraform_report(tmp_path_factory) -> tuple[dict, list[str]]:
    """checkov's JSON report on infra/terraform/ of every Terraform variant, side by side."""
    scanned = tmp_path_factory.mktemp("checkov-terraform")
    for name, (level, data) in TERRAFORM_VARIANTS.items():
        project = tmp_path_factory.mktemp("project") / name
        new_project(project, level, complete({"name_suffix": "ab12", "iac": "terraform", **data}, level),
                    git=False)
        shutil.copytree(project / "infra" / "terraform", scanned / name)
    result = checkov_json(scanned, "terraform")
    files = sorted("/" + str(p.relative_to(scanned)) for p in scanned.rglob("*.tf"))
    return result, files


def test_checkov_reads_every_generated_terraform_file(terraform_report) -> None:
    result, files = terraform_report
    assert result["summary"]["parsing_errors"] == 0, result["results"].get("parsing_errors")
    checked = {c["file_path"] for kind in ("passed_checks", "skipped_checks", "failed_checks")
               for c in result["results"][kind]}
    assert {f for f in files if f.endswith(("/10-platform.tf", "/25-data-factory.tf"))} <= checked
    assert result["summary"]["passed"] >= 10 * len(TERRAFORM_VARIANTS)


def test_no_terraform_check_fails(terraform_report) -> None:
    result, _ = terraform_report
    assert failed_checks(result) == []


def test_every_terraform_suppression_gives_a_reason(terraform_report) -> None:
    result, _ = terraform_report
    assert result["results"]["skipped_checks"], (
        "expected the documented suppressions (network isolation comes at level 5)"
    )
    assert unexplained_suppressions(result) == []
