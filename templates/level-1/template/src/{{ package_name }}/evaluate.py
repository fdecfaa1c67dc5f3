"""Evaluate a model on the test split. The primary metric is "roc_auc" (higher is better).

    python -m <package>.evaluate --model outputs/model --test-data outputs/test \
        --metrics-output outputs/metrics.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import mlflow.sklearn
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.pipeline import Pipeline

from .data import FEATURES, TARGET, load_dataset

PRIMARY_METRIC = "roc_auc"
METRICS_FILE_NAME = "metrics.json"
THRESHOLD = 0.5


def evaluate(model: Pipeline, test_df: pd.DataFrame) -> dict[str, float]:
    """Metrics of the model on the test split; probabilities above THRESHOLD count as churn."""
    labels = test_df[TARGET]
    probabilities = model.predict_proba(test_df[FEATURES])[:, 1]
    predictions = (probabilities >= THRESHOLD).astype(int)
    return {
        "roc_auc": float(roc_auc_score(labels, probabilities)),
        "accuracy": float(accuracy_score(labels, predictions)),
        "precision": float(precision_score(labels, predictions, zero_division=0)),
        "recall": float(recall_score(labels, predictions, zero_division=0)),
        "f1": float(f1_score(labels, predictions, zero_division=0)),
        "test_rows": len(test_df),
    }


def write_metrics(metrics: dict[str, float], output: str | Path) -> Path:
    """Write metrics JSON to a .json file, or to metrics.json inside a folder."""
    output = Path(output)
    target = output if output.suffix == ".json" else output / METRICS_FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    return target


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="folder of the MLflow model")
    parser.add_argument("--test-data", required=True, help="test split: a CSV file or a folder")
    parser.add_argument("--metrics-output", required=True, help="a .json file, or a folder for metrics.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    model = mlflow.sklearn.load_model(args.model)
    metrics = evaluate(model, load_dataset(args.test_data))
    target = write_metrics(metrics, args.metrics_output)
    print(f"evaluate: {PRIMARY_METRIC}={metrics[PRIMARY_METRIC]:.4f}, metrics written to {target}")


if __name__ == "__main__":
    main()
