"""Pipeline step `train`: fit the model with train.py and track the run with MLflow.

    python -m <package>.train_job --train-data outputs/train --model-output outputs/model [--seed 42]

Takes the same options as train.py. Logs the seed, the hyperparameters and the training data size
as parameters, and the model's scores on its own training data as metrics (compare them with the
test scores of the evaluate step to spot overfitting).
"""

from __future__ import annotations

import time

import mlflow

from . import tracking
from .data import FEATURES, load_dataset
from .evaluate import evaluate
from .train import parse_args, save_model, train


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tracking.configure()
    train_df = load_dataset(args.train_data)
    hyperparameters = {"C": args.C, "max_iter": args.max_iter}
    with mlflow.start_run():
        mlflow.log_params({"seed": args.seed, **hyperparameters, "features": ",".join(FEATURES)})
        mlflow.log_metric("train_rows", len(train_df))
        started = time.perf_counter()
        model = train(train_df, seed=args.seed, **hyperparameters)
        mlflow.log_metric("training_seconds", time.perf_counter() - started)
        train_scores = evaluate(model, train_df)
        mlflow.log_metrics({f"train_{name}": value for name, value in train_scores.items()})
        save_model(model, train_df, args.model_output)
    print(f"train_job: fitted on {len(train_df)} rows, train roc_auc={train_scores['roc_auc']:.4f}")


if __name__ == "__main__":
    main()
