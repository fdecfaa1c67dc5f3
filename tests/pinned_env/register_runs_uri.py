"""The registration the generated register step used before: `log_artifacts` then
`mlflow.register_model("runs:/<run>/model")`. The suite runs it under the pinned Azure ML environment
to show that the harness reproduces the failure Azure ML users saw (and so can catch it again).

    azureml_in_the_loop.py register_runs_uri <MLflow model folder> <model name>
"""

from __future__ import annotations

import sys

import mlflow


def main(model_dir: str, name: str) -> None:
    with mlflow.start_run() as run:
        mlflow.log_artifacts(model_dir, artifact_path="model")
        mlflow.register_model(f"runs:/{run.info.run_id}/model", name)


if __name__ == "__main__":
    main(*sys.argv[1:])
