"""Vertex AI and Kubeflow Pipelines (KFP): pipelines, components, registry, prediction, monitoring.

From the Python facts (calls resolved through imports: `kfp.dsl.pipeline`, `google.cloud.aiplatform.*`):
* a function decorated with `@dsl.pipeline` is a PlatformJob; its code is its module and the
  repository modules it imports (the components);
* `@dsl.component(base_image=..., packages_to_install=...)`, container components and custom
  jobs with `container_uri` define the environment;
* `log_metric` on a KFP `Metrics` artifact, `aiplatform.log_metrics` / `start_run`, and imported
  model evaluations (`import_model_evaluation`, `ModelEvaluation`) track metrics;
* `Model.upload`, `ModelUploadOp`, `upload_model`, or a training job run with `model_display_name`
  (the job uploads its model to the registry) register a model;
* a component that reads the current model's evaluation and sets a registry alias
  (`add_version_aliases`) only for a better challenger is a quality gate (champion/challenger);
* `PipelineJob(...).submit()` / `.run()` and `kfp.Client().create_run_from_*` submit a pipeline;
* `endpoint.deploy`, `ModelDeployOp` deploy online; batch prediction (`batch_predict`,
  `create_batch_prediction_job`, `ModelBatchPredictOp`) scores in batch and writes its output;
* model monitoring (`ModelDeploymentMonitoringJob`, a batch prediction's skew or drift config)
  monitors; an `emailAlertConfig` / alert config raises alerts;
* BigQuery reads (`bigquery.Client`, `read_gbq`) and `bq://` / `gs://` URIs are data sources.

From Terraform: `google_vertex_ai_*` resources, Cloud Scheduler jobs (`google_cloud_scheduler_job`)
and Cloud Functions with an event trigger (the scheduler's Pub/Sub message reaches code that
submits pipelines), `google_monitoring_alert_policy` alerts.
"""

from __future__ import annotations

from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.platforms.code import closure
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    FactKind,
    Platform,
    PlatformEvidence,
    PlatformFact,
    PlatformJob,
)
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule

P = Platform.VERTEX
K = FactKind
# Calls that train inside a pipeline: Vertex training jobs and their pipeline ops.
TRAINING_CALLS = (
    "aiplatform.CustomTrainingJob",
    "aiplatform.CustomContainerTrainingJob",
    "aiplatform.CustomPythonPackageTrainingJob",
    "aiplatform.CustomJob",
    "aiplatform.AutoMLTabularTrainingJob",
    "CustomTrainingJobOp",
    "AutoMLTabularTrainingJobRunOp",
    "create_custom_training_job_from_component",
    "create_custom_training_job_op_from_component",
)
_REGISTRATIONS = (
    "Model.upload",
    "ModelUploadOp",
    "upload_model",
    "Model.upload_xgboost_model_file",
    "Model.upload_scikit_learn_model_file",
    "Model.upload_tensorflow_saved_model",
)
_TRACKING = (
    "log_metric",
    "log_metrics",
    "log_confusion_matrix",
    "log_roc_curve",
    "aiplatform.start_run",
    "import_model_evaluation",
    "ModelEvaluation",
    "ModelImportEvaluationOp",
)
_SUBMISSIONS = ("create_run_from_pipeline_package", "create_run_from_pipeline_func", "run_pipeline")
_BATCH = ("batch_predict", "create_batch_prediction_job", "ModelBatchPredictOp", "BatchPredictionJob.create")
_ONLINE = ("ModelDeployOp", "Endpoint.deploy", "Model.deploy", "deploy_model")
_MONITORS = ("ModelDeploymentMonitoringJob", "model_monitoring", "ModelMonitor")
# Words of a batch prediction request (keys of its dict, keyword names) that switch monitoring or alerts on.
_MONITOR_WORDS = (
    "modelMonitoringConfig",
    "model_monitoring_config",
    "monitoring_skew_config",
    "monitoring_drift_config",
    "SkewDetectionConfig",
    "DriftDetectionConfig",
)
_ALERT_WORDS = ("emailAlertConfig", "email_alert_config", "EmailAlertConfig")
_FUNCTIONS = (
    "google_cloudfunctions_function",
    "google_cloudfunctions2_function",
    "google_cloud_run_v2_service",
)
_ROOTS = (
    "kfp", "google.cloud.aiplatform", "google.cloud.aiplatform_v1", "google.cloud.aiplatform_v1beta1",
    "google_cloud_pipeline_components", "google.cloud.bigquery",
)


def collect(
    files: RepoFiles, python: PythonEvidence, resources: list[Resource], evidence: PlatformEvidence
) -> None:
    for module in python.code_modules:
        if module.imports_any(*_ROOTS) or any(
            i.startswith("google.cloud.aiplatform") for i in module.imports
        ):
            _module(files, python, module, evidence)
    # A Cloud Scheduler job reaches code when a function listens to events (its Pub/Sub topic).
    listening = [r for r in resources if r.type_lower in _FUNCTIONS and "event_trigger" in repr(r.body)]
    for resource in resources:
        _resource(resource, bool(listening), evidence)


