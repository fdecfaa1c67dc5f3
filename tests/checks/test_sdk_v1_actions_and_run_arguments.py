"""Checks over the SDK v1 idioms (step names, run configuration and pipeline YAML submitted by CI), the
Azure ML GitHub actions (deployments of registered models, metric gates, smoke tests), URIs passed to
the modules a script runs, and conda files named by environment definitions; on small repositories
read by the real collectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_ladder.assessment.checks.azureml.data import declares_data_sources, versions_data
from mlops_ladder.assessment.checks.azureml.deployment import defines_model_deployment
from mlops_ladder.assessment.checks.azureml.job_names import says_it_trains
from mlops_ladder.assessment.checks.azureml.training import (
    defines_training_pipeline,
    pipeline_uses_versioned_data,
)
from mlops_ladder.assessment.checks.azureml.training_jobs import step_by_name
from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.checks.ci.deployment import (
    ci_asserts_model_metrics,
    ci_deploys_model,
    ci_smoke_tests_endpoint,
)
from mlops_ladder.assessment.checks.ci.submissions import job_file_verdict
from mlops_ladder.assessment.checks.code.project import declares_dependencies, has_pinned_environment
from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence, collect_repo
from tests.conftest import make_repo

TRAIN = """\
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression

frame = pd.read_csv("/data/credit.csv")
joblib.dump(LogisticRegression().fit(frame.drop(columns=["y"]), frame["y"]), "outputs/model.pkl")
"""
REPORT = "import pandas as pd\n\nprint(pd.read_csv('/data/credit.csv').describe())\n"


def repo(tmp_path: Path, files: dict[str, str]) -> RepoEvidence:
    return collect_repo(make_repo(tmp_path / "repo", files))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Train Model", True),
        ("train", True),
        ("TrainStep", True),
        ("Evaluate Model ", False),
        ("register_model", False),
        ("score", False),
        ("prepare data", False),
        ("step1", None),
        ("scorecopystep", None),
    ],
)
def test_what_a_step_name_says(name: str, expected: bool | None) -> None:
    assert says_it_trains(name) is expected
    verdict = step_by_name(name, "PythonScriptStep at x.py:3", "names its script in a way we cannot read")
    assert verdict.trains is expected
    assert verdict.why.startswith("PythonScriptStep at x.py:3 names its script")


SDK_PIPELINE = """\
import os
from azureml.core import Workspace
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import PythonScriptStep

ws = Workspace.from_config()
train = PythonScriptStep(name="{name}", script_name=os.environ["TRAIN_SCRIPT"], source_directory="src")
Pipeline(workspace=ws, steps=[train]).publish(name="training")
"""


@pytest.mark.parametrize(
    ("name", "outcome"),
    [("Train Model", Outcome.PASS), ("Evaluate Model", Outcome.FAIL), ("step", Outcome.UNKNOWN)],
)
def test_sdk_v1_step_whose_script_is_set_elsewhere(tmp_path: Path, name: str, outcome: Outcome) -> None:
    evidence = repo(tmp_path, {"ops/pipeline.py": SDK_PIPELINE.format(name=name), "src/train.py": TRAIN})
    result = defines_training_pipeline(evidence)
    assert result.outcome is outcome, result.found
    if outcome is not Outcome.UNKNOWN:
        assert f"its name {name!r} says" in result.found


PIPELINE_YAML = """\
pipeline:
  name: training
  data_references:
    curated: {{dataset_name: credit-curated}}
  steps:
    Train:
      type: PythonScriptStep
      name: {name}
      script_name: {script}
      source_directory: /src
      runconfig: /src/run_config.yml
"""
RUN_CONFIG = """\
script: train.py
target: cpu-cluster
framework: Python
environment:
  python:
    condaDependenciesFile: environment.yml
