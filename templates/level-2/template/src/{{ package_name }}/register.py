"""Pipeline step `register`: register the new model with its lineage, only if the gate approved it.

    python -m <package>.register --model outputs/model --metrics outputs/metrics \
        --decision outputs/decision --model-name <name> --data-asset customers:1 \
        --git-sha <commit> --registration-output outputs/registration

A rejected model is not registered and the step still succeeds (a model that is not better is a
normal outcome of scheduled training). A missing or malformed decision is an error: nothing is
registered. Writes registration.json: {"registered": bool, "model_name", "version", "reason"}.
The registered version carries tags: every test metric (the gate reads `roc_auc` back from the
next champion), data_asset, git_sha, pipeline_run_id and the gate's bar and champion version.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import mlflow
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from . import gate, tracking
from .evaluate import METRICS_FILE_NAME

REGISTRATION_FILE_NAME = "registration.json"
MODEL_ARTIFACT_PATH = "model"
MLMODEL_FILE_NAME = "MLmodel"  # the file that makes a folder an MLflow model


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="folder of the new MLflow model")
    parser.add_argument("--metrics", required=True, help="metrics.json, or the folder that holds it")
    parser.add_argument("--decision", required=True, help="decision.json, or the folder that holds it")
    parser.add_argument("--model-name", required=True, help="registered model name")
    parser.add_argument("--data-asset", required=True, help="training data asset as name:version")
    parser.add_argument("--git-sha", required=True, help="commit the pipeline was submitted from")
    parser.add_argument("--registration-output", required=True, help="a .json file, or a folder")
    return parser.parse_args(argv)


def read_metrics(path: str | Path) -> dict[str, float]:
    path = Path(path)
    return json.loads((path if path.suffix == ".json" else path / METRICS_FILE_NAME).read_text())


def lineage_tags(
    metrics: dict[str, float], decision: dict[str, Any], data_asset: str, git_sha: str
) -> dict[str, str]:
    """Tags that tie a registered version to its data, code, scores and gate decision."""
    name, _, version = data_asset.partition(":")
    tags = {metric: str(value) for metric, value in metrics.items()}
    tags.update(
        data_asset=data_asset,
        data_asset_name=name,
        data_asset_version=version,
        git_sha=git_sha,
        gate_bar=str(decision.get("bar")),
        gate_champion_version=str(decision.get("champion_version")),
    )
    return tags


def register(model_dir: Path, model_name: str, tags: dict[str, str]) -> ModelVersion:
    """Log the model folder to this step's run and register a version whose source is that folder.

    The version is created from the run's artifact URI (what MLflow 2's register_model did) rather
    than with MLflow 3's `mlflow.register_model("runs:/<id>/model")`, which first looks for the
    MLmodel file by listing the run's artifacts: azureml-mlflow's artifact repository lists them from
    the run root, so inside Azure ML it never finds it and raises "Unable to find a logged_model".
    """
    if not (model_dir / MLMODEL_FILE_NAME).is_file():
        raise SystemExit(f"register: {model_dir}: not an MLflow model (no {MLMODEL_FILE_NAME} file)")
    client = MlflowClient()
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(model_dir), artifact_path=MODEL_ARTIFACT_PATH)
        tags = {**tags, "pipeline_run_id": tracking.pipeline_run_id(run), "source_run_id": run.info.run_id}
        mlflow.set_tags({"registered_model": model_name})
        ensure_registered_model(client, model_name)
        source = mlflow.get_artifact_uri(MODEL_ARTIFACT_PATH)
        return client.create_model_version(model_name, source, run_id=run.info.run_id, tags=tags)


def ensure_registered_model(client: MlflowClient, model_name: str) -> None:
    """Create the registered model on its first version; an existing one is fine (and not a race)."""
    try:
        client.create_registered_model(model_name)
    except MlflowException as exc:
        if exc.error_code not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
            raise


def write_registration(outcome: dict[str, Any], output: str | Path) -> Path:
    output = Path(output)
    target = output if output.suffix == ".json" else output / REGISTRATION_FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(outcome, indent=2) + "\n")
    return target


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tracking.configure()
    decision = gate.read_decision(args.decision)
    approved = gate.is_approved(decision, args.model_name)
    if approved:
        tags = lineage_tags(read_metrics(args.metrics), decision, args.data_asset, args.git_sha)
        version = register(Path(args.model), args.model_name, tags)
        outcome = {"registered": True, "model_name": args.model_name, "version": str(version.version),
                   "reason": decision.get("reason")}
    else:
        outcome = {"registered": False, "model_name": args.model_name, "version": None,
                   "reason": decision.get("reason")}
    write_registration(outcome, args.registration_output)
    print(f"register: {json.dumps(outcome)}")


if __name__ == "__main__":
    main()