def _fact(kind: FactKind, module: PythonModule, call: Call, detail: str, **flags: bool) -> PlatformFact:
    return PlatformFact(P, kind, Location(module.path, call.line), detail, (module.path,), **flags)


def _module(
    files: RepoFiles, python: PythonEvidence, module: PythonModule, evidence: PlatformEvidence
) -> None:
    pipelines = module.calls_ending("dsl.pipeline")
    if pipelines:
        code = tuple(m.path for m in closure(python, [module.path]))
        call = pipelines[0]
        name = call.string_args[0] if call.string_args else module.path
        evidence.jobs.append(
            PlatformJob(P, f"pipeline {name}", Location(module.path, call.line), module.path, code)
        )
    names = {c.name.rpartition(".")[2] for c in module.calls}
    for call in module.calls:
        last = call.name.rpartition(".")[2]
        if call.endswith("dsl.component") and {"base_image", "packages_to_install"} & call.keywords:
            image = call.string_args[0] if call.string_args else "its base image"
            evidence.facts.append(
                _fact(K.ENVIRONMENT, module, call, f"KFP component on {image} with its packages")
            )
        elif "container_uri" in call.keywords or call.endswith("dsl.container_component"):
            evidence.facts.append(
                _fact(K.ENVIRONMENT, module, call, f"{last} runs in a container image as code")
            )
        if any(call.endswith(s) for s in _TRACKING):
            evidence.facts.append(_fact(K.TRACKING, module, call, f"{last} records metrics"))
        if any(call.endswith(s) for s in _REGISTRATIONS) or (
            last == "run" and "model_display_name" in call.keywords and module.calls_ending(*TRAINING_CALLS)
        ):
            evidence.facts.append(
                _fact(K.REGISTRATION, module, call, f"{call.name} uploads the model to the registry")
            )
        if last == "add_version_aliases" and ({"get_model_evaluation", "list_model_evaluations"} & names):
            evidence.facts.append(
                _fact(
                    K.GATE,
                    module,
                    call,
                    "the model registry alias moves only to a challenger whose evaluation "
                    "beats the champion's",
                )
            )
        if (last in ("submit", "run") and module.calls_ending("PipelineJob")) or any(
            call.endswith(s) for s in _SUBMISSIONS
        ):
            evidence.facts.append(_fact(K.SUBMISSION, module, call, f"{call.name} submits a pipeline run"))
        if any(call.endswith(s) for s in _BATCH):
            evidence.facts.append(
                _fact(K.DEPLOYMENT, module, call, f"{last}: batch prediction with a registered model")
            )
            text = files.read_text(module.path) or ""
            if any(word in text for word in _MONITOR_WORDS):
                evidence.facts.append(
                    _fact(
                        K.MONITOR,
                        module,
                        call,
                        "batch prediction with model monitoring (skew or drift detection)",
                    )
                )
            if any(word in text for word in _ALERT_WORDS):
                evidence.facts.append(_fact(K.ALERT, module, call, "model monitoring alerts by email"))
        if any(call.endswith(s) for s in _ONLINE):
            evidence.facts.append(
                _fact(K.DEPLOYMENT, module, call, f"{last} deploys the model to an endpoint", online=True)
            )
        if any(call.endswith(s) for s in _MONITORS):
            evidence.facts.append(_fact(K.MONITOR, module, call, f"{last} monitors the deployed model"))
        if (
            call.name.startswith("google.cloud.bigquery") and last in ("Client", "QueryJobConfig")
        ) or last == "read_gbq":
            evidence.facts.append(_fact(K.DATA_SOURCE, module, call, f"{call.name} reads BigQuery"))
        uris = [a for a in call.string_args if a.startswith(("bq://", "gs://"))]
        if uris and last not in ("info", "debug", "warning", "print"):
            evidence.facts.append(_fact(K.DATA_SOURCE, module, call, f"{last} names {uris[0]}"))


def _resource(resource: Resource, listening: bool, evidence: PlatformEvidence) -> None:
    kind = resource.type_lower
    where = resource.location
    if kind == "google_cloud_scheduler_job" and not resource.existing and listening:
        evidence.facts.append(
            PlatformFact(
                P,
                K.SCHEDULE,
                where,
                f"Cloud Scheduler job {resource.name} publishes to a function that listens for it",
                (where.path,),
                scheduled=True,
            )
        )
    elif kind in ("google_vertex_ai_endpoint",) and not resource.existing:
        evidence.facts.append(
            PlatformFact(
                P, K.DEPLOYMENT, where, f"Vertex AI endpoint {resource.name}", (where.path,), online=True
            )
        )
    elif kind == "google_monitoring_alert_policy" and not resource.existing:
        evidence.facts.append(PlatformFact(P, K.ALERT, where, f"alert policy {resource.name}", (where.path,)))
