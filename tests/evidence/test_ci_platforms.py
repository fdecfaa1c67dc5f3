"""CI commands of other ML platforms, their clouds and package managers (ci/commands/platforms.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

K = ActionKind

PROJECT = {
    "requirements.txt": "scikit-learn==1.5.0\n",
    "pyproject.toml": "[project]\nname = 'demo'\ndependencies = ['pandas']\n",
    "uv.lock": "version = 1\n",
    "environment.yml": "dependencies: [python=3.11]\n",
    "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
    "pipelines/dvc.yaml": "stages: {}\n",
    "ml/databricks.yml": "bundle:\n  name: demo\n",
    "infra/stack.yaml": "Resources: {}\n",
    "sam/template.yaml": "Resources: {}\n",
    "seed/setup.py": (
        "from setuptools import setup\n"
        "setup(name='p', entry_points={'console_scripts': ['run-pipeline=pipelines.run_pipeline:main']})\n"
    ),
    "seed/pipelines/__init__.py": "",
    "seed/pipelines/run_pipeline.py": "def main(): pass\n",
    "seed/pipelines/abalone/pipeline.py": "def get_pipeline(): pass\n",
}


def scan(tmp_path: Path, script: str, cwd: str = "") -> list[tuple[ActionKind, tuple[str, ...], dict]]:
    write_files(tmp_path, PROJECT)
    found = ScriptReader(list_repo_files(tmp_path)).scan(script, cwd=cwd).actions
    return [(a.kind, a.files, dict(a.options)) for a in found]


@pytest.mark.parametrize(
    ("script", "cwd", "files"),
    [
        ("pip install -r requirements.txt", "", ("requirements.txt",)),
        (
            "python -m pip install --upgrade pip && python -m pip install -r requirements.txt",
            "",
            ("requirements.txt",),
        ),
        ("pip install -e '.[dev]'", "", ("pyproject.toml",)),
        ("uv sync --frozen", "", ("pyproject.toml", "uv.lock")),
        ("uv pip install -r requirements.txt", "", ("requirements.txt",)),
        ("poetry install --no-root", "", ("pyproject.toml",)),
        ("conda env update --file environment.yml --name base", "", ("environment.yml",)),
        ("micromamba create -f environment.yml", "", ("environment.yml",)),
    ],
)
def test_dependencies_installed_from_files(tmp_path: Path, script: str, cwd: str, files: tuple) -> None:
    installs = [
        (kind, found) for kind, found, _ in scan(tmp_path, script, cwd) if kind is K.INSTALL_DEPENDENCIES
    ]
    assert installs == [(K.INSTALL_DEPENDENCIES, files)]


def test_packages_named_on_the_command_line_are_not_an_environment_file(tmp_path: Path) -> None:
    assert scan(tmp_path, "pip install --upgrade pip awscli sagemaker==2.47.1") == []


@pytest.mark.parametrize(
    ("script", "kind", "files"),
    [
        ("dvc repro", K.RUN_DVC_PIPELINE, ("dvc.yaml",)),
        ("dvc exp run -S train.lr=0.1", K.RUN_DVC_PIPELINE, ("dvc.yaml",)),
        ("dvc repro pipelines", K.RUN_DVC_PIPELINE, ("pipelines/dvc.yaml",)),
        ("dvc repro pipelines/dvc.yaml:train", K.RUN_DVC_PIPELINE, ("pipelines/dvc.yaml",)),
        ("dvc repro -P", K.RUN_DVC_PIPELINE, ("dvc.yaml", "pipelines/dvc.yaml")),
        ("dvc pull -r storage", K.PULL_DATA, ()),
    ],
)
def test_dvc(tmp_path: Path, script: str, kind: ActionKind, files: tuple) -> None:
    assert [(k, f) for k, f, _ in scan(tmp_path, script)] == [(kind, files)]


def test_databricks_bundles_from_the_bundle_folder(tmp_path: Path) -> None:
    found = scan(
        tmp_path,
        "databricks bundle validate -t test\ndatabricks bundle deploy -t test\n"
        "databricks bundle run -t test model_training_job --no-wait",
        cwd="ml",
    )
    assert found == [
        (K.DEPLOY_BUNDLE, ("ml/databricks.yml",), {"--target": "test"}),
        (K.RUN_BUNDLE_JOB, ("ml/databricks.yml",), {"--target": "test", "job": "model_training_job"}),
    ]


@pytest.mark.parametrize(
    ("script", "cwd", "kind", "files"),
    [
        (
            "aws cloudformation deploy --template-file infra/stack.yaml --stack-name s",
            "",
            K.APPLY_IAC,
            ("infra/stack.yaml",),
        ),
        (
            "aws cloudformation create-stack --stack-name s --template-body file://infra/stack.yaml",
            "",
            K.APPLY_IAC,
            ("infra/stack.yaml",),
        ),
        (
            "aws cloudformation validate-template --template-body file://infra/stack.yaml",
            "",
            K.VALIDATE_IAC,
            ("infra/stack.yaml",),
        ),
        ("aws cloudformation package --template-file infra/stack.yaml --s3-bucket b", "", None, ()),
        ("npx cdk deploy --all --require-approval never", "infra", K.APPLY_IAC, ("infra",)),
        ("cdk diff", "infra", K.VALIDATE_IAC, ("infra",)),
        ("sam deploy --no-confirm-changeset", "sam", K.APPLY_IAC, ("sam/template.yaml",)),
        ("aws sagemaker start-pipeline-execution --pipeline-name train", "", K.START_PLATFORM_JOB, ()),
        (
            "gcloud ai custom-jobs create --region=europe-west1 --config=job.yaml",
            "",
            K.START_PLATFORM_JOB,
            (),
        ),
        (
            "gcloud deployment-manager deployments create d --config infra/stack.yaml",
            "",
            K.APPLY_IAC,
            ("infra/stack.yaml",),
        ),
    ],
)
def test_cloud_tools(tmp_path: Path, script: str, cwd: str, kind: ActionKind | None, files: tuple) -> None:
    expected = [(kind, files)] if kind else []
    assert [(k, f) for k, f, _ in scan(tmp_path, script, cwd)] == expected


def test_a_console_script_runs_its_module_and_the_modules_it_is_given(tmp_path: Path) -> None:
    found = scan(
        tmp_path, "run-pipeline --module-name pipelines.abalone.pipeline --role-arn $ROLE", cwd="seed"
    )
    assert [(k, f) for k, f, _ in found] == [
        (K.RUN_PYTHON, ("seed/pipelines/run_pipeline.py", "seed/pipelines/abalone/pipeline.py"))
    ]
    assert scan(tmp_path, "not-a-script --flag", cwd="seed") == []
