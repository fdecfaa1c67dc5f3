"""Azure ML CLI v2 YAML files recognised by `$schema` and shape, and SDK v1 / CLI v1 configuration files
(run configurations, environment folders, deployment and inference configurations), filled by collect.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mlops_ladder.assessment.evidence.common import Location


class AmlKind(StrEnum):
    COMMAND_JOB = "command_job"
    PIPELINE_JOB = "pipeline_job"
    SWEEP_JOB = "sweep_job"
    SPARK_JOB = "spark_job"
    AUTOML_JOB = "automl_job"
    COMMAND_COMPONENT = "command_component"
    PIPELINE_COMPONENT = "pipeline_component"
    ENVIRONMENT = "environment"
    DATA = "data"
    MODEL = "model"
    ONLINE_ENDPOINT = "online_endpoint"
    ONLINE_DEPLOYMENT = "online_deployment"
    BATCH_ENDPOINT = "batch_endpoint"
    BATCH_DEPLOYMENT = "batch_deployment"
    JOB_SCHEDULE = "job_schedule"  # schedule with create_job
    MONITOR_SCHEDULE = "monitor_schedule"  # schedule with create_monitor
    COMPUTE = "compute"
    DATASTORE = "datastore"
    REGISTRY = "registry"
    WORKSPACE = "workspace"
    MLTABLE = "mltable"
    FEATURESET_SPEC = "featureset_spec"
    # Azure ML SDK v1 / CLI v1 configuration files (v1files.py reads what they say)
    RUN_CONFIG = "run_configuration"  # *.runconfig, or YAML of that shape: script, target, environment, data
    V1_ENVIRONMENT = "v1_environment"  # azureml_environment.json (Environment.load_from_directory)
    V1_DEPLOYMENT_CONFIG = "v1_deployment_config"  # deploymentconfig with computeType ACI / AKS
    V1_INFERENCE_CONFIG = "v1_inference_config"  # inferenceconfig with entryScript
    V1_PIPELINE = "v1_pipeline"  # pipeline YAML of Pipeline.load_yaml / --pipeline-yaml (v1pipeline.py)


@dataclass
class AmlAsset:
    kind: AmlKind
    path: str  # repo-relative POSIX path of the YAML file
    line: int
    name: str | None
    data: dict  # the loaded YAML (a LineDict: use .key_line(key) for lines)

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)


@dataclass(frozen=True)
class CliCommand:
    """An `az ml <group> <verb>` command written in a script file of the repository (scripts.py),
    whether or not CI runs that script."""

    path: str
    line: int
    group: str  # "model", "job", "online-deployment"...
    verb: str  # "create", "register"...
    text: str  # the command, continuation lines joined

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)


@dataclass
class AzureMLEvidence:
    assets: list[AmlAsset] = field(default_factory=list)
    yaml_files_read: int = 0  # YAML files read while looking for assets (for "looked at N files")
    cli_commands: list[CliCommand] = field(default_factory=list)  # `az ml` commands in script files

    def of_kind(self, *kinds: AmlKind) -> list[AmlAsset]:
        return [a for a in self.assets if a.kind in kinds]

    def at(self, path: str) -> AmlAsset | None:
        return next((a for a in self.assets if a.path == path), None)
