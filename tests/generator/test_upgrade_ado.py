"""Upgrades of Azure DevOps projects (`ci_system: azure-devops`): a generated project goes 1 -> 2 -> 3
keeping the user's edits to the pipelines (3-way merge) and gaining each layer's pipelines; a
hand-written repository whose CI is Azure Pipelines is adopted with ADO files, not GitHub ones."""

from __future__ import annotations

from pathlib import Path

import yaml

from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.conftest import git, make_repo


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def test_upgrade_1_2_3_keeps_pipeline_edits_and_adds_each_layers_pipelines(tmp_path: Path, capsys) -> None:
    root = tmp_path / "p"
    new_project(root, 1, complete({"name_suffix": "ab12", "ci_system": "azure-devops"}, 1))
    ci = root / ".azure-pipelines" / "ci.yml"
    edited = "timeoutInMinutes: 25  # our runners are slow"
    ci.write_text(ci.read_text().replace("timeoutInMinutes: 20", edited))
    setup = root / ".azure-pipelines" / "templates" / "setup-python.yml"
    setup.write_text(setup.read_text() + "  - bash: python -m pip install our-internal-lint\n"
                     "    displayName: Install our linter\n")
    commit_all(root, "our pipeline edits")

    assert run(["upgrade", str(root), "--to", "2"]) == ExitCode.OK
    commit_all(root, "level 2")
    assert (root / ".azure-pipelines" / "train.yml").is_file()
    assert (root / "scripts" / "wait_for_pipelines.py").is_file()
    assert run(["upgrade", str(root), "--to", "3"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "CONFLICT" not in out
    assert {p.name for p in (root / ".azure-pipelines").glob("*.yml")} == {
        "ci.yml", "infra.yml", "renovate.yml", "train.yml", "release.yml", "rollback.yml"}
    assert not (root / ".github").exists() and not (root / "scripts" / "wait_for_workflows.py").exists()
    assert edited in ci.read_text()
    assert "our-internal-lint" in setup.read_text()
    assert yaml.safe_load(setup.read_text())["steps"][-1]["displayName"] == "Install our linter"
    readme = (root / "README.md").read_text()
    assert ".azure-pipelines/release.yml" in readme and "Set up OIDC" not in readme


ADO_CI = """trigger:
  branches:
    include: [main]
pool:
  vmImage: ubuntu-latest
steps:
  - script: pip install -r requirements.txt && pytest
    displayName: test
"""


def test_a_handwritten_azure_pipelines_repository_is_adopted_with_azure_devops_files(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "churn", {
        "azure-pipelines.yml": ADO_CI,
        "requirements.txt": "pandas==2.2.3\nscikit-learn==1.6.1\n",
        "src/churn/__init__.py": "",
        "src/churn/train.py": "import sklearn\n\n\ndef train():\n    return sklearn.__version__\n",
        "tests/test_train.py": "def test_nothing():\n    assert True\n",
    })
    planned = plan_upgrade(root, to=1)
    assert planned.answers["ci_system"] == "azure-devops"
    added = {c.path for c in planned.plan.changes if c.action.value == "add"}
    assert any(path.startswith(".azure-pipelines/") for path in added)
    assert not any(path.startswith(".github/") for path in added)
