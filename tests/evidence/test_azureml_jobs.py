"""What a job YAML runs and reads (jobs.py), what SDK v1 files say (v1files.py), and the `az ml`
commands of script files (scripts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.azureml.jobs import (
    command_entry_points,
    component_name,
    data_source_kind,
    job_code,
    job_data_inputs,
    model_outputs,
    pipeline_steps_of,
)
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import (
    run_config_data,
    run_config_environment,
    run_config_scripts,
    v1_environment_files,
)
from tests.evidence.test_azureml import SCHEMA, collect, only_asset


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("azureml:taxi-raw:3", "data asset"),
        ("azureml:taxi-raw@latest", "data asset"),
        ("azureml://registries/shared/data/taxi-raw/versions/2", "data asset"),
        ("azureml://datastores/lake/paths/taxi/", "datastore path"),
        ("azureml://subscriptions/s/resourcegroups/g/workspaces/w/datastores/d/paths/t/", "datastore path"),
        ("https://example.org/data/taxi.csv", "URI"),
        ("wasbs://data@acct.blob.core.windows.net/taxi.csv", "URI"),
        ("abfss://raw@lake.dfs.core.windows.net/taxi/", "URI"),
        ("s3://bucket/taxi/", "URI"),
        ("gs://bucket/taxi/", "URI"),
        ("../data/taxi.csv", None),  # a file copied into the repository
        ("azureml://jobs/${{name}}/outputs/artifacts/paths/model/", None),  # another job's output
        ("${{parent.inputs.raw}}", None),
    ],
)
def test_data_source_kind(path: str, kind: str | None) -> None:
    assert data_source_kind(path) == kind


@pytest.mark.parametrize(
    ("command", "scripts", "modules"),
    [
        ("python train.py --data ${{inputs.raw}}", ["train.py"], []),
        ("python -m taxi.train --data ${{inputs.raw}}", [], ["taxi.train"]),
        ("jobtools detect.train.trainer fit --params ${{inputs.params}}", [], ["detect.train.trainer"]),
        ("python src/train.py --config conf/params.yml", ["src/train.py"], []),
        ("echo 'unbalanced", [], []),
    ],
)
def test_command_entry_points(command: str, scripts: list[str], modules: list[str]) -> None:
    assert command_entry_points(command) == (scripts, modules)


def test_job_code_inputs_and_model_outputs(tmp_path: Path) -> None:
    job = only_asset(tmp_path, "mlops/jobs/train.yml", (
        f"$schema: {SCHEMA.format('commandJob')}\ntype: command\ncode: ../../src\n"
        "command: python -m taxi.train --raw ${{inputs.raw}}\n"
        "inputs:\n  raw:\n    type: uri_folder\n    path: azureml:taxi-raw:3\n"
        "outputs:\n  model:\n    type: mlflow_model\n"
    ))
    code = job_code(job)
    assert code is not None and code.folder == "src"
    assert code.entry_files[0] == "src/taxi/train.py"
    inputs = [(i.name, i.path, i.line) for i in job_data_inputs(job)]
    assert inputs == [("inputs.raw", "azureml:taxi-raw:3", 8)]
    assert model_outputs(job.data) == ["model"]
    remote = only_asset(tmp_path / "r", "train.yml", (
        f"$schema: {SCHEMA.format('commandJob')}\ntype: command\ncode: azureml:taxi-code:1\n"
        "command: python t.py\n"
    ))
    assert job_code(remote).folder is None and "azureml:taxi-code:1" in job_code(remote).missing


def test_pipeline_steps_and_registered_component_names(tmp_path: Path) -> None:
    pipeline = only_asset(tmp_path, "p.yml", (
        "type: pipeline\njobs:\n  prep:\n    component: file:./prep.yml\n"
        "  train:\n    component: azureml://registries/shared/components/taxi_train/labels/latest\n"
        "  score:\n    type: command\n    code: ./src\n    command: python score.py\n"
    ))
    steps = pipeline_steps_of(pipeline)
    assert [(s.name, s.component) for s in steps] == [
        ("prep", "prep.yml"),
        ("train", "azureml://registries/shared/components/taxi_train/labels/latest"),
        ("score", None),
    ]
    assert steps[2].inline is not None
    assert component_name(steps[1].component) == "taxi_train"
    assert component_name("azureml:taxi_prep@latest") == "taxi_prep"


RUN_CONFIG = """\
script: train.py
target: cpu-cluster
environment:
  python:
    condaDependenciesFile: config/train-conda.yml
  docker:
    baseImage: mcr.microsoft.com/azureml/base:latest
data:
  training:
    dataLocation:
      dataset:
        name: credit
        version: 1
  raw:
    dataLocation:
      datapath:
        datastoreName: lake
        relativePath: raw/
"""


def test_run_configuration(tmp_path: Path) -> None:
    config = only_asset(tmp_path, "models/credit/config/train.runconfig", RUN_CONFIG)
    assert config.kind is AmlKind.RUN_CONFIG
    assert run_config_scripts(config) == ["models/credit/train.py", "models/credit/config/train.py"]
    environment = run_config_environment(config)
    assert environment is not None and environment.conda_files[0] == "models/credit/config/train-conda.yml"
    assert environment.image == "mcr.microsoft.com/azureml/base:latest"
    assert [(d.name, d.dataset, d.version, d.datastore) for d in run_config_data(config)] == [
        ("training", "credit", "1", None), ("raw", None, None, "lake"),
    ]


def test_v1_environment_folder(tmp_path: Path) -> None:
    folder = only_asset(tmp_path, "configuration/training/azureml_environment.json", '{"name": "training"}')
    assert v1_environment_files(folder) == (
        ["configuration/training/conda_dependencies.yml"], ["configuration/training/BaseDockerfile"],
    )


def test_az_ml_commands_of_script_files(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "scripts/register.sh": (
            "#!/bin/bash\n# az ml model create (a comment)\n"
            "az ml model create --name taxi \\\n  --path azureml://jobs/$RUN_ID/outputs/model\n"
        ),
        "scripts/register.ps1": "az ml model register -n taxi `\n  --asset-path outputs/model.pkl\n",
        "docs/readme.md": "az ml model create --name taxi\n",
    })
    assert [(c.path, c.line, c.group, c.verb) for c in evidence.cli_commands] == [
        ("scripts/register.ps1", 1, "model", "register"),
        ("scripts/register.sh", 3, "model", "create"),
    ]
