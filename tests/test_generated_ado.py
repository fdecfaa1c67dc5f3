"""The Azure DevOps variant (`ci_system: azure-devops`) of every generated level, held to the same
independent checks as the GitHub one:

- every pipeline and template under .azure-pipelines/ validates against the Azure Pipelines schema
  that check-jsonschema vendors (tests/validators/azure_pipelines.py);
- every `az` line of an AzureCLI@2 inline script or bash step is checked like the GitHub ones
  (the `ml` flags always; core commands with the Azure CLI venv, tests/validators/az_cli.py);
- ADO names follow the contract: service connections are compile-time literals, deploy work runs in
  deployment jobs bound to `<project>-<env>` environments, in promotion order, from main only;
- round trip: `assess` on a fresh level-N ADO project reports exactly level N; no GitHub file is
  generated; the generated Python is ruff-clean and its own tests pass.

The projects are rendered once per module (about 1 s each); the slow checks (the project's own tests)
run only on the level-3 and level-5 variants without a data pipeline, whose tests include those of
the levels below them, and on the level-2 data pipeline variants (`data_pipeline: adf`), whose tests
add tests/data_pipeline/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlops_ladder.assessment.api import assess
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.validators.az_cli import AZ_PYTHON, az_calls, core_problems, ml_problems
from tests.validators.azure_pipelines import schema_problems

ADO = {"ci_system": "azure-devops"}
ADO_VARIANTS = {
    "ado-level1": (1, {**ADO}),
    "ado-level1-single-env": (1, {**ADO, "environments": ["dev"]}),
    "ado-level2": (2, {**ADO, "environments": ["dev", "prod"], "project_name": "fraud"}),
    "ado-level3-online": (3, {**ADO, "deployment_kind": "online"}),
    "ado-level3-batch": (3, {**ADO, "deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "ado-level2-adf": (2, {**ADO, "data_pipeline": "adf"}),
    "ado-level3-adf": (3, {**ADO, "data_pipeline": "adf", "environments": ["dev", "prod"]}),
    # iac: terraform: infra.yml and templates/deploy-infra.yml take the Terraform path
    "ado-level1-terraform": (1, {**ADO, "iac": "terraform"}),
    "ado-level2-adf-terraform": (2, {**ADO, "data_pipeline": "adf", "iac": "terraform"}),
    "ado-level4-online": (4, {**ADO, "deployment_kind": "online"}),
    "ado-level4-batch": (4, {**ADO, "deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "ado-level5-online": (5, {**ADO, "deployment_kind": "online"}),
    "ado-level5-batch": (5, {**ADO, "deployment_kind": "batch", "environments": ["dev", "prod"]}),
    # levels 4-5 with Terraform: the retrain trigger and the agents as .tf, monitor.yml applies
    # infra/terraform/monitoring-endpoint
    "ado-level4-terraform": (4, {**ADO, "iac": "terraform", "deployment_kind": "online"}),
    "ado-level5-terraform": (5, {**ADO, "iac": "terraform", "deployment_kind": "online",
                                 "environments": ["dev", "prod"]}),
}
BIN = Path(sys.executable).parent
MAIN_ONLY = "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))"


@pytest.fixture(scope="module", params=sorted(ADO_VARIANTS))
def project(request, tmp_path_factory) -> tuple[Path, int, dict]:
    level, data = ADO_VARIANTS[request.param]
    answers = complete({"name_suffix": "ab12", **data}, level)
    dest = tmp_path_factory.mktemp("ado") / request.param
    new_project(dest, level, answers)
    return dest, level, answers


def pipeline_files(root: Path) -> list[Path]:
    return sorted((root / ".azure-pipelines").rglob("*.yml"))


def test_every_pipeline_and_template_validates_against_the_azure_pipelines_schema(project) -> None:
    root, _, _ = project
    files = pipeline_files(root)
    assert files
    assert [p for f in files for p in schema_problems(f)] == []


def test_no_github_file_is_generated(project) -> None:
    root, _, _ = project
    assert not (root / ".github").exists()


def test_every_ml_flag_is_known_and_core_commands_parse(project) -> None:
    root, _, _ = project
    calls = [call for f in pipeline_files(root) for call in az_calls(f, root)]
    assert calls
    ml = [c for c in calls if c.args[:1] == ("ml",)]
    assert [p for c in ml for p in ml_problems(c)] == []
    if not AZ_PYTHON.exists():
        pytest.skip(f"ml flags checked; core commands need the Azure CLI venv at {AZ_PYTHON} (see az_cli.py)")
    assert core_problems([c for c in calls if c.args[:1] != ("ml",)]) == []


def _walk(node: object):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_service_connections_are_literals_and_deployments_follow_promotion_order(project) -> None:
    root, _, answers = project
    project_name, environments = answers["project_name"], answers["environments"]
    allowed = {f"{project_name}-{env}" for env in environments} | {"${{ parameters.serviceConnection }}"}
    for path in pipeline_files(root):
        data = yaml.safe_load(path.read_text())
        for node in _walk(data):
            if str(node.get("task", "")).startswith("AzureCLI@"):
                inputs = node["inputs"]
                assert inputs["azureSubscription"] in allowed, (path.name, inputs["azureSubscription"])
                assert "$(" not in inputs["azureSubscription"]  # resolved at compile time, never at run time
                assert inputs["scriptType"] == "bash" and inputs["scriptLocation"] == "inlineScript"
    infra = yaml.safe_load((root / ".azure-pipelines" / "infra.yml").read_text())
    deploy_stages = [s for s in infra["stages"] if s["stage"].startswith("deploy_")]
    assert [s["stage"] for s in deploy_stages] == [f"deploy_{env}" for env in environments]
    previous = "validate"
    for env, stage in zip(environments, deploy_stages, strict=True):
        assert stage["dependsOn"] == previous and stage["condition"] == MAIN_ONLY
        assert stage["variables"] == [{"group": f"{project_name}-{env}"}]
        params = stage["jobs"][0]["parameters"]
        assert params["adoEnvironment"] == params["serviceConnection"] == f"{project_name}-{env}"
        previous = stage["stage"]


def test_the_data_pipeline_deploys_in_promotion_order_through_each_environment(project) -> None:
    root, _, answers = project
    path = root / ".azure-pipelines" / "data-pipeline.yml"
    assert path.exists() == (answers.get("data_pipeline") == "adf")
    if not path.exists():
        return
    project_name, environments = answers["project_name"], answers["environments"]
    pipeline = yaml.safe_load(path.read_text())
    assert {"data-factory", "build/data-factory"} <= set(pipeline["pr"]["paths"]["include"])
    export = next(s for s in pipeline["stages"] if s["stage"] == "export")
    export_steps = next(j for j in export["jobs"] if j["job"] == "export")["steps"]
    scripts = " ".join(str(step.get("bash", "")) for step in export_steps)
    assert "npm run build validate" in scripts and "npm run build export" in scripts
    deploys = [s for s in pipeline["stages"] if s["stage"].startswith("deploy_")]
    assert [s["stage"] for s in deploys] == [f"deploy_{env}" for env in environments]
    previous = "export"
    for env, stage in zip(environments, deploys, strict=True):
        assert stage["dependsOn"] == previous and stage["condition"] == MAIN_ONLY
        assert stage["variables"] == [{"group": f"{project_name}-{env}"}]
        (job,) = stage["jobs"]
        assert job["environment"] == f"{project_name}-{env}"
        steps = job["strategy"]["runOnce"]["deploy"]["steps"]
        (deploy,) = [s for s in steps if s.get("task") == "AzureCLI@2"]
        assert deploy["inputs"]["azureSubscription"] == f"{project_name}-{env}"
        assert f"python3 scripts/adf_deploy.py {env} " in deploy["inputs"]["inlineScript"]
        previous = stage["stage"]


def test_assess_reports_exactly_the_generated_level(project) -> None:
    root, level, _ = project
    report = assess(root)
    unmet = [f"{f.criterion.id} {f.outcome.value}: {f.found}" for f in report.missing_core(level)]
    assert report.level == level, f"expected level {level}, got {report.level}; unmet: {unmet}"


def test_generated_python_is_ruff_clean(project) -> None:
    root, _, _ = project
    proc = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", str(root)], capture_output=True, text=True, cwd=root
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generated_project_tests_pass(project, tmp_path: Path) -> None:
    root, level, answers = project
    adf = answers.get("data_pipeline") == "adf"
    if (adf and level != 2) or (not adf and (level not in (3, 5) or answers["iac"] == "terraform")):
        pytest.skip("run on the level-3 and level-5 Bicep variants (they run the tests of the levels below "
                    "them; the Python does not depend on iac) and on the level-2 adf ones (data pipeline)")
    work = tmp_path / "copy"
    shutil.copytree(root, work, ignore=shutil.ignore_patterns(".git"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MLFLOW_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=work, capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout)

