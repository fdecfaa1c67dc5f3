"""Azure ML CLI v2 YAML files recognised by `$schema` and shape (filled by collect.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mlops_ladder.assessment.evidence.common import Location


class AmlKind(StrEnum):
    COMMAND_JOB = "command_job"
    PIPELINE_JOB = "pipeline_job"
    SWEEP_JOB = "sweep_job"
    SPARK_JOB = "spark_job"
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


@dataclass
class AzureMLEvidence:
    assets: list[AmlAsset] = field(default_factory=list)
    yaml_files_read: int = 0  # YAML files read while looking for assets (for "looked at N files")

    def of_kind(self, *kinds: AmlKind) -> list[AmlAsset]:
        return [a for a in self.assets if a.kind in kinds]

    def at(self, path: str) -> AmlAsset | None:
        return next((a for a in self.assets if a.path == path), None)
