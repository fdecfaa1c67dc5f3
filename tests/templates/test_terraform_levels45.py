"""The Terraform variant of levels 4 and 5 (`iac: terraform`): what is rendered for which option,
`terraform fmt -check` (when the binary is on PATH), checkov with no failed check, and `upgrade`
3 -> 4 -> 5 that keeps every line a user added to the Terraform and reaches each level."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.generator.changes import apply
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.conftest import needs_shared
from tests.validators.azapi_body import azapi_resources, check_tf_file
from tests.validators.bicep_types import TYPES_ROOT
from tests.validators.tool_venv import checkov, checkov_json

LEVEL4_FILES = {"infra/terraform/40-monitoring.tf"}
LEVEL5_FILES = {f"infra/terraform/{name}" for name in
                ("50-network.tf", "51-registry.tf", "52-governance.tf", "53-ci-runners.tf")}
ENDPOINT_MODULE = "infra/terraform/monitoring-endpoint/main.tf"
LEVEL45_BICEP = {"infra/layers/40-monitoring.bicep", "infra/monitoring/endpoint.bicep",
                 "infra/layers/50-network.bicep", "infra/layers/51-registry.bicep",
                 "infra/layers/52-governance.bicep", "infra/layers/53-ci-runners.bicep",
                 "infra/modules/registry-endpoint.bicep", "infra/modules/registry-outbound-rule.bicep"}


def generate(dest: Path, level: int, **data) -> Path:
    new_project(dest, level, complete({"name_suffix": "ab12", **data}, level))
    return dest


def project_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


@pytest.fixture(scope="module")
def level5_terraform(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("tf") / "online", 5, iac="terraform")


@pytest.mark.parametrize("kind", ["online", "batch"])
def test_each_variant_renders_only_its_own_infrastructure(tmp_path: Path, kind: str) -> None:
    terraform = project_files(generate(tmp_path / "tf", 5, iac="terraform", deployment_kind=kind))
    bicep = project_files(generate(tmp_path / "bicep", 5, deployment_kind=kind))
    assert terraform >= LEVEL4_FILES | LEVEL5_FILES
    assert (ENDPOINT_MODULE in terraform) == (kind == "online")
    assert not terraform & LEVEL45_BICEP
    assert not {f for f in bicep if f.startswith("infra/terraform/")}
    expected_bicep = {f for f in LEVEL45_BICEP if kind == "online" or "endpoint.bicep" not in f}
    assert expected_bicep <= bicep


def test_azure_devops_renders_its_own_terraform_and_no_bicep(tmp_path: Path) -> None:
    """With Azure DevOps the retrain trigger (41) and the agents (53) come as Terraform instead of
    the GitHub runners; no Bicep file of levels 4-5 is rendered."""
    level4 = project_files(generate(tmp_path / "p4", 4, iac="terraform", ci_system="azure-devops"))
    level5 = project_files(generate(tmp_path / "p5", 5, iac="terraform", ci_system="azure-devops"))
    trigger, agents = "infra/terraform/41-retrain-trigger.tf", "infra/terraform/53-ci-agents.tf"
    assert trigger in level4 and agents not in level4
    assert {trigger, agents} <= level5 and "infra/terraform/53-ci-runners.tf" not in level5
    assert not [f for f in level4 | level5 if f.endswith(".bicep")]
    github = project_files(generate(tmp_path / "gh", 5, iac="terraform"))
    assert not {trigger, agents} & github


def test_level4_alone_has_no_level5_terraform(tmp_path: Path) -> None:
    files = project_files(generate(tmp_path / "p4", 4, iac="terraform"))
    assert files >= LEVEL4_FILES and not LEVEL5_FILES & files


@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary on PATH")
def test_terraform_fmt_check_is_clean(level5_terraform: Path) -> None:
    proc = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff", "infra/terraform"],
                          cwd=level5_terraform, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


@needs_shared(TYPES_ROOT)
def test_azapi_bodies_match_the_published_azure_types(level5_terraform: Path, tmp_path: Path) -> None:
    """The registry and the registry outbound rules (azapi: azurerm lacks them) against the same
    Bicep type data as the Bicep variant; a misspelt property in a copy is caught."""
    tf_files = sorted((level5_terraform / "infra/terraform").rglob("*.tf"))
    assert sum(len(azapi_resources(path)) for path in tf_files) >= 2
    assert [p for path in tf_files for p in check_tf_file(path, TYPES_ROOT)] == []
    broken = tmp_path / "51-registry.tf"
    broken.write_text((level5_terraform / "infra/terraform/51-registry.tf").read_text()
                      .replace("allowBlobPublicAccess", "allowBlobPublicAcess"))
    assert [p.code for p in check_tf_file(broken, TYPES_ROOT)] == ["BCP037"]


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory, level5_terraform: Path) -> dict:
    """checkov's Terraform checks on the root modules of an online and a batch level-5 project and of
    an Azure DevOps one (the drift alert's Logic App, the private agents)."""
    scanned = tmp_path_factory.mktemp("checkov-tf")
    batch = generate(tmp_path_factory.mktemp("tf") / "batch", 5, iac="terraform", deployment_kind="batch",
                     environments=["dev", "prod"])
    devops = generate(tmp_path_factory.mktemp("tf") / "ado", 5, iac="terraform", ci_system="azure-devops")
    for name, root in (("online", level5_terraform), ("batch", batch), ("ado", devops)):
        shutil.copytree(root / "infra", scanned / name)
    result = checkov_json(scanned, "terraform")
    result["_scanned"] = str(scanned)
    return result


def test_checkov_reads_every_level45_terraform_file(checkov_report: dict) -> None:
    """checkov has no check for many of these resource kinds (alerts, policies, locks), so the proof
    that it read every file is its resource count: at least every resource block python-hcl2 finds."""
    import hcl2

    assert checkov_report["summary"]["parsing_errors"] == 0, checkov_report["results"].get("parsing_errors")
    scanned = Path(checkov_report["_scanned"])
    blocks = sum(len(named) for path in scanned.rglob("*.tf") for kinds in hcl2.loads(path.read_text())
                 .get("resource", []) for named in kinds.values())
    assert blocks >= 70 and checkov_report["summary"]["resource_count"] >= blocks
    assert checkov_report["summary"]["passed"] >= 10


def test_checkov_finds_no_failed_check(checkov_report: dict) -> None:
    failed = [f"{c['check_id']} {c['file_path']} {c['resource']}: {c['check_name']}"
              for c in checkov_report["results"]["failed_checks"]]
    assert failed == []


def test_every_checkov_suppression_gives_a_reason(checkov_report: dict) -> None:
    unexplained = [f"{c['check_id']} {c['file_path']}" for c in checkov_report["results"]["skipped_checks"]
                   if len(c.get("check_result", {}).get("suppress_comment", "").strip()) < 20]
    assert unexplained == []


# -- upgrade 3 -> 4 -> 5 with Terraform: the user's lines stay, each level is reached ---------------

USER_LINES = {
    "infra/terraform/10-platform.tf": "# my own note on the platform\n",
    "infra/terraform/20-training.tf": "# my own note on the cluster\n",
    "infra/terraform/30-serving.tf": "# my own note on serving\n",
    "infra/terraform/env/prod.tfvars": "# reviewed by the platform team\n",
    ".github/workflows/train.yml": "# my own note on training\n",
    "README.md": "\nMy own closing paragraph.\n",
}
LEVEL4_USER_LINE = ("infra/terraform/40-monitoring.tf", "# alerts reviewed with the on-call team\n")


def commit_all(root: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    identity = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run(["git", *identity, "commit", "-q", "-m", message], cwd=root, check=True)


def test_upgrade_3_4_5_with_terraform_keeps_every_user_line(tmp_path: Path) -> None:
    project = generate(tmp_path / "p3", 3, iac="terraform")
    edits = {path: line for path, line in USER_LINES.items() if (project / path).exists()}
    assert len(edits) >= 2
    for path, line in edits.items():
        (project / path).write_text((project / path).read_text() + line)
    commit_all(project, "my edits")
    for target_level in (4, 5):
        planned = plan_upgrade(project)
        assert planned.to_level == target_level and f"level-{target_level}" in planned.layers_added
        apply(planned.plan)
        assert planned.plan.conflicts == [], [c.path for c in planned.plan.conflicts]
        for path, line in edits.items():
            assert (project / path).read_text().endswith(line), f"{path} lost a user line at {target_level}"
        if target_level == 4:
            assert project_files(project) >= LEVEL4_FILES and not LEVEL5_FILES & project_files(project)
            path, line = LEVEL4_USER_LINE
            (project / path).write_text((project / path).read_text() + line)
            edits[path] = line
        commit_all(project, f"upgrade to {target_level}")
        report = assess(project)
        assert report.level == target_level, [f.criterion.id for f in report.missing_core(target_level)]
    files = project_files(project)
    assert files >= LEVEL5_FILES and not files & LEVEL45_BICEP
