"""What Azure ML SDK v1 / CLI v1 configuration files say.

- A run configuration (`*.runconfig`, used by `az ml run submit-script -c` and
  `RunConfiguration.load`): the script it runs, its environment (a conda file, a Docker base image
  or Dockerfile, or a registered environment by name) and its `data:` inputs (registered datasets
  by name and version, or datastore paths).
- An environment folder (`azureml_environment.json`, read by `Environment.load_from_directory`):
  the conda file and Dockerfile it is built from.
- Deployment configurations (`computeType: ACI|AKS`) and inference configurations
  (`entryScript:`) of `az ml model deploy`.

Paths in a run configuration are relative to the project folder the run is submitted from, which
is the folder holding the configuration folder (`.azureml/`, `aml_config/`, `config/`) or the
configuration's own folder; candidates are returned in that order. A path that begins with `/` is
relative to the repository root (the working folder of the CLI and of the Azure/aml-* actions).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset
from mlops_ladder.assessment.evidence.repo.azureml.values import node_line

V1_CONDA_FILE = "conda_dependencies.yml"  # the file Environment.load_from_directory reads
V1_DOCKERFILE = "BaseDockerfile"


def _project_folders(asset: AmlAsset) -> list[str]:
    folder = posixpath.dirname(asset.path)
    parent = posixpath.dirname(folder)
    return list(dict.fromkeys([parent, folder]))


def _candidates(asset: AmlAsset, relative: str) -> list[str]:
    return candidate_paths(relative, _project_folders(asset))


def candidate_paths(relative: str, folders: list[str]) -> list[str]:
    """Repo paths *relative* can be, joined to each of *folders* in turn; one written from `/` is
    relative to the repository root. Paths that leave the repository are dropped."""
    relative = relative.strip().replace("\\", "/")
    if not relative:
        return []
    if relative.startswith("/"):
        folders, relative = [""], relative.lstrip("/")
    found = [posixpath.normpath(posixpath.join(base, relative)) for base in folders]
    return [path for path in dict.fromkeys(found) if not path.startswith("../") and path != ".."]


def run_config_scripts(asset: AmlAsset) -> list[str]:
    """Repo paths the run configuration's `script:` can be, most likely first."""
    script = asset.data.get("script")
    return _candidates(asset, script) if isinstance(script, str) else []


@dataclass(frozen=True)
class V1Environment:
    """How a run configuration's `environment:` is built."""

    conda_files: tuple[str, ...]  # candidate repo paths of its conda file
    dockerfile: bool  # an inline base Dockerfile
    image: str | None  # the Docker base image
    name: str | None  # the environment's name (a registered or curated one when nothing else is given)
    line: int


def run_config_environment(asset: AmlAsset) -> V1Environment | None:
    environment = asset.data.get("environment")
    if not isinstance(environment, dict):
        return None
    python = environment.get("python")
    docker = environment.get("docker")
    conda = python.get("condaDependenciesFile") if isinstance(python, dict) else None
    image = docker.get("baseImage") if isinstance(docker, dict) else None
    dockerfile = docker.get("baseDockerfile") if isinstance(docker, dict) else None
    name = environment.get("name")
    return V1Environment(
        conda_files=tuple(_candidates(asset, conda)) if isinstance(conda, str) else (),
        dockerfile=isinstance(dockerfile, str) and bool(dockerfile.strip()),
        image=str(image).strip() if isinstance(image, str) and image.strip() else None,
        name=str(name).strip() if isinstance(name, str) and name.strip() else None,
        line=node_line(asset.data, "environment"),
    )


@dataclass(frozen=True)
class V1DataInput:
    """A `data:` input of a run configuration: a registered dataset or a datastore path."""

    name: str
    dataset: str | None  # the registered dataset's name (or id)
    version: str | None  # its version, when given
    datastore: str | None  # the datastore of a datapath input
    line: int


def run_config_data(asset: AmlAsset) -> list[V1DataInput]:
    data = asset.data.get("data")
    if not isinstance(data, dict):
        return []
    found = []
    for name, spec in data.items():
        location = spec.get("dataLocation") if isinstance(spec, dict) else None
        if not isinstance(location, dict):
            continue
        dataset, datapath = location.get("dataset"), location.get("datapath")
        line = node_line(spec, "dataLocation")
        if isinstance(dataset, dict) and (dataset.get("name") or dataset.get("id")):
            version = dataset.get("version")
            found.append(V1DataInput(
                str(name), str(dataset.get("name") or dataset.get("id")),
                None if version is None or isinstance(version, bool) else str(version), None, line,
            ))
        elif isinstance(datapath, dict) and datapath.get("datastoreName"):
            found.append(V1DataInput(str(name), None, None, str(datapath["datastoreName"]), line))
    return found


def v1_environment_files(asset: AmlAsset) -> tuple[list[str], list[str]]:
    """(conda files, Dockerfiles) an environment folder (`azureml_environment.json`) can be built from:
    the files `Environment.load_from_directory` reads beside it, and a conda file the JSON names."""
    folder = posixpath.dirname(asset.path)
    python = asset.data.get("python")
    named = python.get("condaDependenciesFile") if isinstance(python, dict) else None
    conda = [posixpath.join(folder, V1_CONDA_FILE)] if folder else [V1_CONDA_FILE]
    if isinstance(named, str) and named.strip():
        conda.insert(0, posixpath.normpath(posixpath.join(folder, named.strip())))
    docker = asset.data.get("docker")
    inline = docker.get("baseDockerfile") if isinstance(docker, dict) else None
    dockerfiles = [posixpath.join(folder, V1_DOCKERFILE) if folder else V1_DOCKERFILE]
    if isinstance(inline, str) and inline.strip():
        dockerfiles.insert(0, asset.path)  # the Dockerfile text is in the JSON itself
    return conda, dockerfiles


def v1_compute_type(asset: AmlAsset) -> str | None:
    """`computeType` of a deployment configuration (ACI, AKS...)."""
    value: Any = asset.data.get("computeType")
    return str(value).strip() if isinstance(value, str) and value.strip() else None


def v1_entry_script(asset: AmlAsset) -> str | None:
    """`entryScript` of an inference configuration."""
    value: Any = asset.data.get("entryScript")
    return str(value).strip() if isinstance(value, str) and value.strip() else None
