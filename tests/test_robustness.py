"""One bad file never hides the rest of the evidence, and never produces a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from tests.conftest import make_repo

ARM_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
WORKSPACE = "Microsoft.MachineLearningServices/workspaces@2024-10-01"
PIPELINE_SCHEMA = "https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json"
GOOD_CI = """name: ci
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: python -m pytest
"""


def test_a_repository_full_of_broken_files_is_still_assessed(tmp_path: Path, capsys) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            ".github/workflows/ci.yml": GOOD_CI,
            ".github/workflows/broken.yml": "on: [push\njobs: {",
            ".github/workflows/binary.yml": b"\x00\x01\x02 not yaml",
            "src/pkg/__init__.py": "",
            "src/pkg/train.py": "import pandas as pd\n\n\ndef train(df):\n    return df.mean()\n",
            "src/pkg/latin.py": "# caf\xe9\nx = 1\n".encode("latin-1"),
            "src/pkg/syntax.py": "def broken(:\n",
            "tests/test_train.py": "from pkg.train import train\n\n\ndef test_it():\n    assert train\n",
            "infra/main.bicep": f"resource ws '{WORKSPACE}' = {{\n  name: \n",
            "infra/arm.json": f'{{"$schema": "{ARM_SCHEMA}", ',
            "mlops/pipeline.yml": f"$schema: {PIPELINE_SCHEMA}\njobs: [\n",
            "notebooks/n.ipynb": "{not json",
            "data/huge.yml": "a: 1\n" * 600_000,
            "requirements.txt": "pandas==2.2.3\n",
        },
        commit=False,
    )
    os.symlink(root / "src", root / "src" / "pkg" / "loop")
    assert run(["assess", str(root), "--format", "json"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    report = json.loads(captured.out)
    notes = {n["path"]: n["reason"] for n in report["notes"]}
    for path in (
        ".github/workflows/broken.yml",
        ".github/workflows/binary.yml",
        "src/pkg/latin.py",
        "src/pkg/syntax.py",
        "infra/main.bicep",
        "infra/arm.json",
        "mlops/pipeline.yml",
        "notebooks/n.ipynb",
        "data/huge.yml",
    ):
        assert path in notes, f"no note for {path}: {notes}"
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["MLL-108"]["outcome"] == "pass", "the good workflow is still read"
    assert findings["MLL-105"]["outcome"] == "pass", "the good test module is still read"
    assert all(f["sources"] and "failed:" not in f["found"] for f in report["findings"]), "a check crashed"
