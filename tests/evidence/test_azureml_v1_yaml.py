"""SDK v1 YAML recognised by shape (run configurations, pipeline YAML), the steps and data of a pipeline
YAML (v1pipeline.py), and the conda files that environment definitions name (conda_refs.py)."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.assessment.evidence.repo.azureml.collect import collect as collect_azureml
from mlops_ladder.assessment.evidence.repo.azureml.conda_refs import referenced_conda_files
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import (
    candidate_paths,
    run_config_environment,
    run_config_scripts,
)
from mlops_ladder.assessment.evidence.repo.azureml.v1pipeline import v1_pipeline_data, v1_pipeline_steps
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.python.collect import collect as collect_python
from tests.conftest import write_files

RUN_CONFIG = """\
script: train.py
arguments: [--epochs, 10]
target: cpu-cluster
framework: Python
environment:
  name: train-env
  python:
    userManagedDependencies: false
    condaDependenciesFile: environment.yml
  docker:
    enabled: true
    baseImage: mcr.microsoft.com/azureml/base:latest
"""

PIPELINE = """\
pipeline:
  name: training
  default_compute: cpu-cluster
  data_references:
    raw:
      datastore: workspaceblobstore
      path_on_datastore: credit/raw
    curated:
      dataset_name: credit-curated
    broken: just text
  steps:
    Prepare:
      type: PythonScriptStep
      name: prepare data
      script_name: prep.py
      source_directory: /src/prep
      inputs:
        raw: {source: raw}
    Train:
      type: PythonScriptStep
      script_name: train.py
      source_directory: ../src/train
      runconfig: /src/train/run_config.yml
    Score:
      type: ParallelRunStep
      parallel_run_config:
        entry_script: score.py
        source_directory: /src/score
    Copy:
      type: DataTransferStep
    Odd: not a mapping
"""


def collect(root: Path, files: dict[str, str]):
    write_files(root, files)
    repo_files = list_repo_files(root)
    return collect_azureml(repo_files), repo_files


def test_run_configuration_and_pipeline_yaml_are_recognised_by_shape(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/train/run_config.yml": RUN_CONFIG,
        "pipelines/train.yml": PIPELINE,
        # a script and a target, but no environment built from a conda file or an image: some other tool
        "tools/task.yml": "script: run.py\ntarget: local\nenvironment: {name: x}\n",
        # a `pipeline:` key that holds no steps
        "ci/other.yml": "pipeline:\n  name: build\n  stages: [a, b]\n",
    })
    kinds = {a.path: a.kind for a in evidence.assets}
    assert kinds == {
        "src/train/run_config.yml": AmlKind.RUN_CONFIG,
        "pipelines/train.yml": AmlKind.V1_PIPELINE,
    }


def test_run_configuration_paths_and_root_relative_paths(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {"src/train/run_config.yml": RUN_CONFIG})
    config = evidence.assets[0]
    assert run_config_scripts(config) == ["src/train.py", "src/train/train.py"]
    environment = run_config_environment(config)
    assert environment is not None
    assert environment.conda_files == ("src/environment.yml", "src/train/environment.yml")
    assert candidate_paths("/code/train/", ["a/b", ""]) == ["code/train"]
    assert candidate_paths("../../../x.py", ["a"]) == []


def test_pipeline_yaml_steps_and_data_references(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {"pipelines/train.yml": PIPELINE})
    pipeline = evidence.assets[0]
    steps = {s.key: s for s in v1_pipeline_steps(pipeline)}
    assert list(steps) == ["Prepare", "Train", "Score", "Copy"]
    assert steps["Prepare"].name == "prepare data"
    assert steps["Prepare"].scripts == ("src/prep/prep.py",)  # written from `/`: the repository root
    assert steps["Train"].name == "Train"  # no name: the key
    # ../src/train from pipelines/ (from the root it leaves the repository)
    assert steps["Train"].scripts == ("src/train/train.py",)
    assert steps["Train"].runconfig == ("src/train/run_config.yml",)
    assert steps["Score"].scripts == ("src/score/score.py",)
    assert steps["Copy"].type == "DataTransferStep" and steps["Copy"].scripts == ()
    references = {r.name: r for r in v1_pipeline_data(pipeline)}
    assert set(references) == {"raw", "curated"}
    assert (references["raw"].datastore, references["raw"].path) == ("workspaceblobstore", "credit/raw")
    assert references["curated"].dataset == "credit-curated"


def test_conda_files_named_by_environment_definitions(tmp_path: Path) -> None:
    files = {
        "core/environments/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
            "name: train\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\n"
            "conda_file: conda/train.yml\n"
        ),
        "jobs/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
            "command: python train.py\ncode: ../src\n"
            "environment:\n  image: python:3.11\n  conda_file: ../deps/job.yml\n"
        ),
        "src/train/run_config.yml": RUN_CONFIG,
        "ops/env.py": (
            "from azureml.core import Environment\n"
            "from azureml.core.conda_dependencies import CondaDependencies\n"
            "from azure.ai.ml.entities import Environment as V2Environment\n"
            "env = Environment.from_conda_specification(name='train', file_path='specs/train.yaml')\n"
            "deps = CondaDependencies(conda_dependencies_file_path='specs/score.yml')\n"
            "v2 = V2Environment(image='python:3.11', conda_file='../specs/v2.yml')\n"
            "other = Environment('plain')\n"
        ),
    }
    azureml, repo_files = collect(tmp_path, files)
    python = collect_python(repo_files, processes=1)
    found = referenced_conda_files(azureml, python)
    assert found == [
        "core/environments/conda/train.yml",
        "deps/job.yml",
        "src/environment.yml",
        "src/train/environment.yml",
        "ops/specs/train.yaml",
        "specs/train.yaml",
        "ops/specs/score.yml",
        "specs/score.yml",
        "specs/v2.yml",
    ]
