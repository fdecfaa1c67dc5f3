"""Fast structural checks of the level-1 template: render it with copier and look at what comes out.

The cross-level validation (every generated project's own tests, assess round trip) lives elsewhere;
these tests pin the level-1 contract: names shared by Bicep, mlops/config.yml and the generator, one
parameters file per environment, workflows chained through the environments with pinned actions.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from mlops_ladder.generator.layers import TEMPLATES_DIR
from mlops_ladder.generator.questions import complete, derived_names
from tests.validators.bicep_names import evaluate

LEVEL1 = TEMPLATES_DIR / "level-1"
PINNED_ACTIONS = {
    "actions/checkout": "11bd71901bbe5b1630ceea73d27597364c9af683",
    "actions/setup-python": "0b93645e9fea7318ecaed2b359559ac225c90a2b",
    "azure/login": "a65d910e8af852a8061c627c456678983e180302",
}


def render(dest: Path, **data: Any) -> tuple[Path, dict[str, Any]]:
    import copier

    answers = complete({"name_suffix": "ab12", **data}, level=data.get("level", 1))
    copier.run_copy(str(LEVEL1), str(dest), data=answers, defaults=True, unsafe=True, quiet=True)
    return dest, answers


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return render(tmp_path_factory.mktemp("l1") / "project", project_name="fraud-model")


def load_ci_env(root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("generated_ci_env", root / "scripts" / "ci_env.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_answers_file_records_every_answer(project: tuple[Path, dict[str, Any]]) -> None:
    root, answers = project
    recorded = yaml.safe_load((root / ".mlops-ladder" / "level-1.answers.yml").read_text())
    assert {key: recorded[key] for key in answers} == answers


def test_one_parameters_file_per_environment(project: tuple[Path, dict[str, Any]]) -> None:
    root, answers = project
    param_files = sorted(p.stem for p in (root / "infra" / "env").glob("*.bicepparam"))
    assert param_files == sorted(answers["environments"])
    for env in answers["environments"]:
        text = (root / "infra" / "env" / f"{env}.bicepparam").read_text()
        assert "using '../main.bicep'" in text and f"param env = '{env}'" in text
        assert "param nameSuffix = 'ab12'" in text and "param projectName = 'fraud-model'" in text


def test_config_is_yaml_and_matches_the_generator_names(project: tuple[Path, dict[str, Any]]) -> None:
    root, answers = project
    config_path = root / "mlops" / "config.yml"
    ci_env = load_ci_env(root)
    config = ci_env.load_config(config_path)
    assert config == yaml.safe_load(config_path.read_text())
    assert list(config["environments"]) == answers["environments"]
    expected = {(kind, name) for kind, name, _ in derived_names(answers)}
    for env in answers["environments"]:
        values = ci_env.environment_variables(config, env)
        assert ("resource group", values["RESOURCE_GROUP"]) in expected
        assert ("workspace", values["WORKSPACE"]) in expected
        assert ("online endpoint", values["ONLINE_ENDPOINT"]) in expected
        assert ("batch endpoint", values["BATCH_ENDPOINT"]) in expected


def test_bicep_derives_the_same_names_as_the_generator(project: tuple[Path, dict[str, Any]]) -> None:
    from pycep import BicepParser

    root, answers = project
    parsed = BicepParser().parse(text=(root / "infra" / "main.bicep").read_text())
    assert set(parsed["parameters"]) >= {"env", "projectName", "nameSuffix", "location"}
    bicep_names = parsed["variables"]["names"]["value"]
    expected = {(kind, name) for kind, name, _ in derived_names(answers)}
    for env in answers["environments"]:
        values = {"projectName": answers["project_name"], "env": env, "nameSuffix": answers["name_suffix"]}
        resolved = {  # a name is an interpolated string, or a parameter whose default is one
            key: evaluate(parsed["parameters"][value]["default"] if value in parsed["parameters"] else value,
                          values)
            for key, value in bicep_names.items()
        }
        assert ("workspace", resolved["workspace"]) in expected
        assert ("storage account", resolved["storageAccount"]) in expected
        assert ("key vault", resolved["keyVault"]) in expected
        assert ("container registry", resolved["containerRegistry"]) in expected


def test_workflows_pin_actions_and_chain_deployments(project: tuple[Path, dict[str, Any]]) -> None:
    root, answers = project
    workflows = root / ".github" / "workflows"
    for path in workflows.glob("*.yml"):
        for uses in re.findall(r"uses:\s*(\S+)", path.read_text()):
            if uses.startswith(("./", "$/")):  # local reusable workflows
                continue
            action, _, ref = uses.partition("@")
            assert PINNED_ACTIONS.get(action) == ref, f"{path.name}: {uses}"
    infra = yaml.safe_load((workflows / "infra.yml").read_text())
    assert infra["permissions"] == {"contents": "read"}
    deploy_jobs = [job for job in infra["jobs"] if job.startswith("deploy-")]
    assert deploy_jobs == [f"deploy-{env}" for env in answers["environments"]]
    previous = "validate"
    for env, job_id in zip(answers["environments"], deploy_jobs, strict=True):
        job = infra["jobs"][job_id]
        assert job["needs"] == [previous] and job["with"]["environment"] == env
        assert job["permissions"]["id-token"] == "write"
        # Deployments run from the default branch only (a run started by hand on a branch validates).
        assert "github.ref_name == github.event.repository.default_branch" in job["if"]
        previous = job_id
    deploy = yaml.safe_load((workflows / "_deploy-infra.yml").read_text())["jobs"]["deploy"]
    assert deploy["environment"] == "${{ inputs.environment }}"
    assert "${{" not in "".join(step.get("run", "") for step in deploy["steps"])


def test_ci_runs_lint_and_tests_on_pull_requests(project: tuple[Path, dict[str, Any]]) -> None:
    root, _ = project
    ci = yaml.safe_load((root / ".github" / "workflows" / "ci.yml").read_text())
    assert "pull_request" in ci[True]  # YAML 1.1 reads `on:` as True
    runs = [step.get("run", "") for step in ci["jobs"]["test"]["steps"]]
    assert "ruff check ." in runs and "python -m pytest" in runs


def test_generated_python_is_ruff_clean(project: tuple[Path, dict[str, Any]]) -> None:
    root, _ = project
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_data_asset_loads_offline(project: tuple[Path, dict[str, Any]]) -> None:
    from azure.ai.ml import load_data

    root, _ = project
    asset = load_data(root / "mlops" / "azureml" / "data" / "customers.yml")
    assert (asset.name, asset.version, asset.type) == ("customers", "1", "uri_file")
    assert Path(asset.path).resolve() == (root / "data" / "sample" / "customers.csv").resolve()


def test_readme_sections_follow_the_level(tmp_path: Path) -> None:
    level1, _ = render(tmp_path / "one", environments=["dev"])
    level3, _ = render(tmp_path / "three", level=3, deployment_kind="batch", environments=["dev", "prod"])
    one, three = (level1 / "README.md").read_text(), (level3 / "README.md").read_text()
    assert "## Training" not in one and "## Release" not in one
    assert "## Training" in three and "## Release" in three and "batch endpoint" in three
    assert sorted(p.name for p in (level1 / "infra" / "env").iterdir()) == ["dev.bicepparam"]

