"""Find the Azure ML CLI v2 YAML files (and SDK v1 / CLI v1 configuration files) of a repository and say
what each one is.

A YAML file is recognised by its `$schema` or its shape (kinds.py). CI files, well-known tool
configurations and conda environment files are never read here. Of the SDK v1 files, `*.runconfig`
and `azureml_environment.json` are read by name, and JSON files only when their name says they
configure a deployment or inference (`deploymentconfig.json`, `inference-config.json`).

Only files with a top-level key that an asset could have (`$schema:`, `endpoint_name:`,
`type: pipeline`...) are parsed, which keeps large repositories fast. Such a file that does
not parse is noted ("malformed YAML: ..."); other YAML files belong to other tools.
"""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.azureml.kinds import NAMED_FILES, RUN_CONFIG_SUFFIX, kind_of
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.azureml.scripts import collect_cli_commands
from mlops_ladder.assessment.evidence.repo.azureml.values import node_line
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import YamlError, load_yaml

YAML_SUFFIXES = (".yml", ".yaml")

# Folders and file names that hold CI definitions or other tools' configuration, never Azure ML assets.
_SKIPPED_FOLDERS = (
    ".github/", ".gitlab/", ".azure-pipelines/", ".azuredevops/", ".circleci/", ".devcontainer/",
)
_SKIPPED_NAMES = frozenset(
    {
        ".gitlab-ci.yml", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "dependabot.yml", "mkdocs.yml",
        ".readthedocs.yml", ".readthedocs.yaml", "codecov.yml", ".codecov.yml", "compose.yml", "compose.yaml",
        "Chart.yaml", "pnpm-lock.yaml", "conda-lock.yml", ".travis.yml", "appveyor.yml",
        "bitbucket-pipelines.yml", "action.yml", "action.yaml", ".yamllint.yml", ".yamllint.yaml",
    }
)
_SKIPPED_PREFIXES = ("azure-pipelines", "docker-compose")

# A file is parsed only when a top-level key (at the start of a line) could make it an asset: this cheap
# test keeps the many other YAML files of a large repository (Kubernetes, Helm, configs) out of the parser.
# Every shape rule of kinds.py needs one of these keys.
_ASSET_KEYS = "|".join(
    (
        r"\$schema", "endpoint_name", "auth_mode", "create_job", "create_monitor", "conda_file", "build",
        "paths", "computeType", "entryScript", "script", "pipeline",
    )
)
_ASSET_TYPES = "|".join(
    (
        "pipeline", "command", "sweep", "spark", "automl", "uri_file", "uri_folder", "mltable",
        "mlflow_model", "custom_model", "triton_model", "model", "amlcompute", "computeinstance",
        "kubernetes", "azure_blob", "azure_data_lake_gen1", "azure_data_lake_gen2", "azure_file", "one_lake",
    )
)
_MAY_BE_ASSET = re.compile(
    rf"""^['"]?(?:{_ASSET_KEYS})['"]?[ \t]*:|^type:[ \t]*['"]?(?:{_ASSET_TYPES})\b""", re.MULTILINE
)


def _is_named(name: str) -> bool:
    """Files read whatever they hold: known names, run configurations, v1 deployment configuration JSON."""
    if name in NAMED_FILES or name.endswith(RUN_CONFIG_SUFFIX):
        return True
    lowered = name.lower()
    return lowered.endswith(".json") and ("deploy" in lowered or "inference" in lowered) and (
        "config" in lowered
    )


def _is_candidate(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if _is_named(name):
        return True
    if not name.lower().endswith(YAML_SUFFIXES):
        return False
    if name in _SKIPPED_NAMES or name.startswith(_SKIPPED_PREFIXES):
        return False
    return not any(path.startswith(folder) or f"/{folder}" in path for folder in _SKIPPED_FOLDERS)


def collect(files: RepoFiles) -> AzureMLEvidence:
    """Every Azure ML asset YAML of the repository, in path order, and the `az ml` commands of its script
    files (scripts.py). Never raises on bad input."""
    evidence = AzureMLEvidence()
    for repo_file in files.files:
        if not _is_candidate(repo_file.path):
            continue
        text = files.read_text(repo_file.path)
        if text is None:
            continue
        evidence.yaml_files_read += 1
        asset = _read_asset(files, repo_file.path, text)
        if asset is not None:
            evidence.assets.append(asset)
    evidence.cli_commands = collect_cli_commands(files)
    return evidence


def _read_asset(files: RepoFiles, path: str, text: str) -> AmlAsset | None:
    named = _is_named(path.rsplit("/", 1)[-1])
    if not named and _MAY_BE_ASSET.search(text) is None:
        return None
    try:
        data = load_yaml(text)
    except (ValueError, RecursionError) as exc:  # YamlError is a ValueError
        reason = str(exc) if isinstance(exc, YamlError) else "nested too deeply"
        files.note(path, f"malformed YAML: {reason}")
        return None
    if not isinstance(data, dict):
        return None
    kind = kind_of(path, data)
    if kind is None:
        return None
    line = node_line(data, "$schema") if "$schema" in data else node_line(data)
    name = data.get("name")
    return AmlAsset(
        kind=kind,
        path=path,
        line=line or 1,
        name=str(name) if isinstance(name, str | int) and not isinstance(name, bool) else None,
        data=data,
    )
