"""The az argument checker finds invented flags and missing required arguments, and passes real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validators.az_cli import AZ_PYTHON, az_calls, check_workflows

WORKFLOW = """
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - name: ok
        run: |
          if ! az ml data show --name "$N" --version 1 --output none 2>/dev/null; then
            az ml data create --file data.yml --output none
          fi
          value="$(az ml workspace show --name "$W" --resource-group "$G" --query id --output tsv)"
          az group create --name "$G" --location westeurope \\
            --tags project=x environment=dev --output none
      - name: bad
        run: |
          az ml schedule create --file monitor.yml --no-such-flag --output none
          az storage message get --queue-name q --account-name a --auth-mode login --num-messagez 3
          az group create --name "$G"
"""


@pytest.fixture
def workflow(tmp_path: Path) -> Path:
    path = tmp_path / ".github" / "workflows" / "w.yml"
    path.parent.mkdir(parents=True)
    path.write_text(WORKFLOW)
    return path


def test_commands_are_split_as_the_shell_would(workflow: Path, tmp_path: Path) -> None:
    calls = [" ".join(c.args) for c in az_calls(workflow, tmp_path)]
    assert calls[:4] == [
        "ml data show --name $N --version 1 --output none",
        "ml data create --file data.yml --output none",
        "ml workspace show --name $W --resource-group $G --query id --output tsv",
        "group create --name $G --location westeurope --tags project=x environment=dev --output none",
    ]


@pytest.mark.skipif(not AZ_PYTHON.exists(), reason=f"no Azure CLI venv at {AZ_PYTHON}")
def test_unknown_flags_and_missing_arguments_are_problems(workflow: Path, tmp_path: Path) -> None:
    problems, checked = check_workflows(tmp_path, [workflow])
    assert checked == 7
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "--no-such-flag" in text and "--num-messagez" in text
    assert "bad): az group create --name $G:" in text
