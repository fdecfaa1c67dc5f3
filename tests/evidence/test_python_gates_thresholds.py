"""Evaluation gates against thresholds, SDK v1 registry reads and cancels, and MLflow validation."""

from __future__ import annotations

from pathlib import Path

from tests.evidence.test_python_code import collect, module

THRESHOLD_EVALUATE = """\
import json
from pathlib import Path

def main(metrics, out):
    thresholds = {"test_auc": 0.6, "test_f1": 0.4}
    failures = []
    for name, minimum in thresholds.items():
        if metrics[name] < minimum:
            failures.append(name)
    deploy_flag = 1 if not failures else 0
    with open(Path(out) / "deploy_flag", "w") as handle:
        handle.write(str(deploy_flag))
"""

FLAG_REGISTER = """\
from pathlib import Path
import mlflow

def main(evaluation_output, model_path):
    deploy_flag = int((Path(evaluation_output) / "deploy_flag").read_text())
    if deploy_flag == 1:
        mlflow.register_model(model_path, "readmission")
"""


def test_threshold_flag_read_by_the_register_step_is_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {"src/evaluate.py": THRESHOLD_EVALUATE, "src/register.py": FLAG_REGISTER})
    (gate,) = module(evidence, "src/evaluate.py").gates
    assert gate.location.line == 10
    assert gate.detail.startswith("sets deploy_flag from the comparison with a threshold; src/register.py:6")


def test_threshold_flag_set_in_a_branch_over_a_constant_is_a_gate(tmp_path: Path) -> None:
    evaluate = (
        "def main(metric_value, threshold, out):\n"
        "    deploy_flag = 0\n"
        "    if metric_value >= threshold:\n"
        "        deploy_flag = 1\n"
        "    out.write_text(str(deploy_flag))\n"
    )
    evidence, _ = collect(tmp_path, {"src/evaluate.py": evaluate, "src/register.py": FLAG_REGISTER})
    assert [g.location.line for g in module(evidence, "src/evaluate.py").gates] == [3]


def test_threshold_flag_that_nothing_reads_is_not_a_gate(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {"src/evaluate.py": THRESHOLD_EVALUATE})
    evaluate = module(evidence, "src/evaluate.py")
    assert evaluate.gates == ()
    assert "no module reads it before registering" in evaluate.gate_candidates[0].detail


def test_sdk_v1_comparison_with_the_latest_registered_model_that_cancels_is_a_gate(tmp_path: Path) -> None:
    register = (
        "from azureml.core import Model, Run\n"
        "def main(ws, name):\n"
        "    pipeline_run = Run.get_context().parent\n"
        "    latest = Model(ws, name)\n"
        "    if is_new_model_better(pipeline_run, latest):\n"
        "        print('better')\n"
        "    else:\n"
        "        pipeline_run.cancel()\n"
        "    pipeline_run.register_model(model_name=name, model_path='outputs/model.pkl')\n"
    )
    evidence, _ = collect(tmp_path, {"src/register.py": register})
    (gate,) = module(evidence, "src/register.py").gates
    assert gate.location.line == 5
    assert gate.detail == "stops the run (raise, exit, cancel) when the candidate is not better"


def test_mlflow_evaluate_with_thresholds_is_a_gate_unless_the_error_is_swallowed(tmp_path: Path) -> None:
    evaluate = (
        "import mlflow\n"
        "def validate(model_uri, data, thresholds, dry_run):\n"
        "    try:\n"
        "        mlflow.evaluate(model_uri, data, targets='y', validation_thresholds=thresholds)\n"
        "    except Exception as err:\n"
        "        if not dry_run:\n"
        "            raise err\n"
    )
    swallowed = evaluate.replace("        if not dry_run:\n            raise err\n", "        print(err)\n")
    plain = "import mlflow\ndef validate(m, d, t):\n    mlflow.evaluate(m, d, validation_thresholds=t)\n"
    evidence, _ = collect(tmp_path, {"src/a.py": evaluate, "src/b.py": swallowed, "src/c.py": plain,
                                     "src/d.py": "import mlflow\nmlflow.evaluate('m', 'd')\n"})
    assert [g.location.line for g in module(evidence, "src/a.py").gates] == [4]
    assert module(evidence, "src/b.py").gates == ()
    assert "swallows the error" in module(evidence, "src/b.py").gate_candidates[0].detail
    assert [g.location.line for g in module(evidence, "src/c.py").gates] == [3]
    assert module(evidence, "src/d.py").gates == ()  # no thresholds: nothing can fail