"""


def test_pipeline_yaml_trains_when_a_step_script_trains(tmp_path: Path) -> None:
    files = {"pipelines/train.yml": PIPELINE_YAML.format(name="fit", script="train.py")}
    files["src/train.py"] = TRAIN
    result = defines_training_pipeline(repo(tmp_path / "a", files))
    assert result.outcome is Outcome.PASS and "src/train.py trains" in result.found
    files["src/train.py"] = REPORT
    result = defines_training_pipeline(repo(tmp_path / "b", files))
    assert result.outcome is Outcome.FAIL, result.found
    missing = {"pipelines/train.yml": PIPELINE_YAML.format(name="Train Model", script="missing.py")}
    result = defines_training_pipeline(repo(tmp_path / "c", missing))
    assert result.outcome is Outcome.PASS and "missing.py, which is not in the repository" in result.found


def test_pipeline_yaml_data_references(tmp_path: Path) -> None:
    evidence = repo(tmp_path, {"pipelines/train.yml": PIPELINE_YAML.format(name="fit", script="train.py"),
                               "src/train.py": TRAIN})
    declared = declares_data_sources(evidence)
    assert declared.outcome is Outcome.PASS and "curated: dataset credit-curated" in declared.found
    assert versions_data(evidence).outcome is Outcome.FAIL  # the YAML names datasets without a version
    assert pipeline_uses_versioned_data(evidence).outcome is Outcome.FAIL


def test_files_ci_submits_with_the_sdk_v1(tmp_path: Path) -> None:
    evidence = repo(tmp_path, {
        "pipelines/train.yml": PIPELINE_YAML.format(name="fit", script="train.py"),
        "src/run_config.yml": RUN_CONFIG,
        "src/evaluate_config.yml": RUN_CONFIG.replace("train.py", "evaluate.py"),
        "ops/config.py": (
            "from azureml.core import ScriptRunConfig\n\n\ndef main(ws):\n"
            "    return ScriptRunConfig(source_directory='src', script='train.py')\n"
        ),
        "ops/other.py": "def main(ws):\n    return build(ws)\n",
    })
    assert job_file_verdict(evidence, "pipelines/train.yml")[0] == "yes"
    assert job_file_verdict(evidence, "src/run_config.yml")[0] == "yes"
    assert job_file_verdict(evidence, "src/evaluate_config.yml")[0] == "no"
    assert job_file_verdict(evidence, "ops/config.py")[0] == "yes"
    assert job_file_verdict(evidence, "ops/other.py")[0] == "unknown"
    assert job_file_verdict(evidence, "ops/missing.py")[0] == "no"


def workflow(*steps: str) -> str:
    body = "".join(f"      - {step}\n" for step in steps)
    return f"on: workflow_dispatch\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


DEPLOY = (
    "uses: Azure/aml-deploy@v1\n        with:\n"
    "          model_name: ${{ steps.register.outputs.model_name }}\n"
    "          model_version: ${{ steps.register.outputs.model_version }}"
)
REGISTER = (
    "uses: Azure/aml-registermodel@v1\n        id: register\n        with:\n"
    "          run_id: ${{ env.RUN }}\n          experiment_name: credit"
)


def test_aml_actions_deploy_gate_and_smoke_test(tmp_path: Path) -> None:
    files = {
        ".github/workflows/release.yml": workflow(REGISTER, DEPLOY),
        ".cloud/.azure/registermodel.json": json.dumps({"model_name": "credit", "metrics_max": ["auc"]}),
        ".cloud/.azure/deploy.json": json.dumps({"test_enabled": True, "test_file_path": "tests/smoke.py"}),
        "code/deploy/score.py": "def init():\n    pass\n\n\ndef run(raw):\n    return raw\n",
        "tests/smoke.py": "def main(service):\n    assert service.run('{}')\n",
    }
    evidence = repo(tmp_path / "a", files)
    checks = (ci_deploys_model, defines_model_deployment, ci_asserts_model_metrics, ci_smoke_tests_endpoint)
    for check in checks:
        result = check(evidence)
        assert result.outcome is Outcome.PASS, (check.__name__, result.found)
    assert "deployment configuration .cloud/.azure/deploy.json, code/deploy/score.py" in (
        defines_model_deployment(evidence).found
    )
    files[".cloud/.azure/registermodel.json"] = json.dumps({"model_name": "credit"})
    files[".cloud/.azure/deploy.json"] = json.dumps({"test_enabled": False})
    evidence = repo(tmp_path / "b", files)
    assert ci_deploys_model(evidence).outcome is Outcome.PASS
    assert ci_asserts_model_metrics(evidence).outcome is Outcome.FAIL
    assert ci_smoke_tests_endpoint(evidence).outcome is Outcome.FAIL


LOADER = """\
import argparse
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset-loc")
    args = parser.parse_args()
    return pd.read_csv(args.dataset_loc)
"""


@pytest.mark.parametrize(
    ("command", "outcome"),
    [
        ('python src/train.py --dataset-loc "$DATA"', Outcome.PASS),
        ("python src/train.py --other-loc https://example.org/trips.csv", Outcome.FAIL),  # not what it reads
        ("python src/train.py --dataset-loc data/trips.csv", Outcome.FAIL),  # a committed file
    ],
)
def test_uri_passed_to_the_module_that_reads_it(tmp_path: Path, command: str, outcome: Outcome) -> None:
    script = f"#!/bin/bash\nDATA=https://example.org/trips.csv\n{command}\n"
    evidence = repo(tmp_path, {"jobs/train.sh": script, "src/train.py": LOADER, "data/trips.csv": "a,b\n"})
    result = declares_data_sources(evidence)
    assert result.outcome is outcome, result.found
    if outcome is Outcome.PASS:
        assert "--dataset-loc https://example.org/trips.csv passed to src/train.py" in result.found


def test_conda_file_named_by_an_environment_definition_declares_dependencies(tmp_path: Path) -> None:
    files = {
        "env/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
            "name: train\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\n"
            "conda_file: deps/train.yml\n"
        ),
        "env/deps/train.yml": "dependencies:\n  - scikit-learn=1.5.0\n  - pandas==2.2.2\n",
    }
    evidence = repo(tmp_path / "a", files)
    assert declares_dependencies(evidence).outcome is Outcome.PASS
    assert has_pinned_environment(evidence).outcome is Outcome.PASS
    del files["env/train.yml"]  # the same file that nothing names, with no name that says conda
    evidence = repo(tmp_path / "b", files)
    assert declares_dependencies(evidence).outcome is Outcome.FAIL
