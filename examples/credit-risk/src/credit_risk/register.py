"""Register the trained model with its lineage."""
import argparse

import mlflow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--name", default="credit-risk")
    args = parser.parse_args()
    model = mlflow.sklearn.load_model(args.model)
    mlflow.sklearn.log_model(model, "model", registered_model_name=args.name)


if __name__ == "__main__":
    main()
