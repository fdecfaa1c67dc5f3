"""The Python collector: imports, calls, seeds, evaluation gates, test detection, notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.python.collect import collect as collect_python
from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence, PythonModule
from mlops_ladder.assessment.evidence.repo.python.parse import is_test_path, module_name
from tests.conftest import write_files


def collect(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[PythonEvidence, list[str]]:
    write_files(tmp_path, files)
    repo_files = list_repo_files(tmp_path)
    evidence = collect_python(repo_files)
    return evidence, [str(n) for n in repo_files.notes]


def module(evidence: PythonEvidence, path: str) -> PythonModule:
    found = evidence.module_at(path)
    assert found is not None, f"{path} not collected"
    return found


# -- names, tests, imports -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/pkg/train.py", "pkg.train"),
        ("src/pkg/__init__.py", "pkg"),
        ("components/prep/prep.py", "components.prep.prep"),
        ("score.py", "score"),
    ],
)
def test_module_name_strips_src_and_init(path: str, expected: str) -> None:
    assert module_name(path) == expected


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("tests/test_train.py", True),
        ("tests/helpers.py", True),
        ("src/pkg/test/fixtures.py", True),
        ("src/pkg/features_test.py", True),
        ("conftest.py", True),
        ("src/pkg/testing_utils.py", False),
        ("src/pkg/contest.py", False),
        ("src/pkg/train.py", False),
    ],
)
def test_test_modules_are_recognised_by_folder_and_name(path: str, is_test: bool) -> None:
    assert is_test_path(path) is is_test


def test_imports_are_fully_qualified_and_relative_imports_resolve(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/pkg/__init__.py": "from .features import build\n",
        "src/pkg/models/train.py": (
            "import numpy.linalg as la\n"
            "from sklearn.ensemble import RandomForestClassifier as RF\n"
            "from . import registry\n"
            "from ..features import build, scale\n"
            "from ...outside import thing\n"
            "def main():\n"
            "    import mlflow.sklearn\n"
        ),
    })
    package = module(evidence, "src/pkg/__init__.py")
    assert package.module == "pkg"
    assert {"pkg.features", "pkg.features.build"} <= package.imports
    train = module(evidence, "src/pkg/models/train.py")
    assert train.module == "pkg.models.train"
    assert {
        "numpy.linalg", "sklearn.ensemble", "sklearn.ensemble.RandomForestClassifier",
        "pkg.models", "pkg.models.registry", "pkg.features", "pkg.features.build", "pkg.features.scale",
        "mlflow.sklearn",
    } <= train.imports
    assert "outside.thing" in train.imports  # beyond the top package: the name as written
    assert train.functions == frozenset({"main"})
    assert train.imports_any("mlflow") and not train.imports_any("torch")


# -- calls -----------------------------------------------------------------------------------


def test_calls_resolve_through_aliases_including_later_imports(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/train.py": (
            "import mlflow as mf\n"
            "from mlflow import log_metric\n"
            "from mlflow.tracking import MlflowClient\n"
            "from azure.ai.ml.dsl import pipeline\n"
            "import functools\n"
            "\n"
            "@pipeline(default_compute='cpu')\n"
            "def training(): ...\n"
            "\n"
            "@functools.cache\n"
            "def cached(): ...\n"
            "\n"
            "def run(ml_client, name):\n"
            "    mf.log_param('alpha', 0.5)\n"
            "    log_metric('rmse', 1.0)\n"
            "    MlflowClient().search_model_versions(f\"name='{name}'\")\n"
            "    ml_client.jobs.create_or_update(job, experiment_name='taxi')\n"
            "    pd.read_csv('data.csv')\n"
            "import pandas as pd\n"
        ),
    })
    train = module(evidence, "src/train.py")
    names = {c.name for c in train.calls}
    assert {
        "mlflow.log_param", "mlflow.log_metric", "mlflow.tracking.MlflowClient.search_model_versions",
        "ml_client.jobs.create_or_update", "pandas.read_csv", "azure.ai.ml.dsl.pipeline", "functools.cache",
    } <= names
    create = next(c for c in train.calls if c.name == "ml_client.jobs.create_or_update")
    assert create.keywords == frozenset({"experiment_name"})
    assert create.string_args == ("taxi",)
    search = next(c for c in train.calls if c.endswith("search_model_versions"))
    assert search.string_args == ("name='{}'",)
    assert search.line == 16
    assert [c.line for c in train.calls] == sorted(c.line for c in train.calls)


def test_file_references_are_kept_for_scripts_loaded_by_path(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "tests/test_score.py": (
            "import importlib.util, subprocess\n"
            "SCORE = HERE / 'src' / 'score.py'\n"
            "subprocess.run('python src/train.py --data x', shell=True)\n"
        ),
    })
    assert {"score.py", "src/train.py"} <= module(evidence, "tests/test_score.py").file_refs


# -- seeds -----------------------------------------------------------------------------------


def test_seeds_are_found_in_calls_and_random_state_keywords(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/seeded.py": (
            "import random\n"                                              # 1
            "import numpy as np\n"                                         # 2
            "import torch\n"                                               # 3
            "from sklearn.model_selection import train_test_split\n"      # 4
            "SEED = 7\n"                                                   # 5
            "random.seed(42)\n"                                            # 6
            "np.random.seed(SEED)\n"                                       # 7
            "rng = np.random.default_rng(3)\n"                             # 8
            "torch.manual_seed(args.seed)\n"                               # 9
            "train_test_split(x, random_state=42)\n"                       # 10
            "train_test_split(x, random_state=SEED)\n"                     # 11
            "train_test_split(x, random_state=config.random_state)\n"      # 12
        ),
        "src/unseeded.py": (
            "import random\n"
            "import numpy as np\n"
            "random.seed()\n"
            "np.random.default_rng()\n"
            "np.random.seed(None)\n"
            "train_test_split(x, random_state=None)\n"
            "train_test_split(x, random_state=rng)\n"
        ),
    })
    assert [s.line for s in module(evidence, "src/seeded.py").seeds] == [6, 7, 8, 9, 10, 11, 12]
    assert module(evidence, "src/unseeded.py").seeds == ()


# -- evaluation gates ------------------------------------------------------------------------

REGISTRY_READ = (
    "import sys\n"
    "import mlflow\n"
    "from mlflow.tracking import MlflowClient\n"
    "client = MlflowClient()\n"
)


def test_a_comparison_that_raises_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": REGISTRY_READ + (
            "def evaluate(name, candidate_rmse):\n"
            "    current = client.get_latest_versions(name, stages=['Production'])[0]\n"
            "    current_rmse = client.get_run(current.run_id).data.metrics['rmse']\n"
            "    if candidate_rmse > current_rmse:\n"
            "        raise SystemExit('candidate is worse than production')\n"
            "    mlflow.register_model(f'runs:/{run_id}/model', name)\n"
        ),
    })
    gates = module(evidence, "src/evaluate.py").gates
    assert len(gates) == 1
    assert gates[0].location.line == 8
    assert "stops" in gates[0].detail


def test_registration_only_in_the_better_branch_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/promote.py": (
            "from azure.ai.ml import MLClient\n"
            "def promote(ml_client, model, new_auc):\n"
            "    current = ml_client.models.get(name='taxi', label='latest')\n"
            "    better = new_auc >= float(current.tags['auc'])\n"
            "    if better:\n"
            "        ml_client.models.create_or_update(model)\n"
            "    else:\n"
            "        print('keeping the current model')\n"
        ),
    })
    gates = module(evidence, "src/promote.py").gates
    assert [g.location.line for g in gates] == [5]


def test_early_return_before_registration_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/register.py": REGISTRY_READ + (
            "def main(name, score):\n"
            "    versions = client.search_model_versions(f\"name='{name}'\")\n"
            "    best = max(float(v.tags['score']) for v in versions)\n"
            "    if score <= best:\n"
            "        return\n"
            "    mlflow.register_model('runs:/x/model', name)\n"
        ),
    })
    assert [g.location.line for g in module(evidence, "src/register.py").gates] == [8]


def test_flag_written_by_evaluation_and_read_before_registration_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": MLOPS_V2_EVALUATE,
        "src/register.py": MLOPS_V2_REGISTER.replace("    deploy_flag = 1\n", ""),
    })
    gates = module(evidence, "src/evaluate.py").gates
    assert len(gates) == 1
    assert gates[0].location.line == 10
    assert "src/register.py" in gates[0].detail


def test_mlops_v2_constant_flag_is_not_a_gate(tmp_path: Path) -> None:
    files = {"src/evaluate.py": MLOPS_V2_EVALUATE, "src/register.py": MLOPS_V2_REGISTER}
    evidence, _ = collect(tmp_path, files)
    evaluate = module(evidence, "src/evaluate.py")
    assert evaluate.gates == ()
    assert module(evidence, "src/register.py").gates == ()
    assert len(evaluate.gate_candidates) == 1
    assert "src/register.py:7 overwrites deploy_flag with a constant" in evaluate.gate_candidates[0].detail


def test_unreachable_blocking_branch_is_not_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": REGISTRY_READ + (
            "def main(name, score, current):\n"
            "    prod = client.get_model_version(name, current)\n"
            "    if score > float(prod.tags['score']) or True:\n"
            "        mlflow.register_model('runs:/x/model', name)\n"
        ),
    })
    evaluate = module(evidence, "src/evaluate.py")
    assert evaluate.gates == ()
    assert "cannot fail" in evaluate.gate_candidates[0].detail


@pytest.mark.parametrize(
    "body",
    [
        # exit status 0 is success: nothing is blocked
        "    if score < float(prod.tags['score']):\n        sys.exit(0)\n",
        # counting versions is not comparing metrics
        "    if len(versions) > 0:\n        raise ValueError('already registered')\n",
    ],
)
def test_non_blocking_or_non_metric_comparisons_are_not_gates(tmp_path: Path, body: str) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": REGISTRY_READ + (
            "def main(name, score):\n"
            "    versions = client.search_model_versions(f\"name='{name}'\")\n"
            "    prod = versions[0]\n"
        ) + body + "    mlflow.register_model('runs:/x/model', name)\n",
    })
    assert module(evidence, "src/evaluate.py").gates == ()


@pytest.mark.parametrize("test", ["score < 0.8", "score < min_score"])
def test_threshold_that_stops_the_run_before_registering_is_a_gate(tmp_path: Path, test: str) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": (
            "import mlflow\n"
            "def main(score, min_score):\n"
            f"    if {test}:\n"
            "        raise ValueError('too weak')\n"
            "    mlflow.register_model('runs:/x/model', 'taxi')\n"
        ),
    })
    (gate,) = module(evidence, "src/evaluate.py").gates
    assert gate.detail == "stops the run (raise, exit, cancel) when the candidate misses a threshold"


def test_threshold_check_in_a_module_that_does_not_register_is_not_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": (
            "import json\n"
            "def main(score, min_score, out):\n"
            "    if score < min_score:\n"
            "        raise ValueError('too weak')\n"
            "    json.dump({'score': score}, out)\n"
        ),
    })
    evaluate = module(evidence, "src/evaluate.py")
    assert evaluate.gates == () and evaluate.gate_candidates == ()


def test_assert_on_the_comparison_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/evaluate.py": REGISTRY_READ + (
            "def main(name, score):\n"
            "    prod = mlflow.pyfunc.load_model(f'models:/{name}@champion')\n"
            "    assert score >= evaluate(prod), 'candidate is worse'\n"
        ),
    })
    assert [g.location.line for g in module(evidence, "src/evaluate.py").gates] == [7]


def test_registry_read_through_a_project_helper_and_run_cancel_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "src/util/model_helper.py": (
            "from azureml.core import Model\n"
            "def get_model(workspace, name):\n"
            "    return Model.list(workspace, name=name, latest=True)[0]\n"
        ),
        "src/evaluate.py": (
            "from util.model_helper import get_model\n"
            "def main(run, workspace, new_mse):\n"
            "    production = get_model(workspace, 'taxi')\n"
            "    if new_mse < float(production.tags['mse']):\n"
            "        print('better: the pipeline goes on to registration')\n"
            "    else:\n"
            "        run.parent.cancel()\n"
        ),
    })
    gates = module(evidence, "src/evaluate.py").gates
    assert [g.location.line for g in gates] == [4]
    assert "read by util.model_helper.get_model" in gates[0].detail


MLOPS_V2_EVALUATE = """\
from pathlib import Path
import mlflow
from mlflow.tracking import MlflowClient

