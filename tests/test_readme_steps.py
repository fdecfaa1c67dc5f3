"""The generated README's steps work as written.

- "Run it locally" is extracted from a generated project's README and run verbatim with bash
  (a fresh virtual environment, installs, lint, tests, the training steps), from the project folder,
  followed by the local pipeline run of docs/training.md ("Run it yourself").
- The hand-run deployment cannot run here (no Azure), so its order and arguments are checked: the
  platform's layers under infra/layers/ are deployed after main.bicep with every parameter they
  require, and the training environment and the data asset exist before the pipeline is submitted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.conftest import GIT_ENV

PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def generate(dest: Path, level: int, **data) -> Path:
    answers = complete({"name_suffix": "ab12", "python_version": PYTHON_VERSION, **data}, level)
    new_project(dest, level, answers)
    return dest


def section(readme: str, title: str) -> str:
    """The text of the `## <title>` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S)


@pytest.mark.slow
def test_run_it_locally_works_verbatim(tmp_path: Path) -> None:
    """The README's block, then (in the same shell, as a reader would) the local pipeline run of
    docs/training.md, in a level-2 project."""
    project = generate(tmp_path / "project", 2)
    [readme_steps] = bash_blocks(section((project / "README.md").read_text(), "Run it locally"))
    assert f"python{PYTHON_VERSION} -m venv .venv" in readme_steps
    training = (project / "docs" / "training.md").read_text()
    pipeline_steps = bash_blocks(section(training, "Run it yourself"))[0]  # the local run; then Azure
    steps = readme_steps + pipeline_steps
    # `python3.X` on PATH is this interpreter, whatever the machine calls its own Pythons.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / f"python{PYTHON_VERSION}").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "MLFLOW_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(GIT_ENV, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", steps], cwd=project, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    registration = json.loads((project / "outputs" / "registration" / "registration.json").read_text())
    assert registration["registered"] is True, registration
    assert (project / "mlruns").is_dir()
    assert (project / ".git" / "hooks" / "pre-commit").is_file()


def required_params(bicep: Path) -> set[str]:
    """Parameters without a default value (a deployment must pass them)."""
    return set(re.findall(r"^param (\w+) \w+\s*$", bicep.read_text(), flags=re.M))


@pytest.mark.parametrize("level", [2, 3])
def test_hand_run_deployment_covers_the_layers_and_creates_the_environment_first(
    tmp_path: Path, level: int
) -> None:
    project = generate(tmp_path / "project", level)
    readme = (project / "README.md").read_text()
    [deploy] = bash_blocks(section(readme, "Deploy the infrastructure"))
    main_at = deploy.index("--template-file infra/main.bicep")
    loop = re.search(r"for layer in infra/layers/\*\.bicep; do\n(.*?)\ndone", deploy, flags=re.S)
    assert loop and loop.start() > main_at, "the layers are not deployed after main.bicep"
    passed = set(re.findall(r"(\w+)=\S+", loop.group(1).split("--parameters", 1)[1]))
    layers = sorted((project / "infra" / "layers").glob("*.bicep"))
    assert layers
    for layer in layers:
        assert required_params(layer) <= passed, f"{layer.name} needs {required_params(layer) - passed}"
    data_at = deploy.index("az ml data create --file mlops/azureml/data/customers.yml")

    [training] = bash_blocks(section(readme, "Training (level 2)"))
    environment = "az ml environment create --file mlops/azureml/train/environment.yml"
    submit = "az ml job create --file mlops/azureml/train/pipeline.yml"
    assert training.index(environment) < training.index(submit)
    assert data_at > main_at
    assert readme.index("## Deploy the infrastructure") < readme.index("## Training (level 2)")
    for path in ("mlops/azureml/train/environment.yml", "mlops/azureml/train/pipeline.yml",
                 "mlops/azureml/data/customers.yml"):
        assert (project / path).is_file(), path
