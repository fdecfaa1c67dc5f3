"""Pipeline step `evaluate`: score the new model on the test split, then apply the evaluation gate.

The champion (the version production serves, see gate.py) is loaded from the registry and scored on
the same test split, so the gate compares two scores from one test set.

    python -m <package>.evaluate_job --model outputs/model --test-data outputs/test \
        --model-name <name> --metrics-output outputs/metrics --decision-output outputs/decision

Writes metrics.json and decision.json (see gate.py) and logs both to MLflow. Exits with an error,
failing the pipeline before the register step, when the registry cannot be read.
"""

from __future__ import annotations

import argparse

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

from . import gate, tracking
from .data import load_dataset
from .evaluate import PRIMARY_METRIC, evaluate, write_metrics


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="folder of the new MLflow model")
    parser.add_argument("--test-data", required=True, help="test split: a CSV file or a folder")
    parser.add_argument("--model-name", required=True, help="registered model name the gate compares with")
    parser.add_argument("--metrics-output", required=True, help="a .json file, or a folder for metrics.json")
    parser.add_argument("--decision-output", required=True, help="a .json file, or a folder for the decision")
    parser.add_argument("--min-improvement", type=float, default=gate.DEFAULT_MIN_IMPROVEMENT,
                        help=f"how much the new {PRIMARY_METRIC} must exceed the current model's")
    parser.add_argument("--floor", type=float, default=gate.DEFAULT_FLOOR,
                        help=f"lowest {PRIMARY_METRIC} any model may be registered with")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    policy = gate.GatePolicy(min_improvement=args.min_improvement, floor=args.floor)
    tracking.configure()
    model = mlflow.sklearn.load_model(args.model)
    test = load_dataset(args.test_data)
    metrics = evaluate(model, test)

    def score_champion(version: ModelVersion) -> float:
        champion = mlflow.sklearn.load_model(f"models:/{version.name}/{version.version}")
        return evaluate(champion, test)[PRIMARY_METRIC]

    write_metrics(metrics, args.metrics_output)
    with mlflow.start_run():
        mlflow.log_metrics(metrics)
        mlflow.log_params({"gate_min_improvement": policy.min_improvement, "gate_floor": policy.floor})
        approved = gate.run_gate(MlflowClient(), args.model_name, metrics[PRIMARY_METRIC], policy,
                                 args.decision_output, scorer=score_champion)
        decision = gate.read_decision(args.decision_output)
        mlflow.log_dict(decision, "gate/decision.json")
        mlflow.set_tags({"gate_approved": str(approved).lower(), "gate_reason": decision["reason"]})
    print(f"evaluate_job: {PRIMARY_METRIC}={metrics[PRIMARY_METRIC]:.4f}; gate: {decision['reason']}")


if __name__ == "__main__":
    main()
