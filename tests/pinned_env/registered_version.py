"""Print what the registry holds for one model version, read back as Azure ML's users read it.

Run through azureml_in_the_loop.py in the pinned environment (the model's files are downloaded by
azureml-mlflow's artifact repository):

    azureml_in_the_loop.py registered_version <model name> <version> <csv to score>

Prints one JSON object: the version's source, run id and tags, and how many rows the model loaded
from `models:/<name>/<version>` scored.
"""

from __future__ import annotations

import json
import sys

import mlflow
import pandas as pd
from mlflow import MlflowClient


def main(name: str, version: str, csv: str) -> None:
    registered = MlflowClient().get_model_version(name, version)
    model = mlflow.pyfunc.load_model(f"models:/{name}/{version}")
    rows = pd.read_csv(csv)
    # The signature declares the numeric features as doubles; MLflow does not widen int64 by itself.
    rows = rows.astype({column: "float64" for column in rows.select_dtypes("integer").columns})
    scored = model.predict(rows)
    print(json.dumps({
        "source": registered.source,
        "run_id": registered.run_id,
        "tags": registered.tags,
        "scored_rows": len(scored),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:])
