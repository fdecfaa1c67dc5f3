"""Facts about ML platforms other than Azure ML, in their own idioms (filled by collect.py).

Two shapes: a PlatformJob is a job or pipeline defined as code (DVC stages, a Databricks bundle
job, a SageMaker Pipeline, a Kubeflow / Vertex AI pipeline) with the repository files its steps
run; a PlatformFact is one capability found in code or configuration (a data source, a
registration, a deployment, a monitor...), with where it is and what it says. Whether a job
really trains is asked of the Python facts by the checks, not decided here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from mlops_ladder.assessment.evidence.common import Location


class Platform(StrEnum):
    DVC = "DVC"
    DATABRICKS = "Databricks"
    SAGEMAKER = "SageMaker"
    VERTEX = "Vertex AI / Kubeflow"
    DATA_FACTORY = "Azure Data Factory / Synapse"


class FactKind(StrEnum):
    DATA_SOURCE = "data-source"  # where training data comes from: a DVC remote, a table or bucket named
    DATA_VERSION = "data-version"  # a data pipeline writes a new version of its output per run (data asset)
    ENVIRONMENT = "environment"  # a job's environment as code: cluster runtime, image, base image + packages
    TRACKING = "tracking"  # metrics the platform tracks: DVC metrics, metric definitions, KFP Metrics
    REGISTRATION = "registration"  # a model registered: RegisterModel, Model.upload, a training job's upload
    SUBMISSION = "submission"  # code that starts a pipeline: pipeline.upsert + start, PipelineJob.submit
    SCHEDULE = "schedule"  # the platform runs a job on a schedule or event (job schedule, Cloud Scheduler)
    DEPLOYMENT = "deployment"  # serving as code: an endpoint, a batch prediction with a registered model
    GATE = "gate"  # a quality gate: a condition on metrics before registration, champion/challenger
    DATA_CAPTURE = "data-capture"  # production inputs/outputs collected: endpoint data capture, logging
    MONITOR = "monitor"  # a model monitor: a monitoring schedule, skew/drift config, a quality monitor
    ALERT = "alert"  # an alert: an alarm, monitor notifications with recipients


@dataclass(frozen=True)
class PlatformFact:
    platform: Platform
    kind: FactKind
    location: Location
    detail: str  # one line: what was found
    files: tuple[str, ...] = ()  # repo files it concerns (a module, the job file it belongs to)
    online: bool = False  # DEPLOYMENT: an online endpoint (data capture applies), not batch scoring
    scheduled: bool = False  # MONITOR, DEPLOYMENT: the platform itself runs it on a schedule


@dataclass(frozen=True)
class PlatformJob:
    """A job or pipeline defined as code."""

    platform: Platform
    name: str  # the job key, stage file or pipeline name
    location: Location
    definition: str  # the file that defines it (dvc.yaml, a bundle resource file, a pipeline module)
    code: tuple[str, ...] = ()  # repo files its steps run (scripts, modules, notebooks)
    environment: str | None = None  # how its environment is defined, when it is
    schedule: str | None = None  # the platform's own schedule or trigger for it, when it has one
    bundle: str = ""  # Databricks: the databricks.yml of the bundle that holds it


@dataclass(frozen=True)
class Bundle:
    """A Databricks asset bundle: its root configuration and the targets it can be deployed to."""

    config: str  # repo path of databricks.yml
    targets: tuple[str, ...]
    files: tuple[str, ...]  # the configuration files it includes (itself first)
    data_pipelines: tuple[str, ...] = ()  # "job <key>" / "pipeline <key>" that write data (data pipelines)
    modes: tuple[tuple[str, str], ...] = ()  # (target, mode: development | production)


@dataclass
class PlatformEvidence:
    jobs: list[PlatformJob] = field(default_factory=list)
    facts: list[PlatformFact] = field(default_factory=list)
    bundles: list[Bundle] = field(default_factory=list)

    def of_kind(self, *kinds: FactKind) -> list[PlatformFact]:
        return [f for f in self.facts if f.kind in kinds]

    @property
    def platforms(self) -> list[Platform]:
        """The platforms found, in a stable order."""
        seen = {j.platform for j in self.jobs} | {f.platform for f in self.facts}
        return [p for p in Platform if p in seen]
