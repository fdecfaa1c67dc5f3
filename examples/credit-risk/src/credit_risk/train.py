"""Train a gradient boosting classifier and log it with MLflow."""
import argparse

import mlflow
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from credit_risk.prep import FEATURES, TARGET


def train(df: pd.DataFrame, seed: int = 42) -> GradientBoostingClassifier:
    model = GradientBoostingClassifier(random_state=seed)
    model.fit(df[FEATURES], df[TARGET])
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    mlflow.autolog()
    model = train(pd.read_csv(args.train))
    mlflow.log_metric("train_rows", len(pd.read_csv(args.train)))
    mlflow.sklearn.save_model(model, args.model)


if __name__ == "__main__":
    main()
