"""Content digest of a registered model, recorded on the version right after registration.

    python -m <package>.model_digest --registration outputs/registration

Runs in the register step after register.py: when registration.json says a version was registered,
it downloads that version's files back from the registry (the very bytes the release will copy),
computes their digest and tags the version with it (`model_sha256`); registration.json gets it too.
The release workflow (level 3 adds it, with its model_release script) recomputes it from the files
it copies into every next workspace and stops on any difference.

The digest: SHA-256 over the sorted lines "<sha256 of the file>  <path relative to the folder that
holds MLmodel>" of every file of the model. The release's script computes it the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from pathlib import Path

import mlflow
from mlflow import MlflowClient

from . import tracking

DIGEST_TAG = "model_sha256"
REGISTRATION_FILE_NAME = "registration.json"


def model_folder(files: Path) -> Path:
    """The folder that holds MLmodel below *files* (itself when none does)."""
    found = sorted({path.parent for path in files.rglob("MLmodel")}, key=lambda p: (len(p.parts), p))
    if len(found) > 1:
        raise ValueError(f"several MLflow models below {files}")
    return found[0] if found else files


# Files MLflow adds when it downloads a model through a models:/ URI (MLflow 3.15 writes
# registered_model_meta): metadata of the download, not bytes of the model.
DOWNLOAD_METADATA = frozenset({"registered_model_meta"})


def folder_digest(files: Path) -> str:
    root = model_folder(files)
    lines = sorted(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}"
        for path in root.rglob("*") if path.is_file() and path.name not in DOWNLOAD_METADATA
    )
    if not lines:
        raise ValueError(f"no model file below {files}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def record(registration: Path, client: MlflowClient) -> str | None:
    """Tag the registered version with the digest of its files in the registry; None if none was."""
    path = registration if registration.suffix == ".json" else registration / REGISTRATION_FILE_NAME
    outcome = json.loads(path.read_text())
    if not outcome.get("registered"):
        return None
    name, version = outcome["model_name"], str(outcome["version"])
    with tempfile.TemporaryDirectory() as folder:
        uri = client.get_model_version_download_uri(name, version)
        digest = folder_digest(Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=folder)))
    client.set_model_version_tag(name, version, DIGEST_TAG, digest)
    outcome[DIGEST_TAG] = digest
    path.write_text(json.dumps(outcome, indent=2) + "\n")
    return digest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registration", required=True,
                        help="registration.json, or the folder that holds it")
    args = parser.parse_args(argv)
    tracking.configure()
    digest = record(Path(args.registration), MlflowClient())
    print(f"model_digest: {DIGEST_TAG}={digest}" if digest else "model_digest: nothing was registered")


if __name__ == "__main__":
    main()
