"""Train the model: a scikit-learn Pipeline (scaling, one-hot encoding, logistic regression).

    python -m <package>.train --train-data outputs/train --model-output outputs/model
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .data import CATEGORICAL_FEATURES, DEFAULT_SEED, FEATURES, NUMERIC_FEATURES, TARGET, load_dataset

DEFAULT_HYPERPARAMETERS: dict[str, Any] = {"C": 1.0, "max_iter": 1000}


def build_pipeline(seed: int = DEFAULT_SEED, **hyperparameters: Any) -> Pipeline:
    """The untrained model; hyperparameters are passed to LogisticRegression."""
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), NUMERIC_FEATURES),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_FEATURES),
        ]
    )
    classifier = LogisticRegression(
        random_state=seed, **{**DEFAULT_HYPERPARAMETERS, **hyperparameters}
    )
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def train(train_df: pd.DataFrame, seed: int = DEFAULT_SEED, **hyperparameters: Any) -> Pipeline:
    """Fit the pipeline on the training split and return it."""
    model = build_pipeline(seed=seed, **hyperparameters)
    model.fit(train_df[FEATURES], train_df[TARGET])
    return model


def save_model(model: Pipeline, train_df: pd.DataFrame, path: str | Path) -> Path:
    """Save as an MLflow model (with its input/output signature) so Azure ML can register and serve it."""
    # Numeric inputs are declared as doubles so requests may send 3 or 3.0, or leave a value out.
    features = train_df[FEATURES].astype({column: "float64" for column in NUMERIC_FEATURES})
    signature = infer_signature(features, model.predict_proba(features)[:, 1])
    mlflow.sklearn.save_model(model, str(path), signature=signature, pip_requirements=model_requirements())
    return Path(path)


def model_requirements() -> list[str]:
    """What the saved model needs to load and predict, pinned to the versions that trained it.

    Declared rather than inferred: MLflow infers them by loading the model in a subprocess, which
    takes seconds on every save.
    """
    return [
        *mlflow.sklearn.get_default_pip_requirements(include_skops=True),
        f"pandas=={pd.__version__}",
        f"numpy=={np.__version__}",
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-data", required=True, help="training split: a CSV file or a folder")
    parser.add_argument("--model-output", required=True, help="folder for the MLflow model (empty or new)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--C", type=float, default=DEFAULT_HYPERPARAMETERS["C"], dest="C")
    parser.add_argument("--max-iter", type=int, default=DEFAULT_HYPERPARAMETERS["max_iter"])
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    train_df = load_dataset(args.train_data)
    model = train(train_df, seed=args.seed, C=args.C, max_iter=args.max_iter)
    save_model(model, train_df, args.model_output)
    print(f"train: fitted on {len(train_df)} rows, model saved to {args.model_output}")


if __name__ == "__main__":
    main()
