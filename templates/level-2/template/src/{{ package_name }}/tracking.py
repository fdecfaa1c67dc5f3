"""MLflow set-up shared by the pipeline steps (train_job, evaluate_job, register).

Inside an Azure ML job, Azure ML sets MLFLOW_TRACKING_URI (the workspace) and MLFLOW_RUN_ID (the
step's run): metrics go to the job and models to the workspace registry, with no set-up here.
Anywhere else the steps use MLFLOW_TRACKING_URI when it is set, and otherwise a local file store
in ./mlruns (`mlflow ui --backend-store-uri ./mlruns` shows it).
"""

from __future__ import annotations

import os
from pathlib import Path

import mlflow
from mlflow.entities import Run

LOCAL_STORE = Path("mlruns")
PARENT_RUN_TAG = "mlflow.parentRunId"


def configure() -> str:
    """Point MLflow at the workspace (in Azure ML) or at ./mlruns; return the tracking URI in use."""
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        # Through the environment rather than mlflow.set_tracking_uri, so that MLflow keeps no
        # process-wide state. mlflow-skinny has no SQL store (its default, sqlite, is unavailable)
        # and MLflow 3 uses the file store only when asked to.
        os.environ["MLFLOW_TRACKING_URI"] = LOCAL_STORE.resolve().as_uri()
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    return mlflow.get_tracking_uri()


def pipeline_run_id(run: Run) -> str:
    """The run id of the pipeline job that contains this step, or "local" outside a pipeline.

    Azure ML records a pipeline step's run as a child of the pipeline job's run."""
    return run.data.tags.get(PARENT_RUN_TAG) or os.environ.get("AZUREML_ROOT_RUN_ID") or "local"
