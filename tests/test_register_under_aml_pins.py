"""The level-2 pipeline registers its model under exactly the pins of its Azure ML environment.

The generated project's own tests run MLflow against a local store with the suite's packages; Azure
ML runs the steps with the pip pins of mlops/azureml/train/conda.yml, where azureml-mlflow's artifact
repository handles every run artifact (and lists a run's artifacts from the run root). Here the
steps prep -> train_job -> evaluate_job -> register run in a virtual environment holding exactly
those pins (tests/pinned_env/venvs.py, cached by their hash), with azureml-mlflow's repository in the
loop (tests/pinned_env/azureml_in_the_loop.py). The registered version is then loaded back from
`models:/<name>/<version>` and scores data. A control run shows the harness reproduces the failure of
MLflow 3's `register_model("runs:/...")` that stopped every generated project at its first training.

Also here (fast): one set of pins. requirements.txt and conda.yml agree, and the generated test
that checks it fails when they drift.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.pinned_env.venvs import conda_pip_pins, pinned_python

HARNESS = Path(__file__).parent / "pinned_env" / "azureml_in_the_loop.py"
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
MODEL_NAME = "churn-model"
PACKAGE = "churn_model"


@pytest.fixture(scope="module")
def level2(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("aml-pins") / "project"
    answers = complete({"name_suffix": "ab12", "python_version": PYTHON_VERSION}, 2)
    new_project(dest, 2, answers, git=False)
    return dest


def step_runner(project: Path, python: Path, store: Path):
    """A function that runs a module in the pinned environment, with azureml-mlflow in the loop."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "PYTEST_", "AZUREML_"))}
    env.update(
        PYTHONPATH=str(project / "src"),
        MLFLOW_TRACKING_URI=store.as_uri(),
        MLFLOW_ALLOW_FILE_STORE="true",
        PYTHONDONTWRITEBYTECODE="1",
    )

    def run(module: str, *args: str) -> str:
        proc = subprocess.run(
            [str(python), str(HARNESS), module, *args],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )
        if proc.returncode != 0:
            raise StepFailed(f"{module} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        assert "artifacts through azureml.mlflow" in proc.stderr  # the harness was in the loop
        return proc.stdout

    return run


class StepFailed(AssertionError):
    pass


@pytest.fixture(scope="module")
def trained(level2: Path, tmp_path_factory):
    """(run, outputs): the prep and train steps, run once in the pinned environment."""
    python = pinned_python(conda_pip_pins(level2 / "mlops" / "azureml" / "train" / "conda.yml"))
    outputs = tmp_path_factory.mktemp("aml-pins-outputs")
    run = step_runner(level2, python, outputs / "mlruns")
    run(f"{PACKAGE}.prep", "--input", "data/sample/customers.csv",
        "--train-output", str(outputs / "train"), "--test-output", str(outputs / "test"))
    run(f"{PACKAGE}.train_job", "--train-data", str(outputs / "train"),
        "--model-output", str(outputs / "model"))
    return run, outputs


@pytest.mark.slow
def test_register_step_works_under_the_azure_ml_environment_pins(level2: Path, trained, tmp_path) -> None:
    pins = conda_pip_pins(level2 / "mlops" / "azureml" / "train" / "conda.yml")
    assert any(pin.startswith("azureml-mlflow==") for pin in pins)
    run, outputs = trained
    out = tmp_path
    run(f"{PACKAGE}.evaluate_job", "--model", str(outputs / "model"), "--test-data", str(outputs / "test"),
        "--model-name", MODEL_NAME, "--metrics-output", str(out / "metrics"),
        "--decision-output", str(out / "decision"))
    run(f"{PACKAGE}.register", "--model", str(outputs / "model"), "--metrics", str(out / "metrics"),
        "--decision", str(out / "decision"), "--model-name", MODEL_NAME, "--data-asset", "customers:1",
        "--git-sha", "0" * 40, "--registration-output", str(out / "registration"))

    registration = json.loads((out / "registration" / "registration.json").read_text())
    assert registration["registered"] is True, registration
    test_data = outputs / "test" / "data.csv"
    printed = run("registered_version", MODEL_NAME, registration["version"], str(test_data))
    version = json.loads(printed.strip().splitlines()[-1])
    assert version["source"].endswith(f"/{version['run_id']}/artifacts/model")
    tags = version["tags"]
    assert (tags["data_asset"], tags["git_sha"], tags["source_run_id"]) == (
        "customers:1", "0" * 40, version["run_id"]
    )
    assert {"roc_auc", "pipeline_run_id", "gate_bar", "gate_champion_version"} <= set(tags)
    assert version["scored_rows"] == len(test_data.read_text().splitlines()) - 1


@pytest.mark.slow
def test_the_harness_reproduces_the_runs_uri_registration_failure(trained) -> None:
    """The registration the templates used before fails here as it did in Azure ML: the harness has
    teeth. (Against a plain local store, the same call succeeds.)"""
    run, outputs = trained
    with pytest.raises(StepFailed, match="Unable to find a logged_model with artifact_path model"):
        run("register_runs_uri", str(outputs / "model"), "registered-through-runs-uri")


def pins_of(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(line.split("==", 1) for line in lines if "==" in line)


def test_requirements_and_the_azure_ml_environment_pin_the_same_versions(level2: Path) -> None:
    requirements = pins_of(level2 / "requirements.txt")
    environment = dict(pin.split("==", 1) for pin in conda_pip_pins(level2 / "mlops/azureml/train/conda.yml"))
    assert environment.pop("azureml-mlflow")
    assert environment == requirements


def test_the_generated_pin_check_fails_when_the_pins_drift(level2: Path, tmp_path: Path) -> None:
    project = tmp_path / "drifted"
    shutil.copytree(level2, project)
    check = "tests/training/test_pipeline_files.py::test_environment_pins_the_runtime_requirements"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MLFLOW_"))}

    def pytest_check() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", check],
                              cwd=project, capture_output=True, text=True, env=env, timeout=300)

    # (it passes on the generated project as is: tests/test_generated_projects.py runs all its tests)
    requirements = project / "requirements.txt"
    pinned = requirements.read_text()
    assert "mlflow-skinny==3.15.0" in pinned
    requirements.write_text(pinned.replace("mlflow-skinny==3.15.0", "mlflow-skinny==3.17.2"))
    drifted = pytest_check()
    assert drifted.returncode == 1, drifted.stdout[-2000:]
    assert "pin different versions" in drifted.stdout
