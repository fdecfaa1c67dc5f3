"""Score records with a trained model (used by tests, batch scoring and the online scoring script)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.sklearn
import pandas as pd
from sklearn.pipeline import Pipeline

from .data import FEATURES


def load_model(path: str | Path) -> Pipeline:
    """Load a model saved by train.py (an MLflow model folder)."""
    return mlflow.sklearn.load_model(str(path))


def to_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Records -> a frame with exactly the model's features; extra keys are ignored."""
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("expected a list of records (JSON objects)")
    for index, record in enumerate(records):
        missing = [feature for feature in FEATURES if feature not in record]
        if missing:
            raise ValueError(f"record {index} is missing {', '.join(missing)}")
    return pd.DataFrame.from_records(records, columns=FEATURES)


def predict(model: Pipeline, records: list[dict[str, Any]]) -> list[float]:
    """Probability of the positive class (churn) for each record, in input order."""
    if not records:
        return []
    probabilities = model.predict_proba(to_frame(records))[:, 1]
    return [float(p) for p in probabilities]
