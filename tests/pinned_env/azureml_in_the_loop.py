"""Run a generated project's pipeline steps with azureml-mlflow's artifact repository in the loop.

Executed by the Python of a virtual environment that holds exactly the pip pins of the project's
Azure ML environment (mlops/azureml/train/conda.yml), never imported by the suite itself:

    <venv>/bin/python azureml_in_the_loop.py <module> [args...]

Inside an Azure ML job every run artifact goes through azureml-mlflow's
`AzureMLflowArtifactRepository` (registered for `azureml://` URIs). Its `list_artifacts(None)` lists
the whole run from the run root, whatever sub-path the repository was opened on: that is what MLflow
3's `register_model("runs:/<id>/model")` trips on. Here the tracking store and model registry are a
local MLflow file store, and azureml-mlflow's repository class serves every `file://` artifact URI.
Only its REST client (`RunArtifactsClient`: upload, download, list the run's files) is replaced by a
stand-in that reads and writes the run's local artifact folder, answering exactly what the service
answers: every file path relative to the run's artifact root. Everything above it (log_artifacts,
list_artifacts, download_artifacts, the path handling) is azureml-mlflow's own code.
"""

from __future__ import annotations

import os
import runpy
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

RUN_ARTIFACT_ROOT = "/artifacts"  # a file store run keeps its artifacts in <run folder>/artifacts


class LocalRunArtifactsClient:
    """The part of azureml-mlflow's RunArtifactsClient its artifact repository uses, on local files.

    `path` is the artifact path the repository was opened on (None for the run root), as
    azureml-mlflow's artifact_uri_decomp derives it from everything after `/artifacts`."""

    def __init__(self, artifact_uri: str) -> None:
        local = unquote(urlparse(artifact_uri).path)
        head, marker, tail = local.rpartition(RUN_ARTIFACT_ROOT)
        if not marker:
            raise ValueError(f"not a run artifact URI: {artifact_uri}")
        self.root = Path(head + marker)
        self.path = tail.strip("/") or None

    def get_file_paths(self):
        if not self.root.is_dir():
            return iter(())
        return (p.relative_to(self.root).as_posix() for p in sorted(self.root.rglob("*")) if p.is_file())

    def upload_file(self, local_path: str, artifact_path: str) -> None:
        target = self.root / artifact_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local_path, target)

    def upload_dir(self, local_dir: str, artifact_path: str) -> None:
        for source in sorted(Path(local_dir).rglob("*")):
            if source.is_file():
                self.upload_file(str(source), f"{artifact_path}{source.relative_to(local_dir).as_posix()}")

    def download_artifact(self, remote_path: str, local_path: str) -> None:
        Path(local_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.root / remote_path, local_path)


def put_azureml_repository_in_the_loop() -> None:
    import mlflow
    from azureml.mlflow import entry_point_loaders
    from azureml.mlflow._store.artifact import artifact_repo
    from mlflow.store.artifact.artifact_repository_registry import _artifact_repository_registry
    from mlflow.store.artifact.local_artifact_repo import LocalArtifactRepository

    def repository(artifact_uri: str, *args, **kwargs):
        # Run artifacts live on the service in Azure ML; anything else is a local folder there too
        # (a job's mounted inputs), read by MLflow's own local repository.
        if RUN_ARTIFACT_ROOT not in unquote(urlparse(artifact_uri).path):
            return LocalArtifactRepository(artifact_uri, *args, **kwargs)
        return entry_point_loaders.azureml_artifacts_builder(artifact_uri, *args, **kwargs)

    artifact_repo.get_artifact_repository_client = LocalRunArtifactsClient
    _artifact_repository_registry.register("file", repository)
    print(f"azureml_in_the_loop: mlflow-skinny {mlflow.__version__}, artifacts through "
          f"{artifact_repo.AzureMLflowArtifactRepository.__module__}", file=sys.stderr)


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: azureml_in_the_loop.py <module> [args...]")
    if not os.environ.get("MLFLOW_TRACKING_URI", "").startswith("file:"):
        sys.exit("azureml_in_the_loop: set MLFLOW_TRACKING_URI to a local file store (file:///...)")
    put_azureml_repository_in_the_loop()
    module, *args = argv
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