def model_promotion(model_name, evaluation_output, score):
    scores = {}
    for model_run in MlflowClient().search_model_versions(f"name='{model_name}'"):
        scores[model_run.version] = float(model_run.tags["score"])
    if scores:
        if score >= max(list(scores.values())):
            deploy_flag = 1
        else:
            deploy_flag = 0
    else:
        deploy_flag = 1
    with open((Path(evaluation_output) / "deploy_flag"), "w") as outfile:
        outfile.write(f"{int(deploy_flag)}")
"""

MLOPS_V2_REGISTER = """\
from pathlib import Path
import mlflow

def main(args):
    with open((Path(args.evaluation_output) / "deploy_flag"), "rb") as infile:
        deploy_flag = int(infile.read())
    deploy_flag = 1
    if deploy_flag == 1:
        mlflow.register_model(f"runs:/{args.run_id}/model", args.model_name)
"""


# -- bad input and notebooks -----------------------------------------------------------------


def test_syntax_errors_and_unreadable_files_are_noted_not_raised(tmp_path: Path) -> None:
    evidence, notes = collect(tmp_path, {
        "src/broken.py": "def broken(:\n    pass\n",
        "src/binary.py": b"\x00\x01\x02",
        "src/latin.py": "x = 'caf\xe9'\n".encode("latin-1"),
        "src/ok.py": "import pandas\n",
    })
    assert [m.path for m in evidence.modules] == ["src/latin.py", "src/ok.py"]
    assert any(n.startswith("src/broken.py: Python not parsed: line 1:") for n in notes)
    assert any(n.startswith("src/binary.py: not read") for n in notes)
    assert any(n.startswith("src/latin.py: not UTF-8") for n in notes)


def test_notebooks_count_code_cells_and_read_imports(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# Title"]},
            {"cell_type": "code", "source": ["import pandas as pd, numpy\n", "from sklearn import svm\n"]},
            {"cell_type": "code", "source": "%pip install mlflow\nimport mlflow.sklearn  # track\n"},
        ],
        "nbformat": 4,
    }
    old_notebook = {"worksheets": [{"cells": [{"cell_type": "code", "input": ["import torch\n"]}]}]}
    evidence, notes = collect(tmp_path, {
        "notebooks/explore.ipynb": json.dumps(notebook),
        "notebooks/old.ipynb": json.dumps(old_notebook),
        "notebooks/broken.ipynb": '{"cells": [',
    })
    by_path = {n.path: n for n in evidence.notebooks}
    assert by_path["notebooks/explore.ipynb"].code_cells == 2
    assert by_path["notebooks/explore.ipynb"].imports == frozenset(
        {"pandas", "numpy", "sklearn", "mlflow.sklearn"}
    )
    assert by_path["notebooks/old.ipynb"].imports == frozenset({"torch"})
    assert "notebooks/broken.ipynb" not in by_path
    assert any(n.startswith("notebooks/broken.ipynb: malformed JSON: line 1") for n in notes)
