"""Amazon SageMaker: SDK pipelines and jobs in Python, endpoints and monitors in CloudFormation / CDK.

From the Python facts (calls resolved through imports, `sagemaker.*`):
* a module that builds a `sagemaker.workflow.pipeline.Pipeline` is a PlatformJob (its code: the
  module and the step scripts it names, `code="preprocess.py"`);
* `image_uri=` / `framework_version=` on estimators and processors, or `image_uris.retrieve`,
  define the environment;
* `metric_definitions=`, a `PropertyFile` (evaluation report), `ModelMetrics`, SageMaker
  Experiments (`Run`, `load_run`) track metrics;
* `RegisterModel`, `model.register(...)`, `create_model_package` register a model;
* a `ConditionStep` in a module that registers is a quality gate before registration;
* `pipeline.upsert` with `pipeline.start`, or `start_pipeline_execution`, submit a pipeline;
* `.deploy(...)` on a model or estimator, `create_endpoint` deploy one (online); `Transformer`
  scoring is a batch deployment; `DataCaptureConfig` collects inputs and outputs; model monitors
  (`DefaultModelMonitor`, `ModelQualityMonitor`, `create_monitoring_schedule`) and
  `QualityCheckStep` / `ClarifyCheckStep` monitor;
* S3 URIs named in `ProcessingInput`, `TrainingInput` or pipeline parameters are data sources.

From infrastructure code (CloudFormation, CDK, Terraform `aws_sagemaker_*`): endpoints
(`AWS::SageMaker::Endpoint`; `DataCaptureConfig` on its EndpointConfig), monitoring schedules,
CloudWatch alarms, and EventBridge rules with a schedule or an event pattern that start a
SageMaker pipeline.
"""

from __future__ import annotations

from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    FactKind,
    Platform,
    PlatformEvidence,
    PlatformFact,
    PlatformJob,
)
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule

P = Platform.SAGEMAKER
K = FactKind
# Steps and calls that train: the checks ask a pipeline module for them.
TRAINING_CALLS = (
    "workflow.steps.TrainingStep",
    "workflow.steps.TuningStep",
    "estimator.Estimator.fit",
    "workflow.automl_step.AutoMLStep",
)
_REGISTRATIONS = ("step_collections.RegisterModel", "create_model_package")
_TRACKING = (
    "workflow.properties.PropertyFile",
    "model_metrics.ModelMetrics",
    "experiments.run.Run",
    "experiments.load_run",
    "experiments.Run",
)
_MONITORS = (
    "model_monitor.DefaultModelMonitor",
    "model_monitor.ModelQualityMonitor",
    "model_monitor.ModelBiasMonitor",
    "model_monitor.ModelExplainabilityMonitor",
    "create_monitoring_schedule",
    "quality_check_step.QualityCheckStep",
    "clarify_check_step.ClarifyCheckStep",
)
_IAC_FACTS = {  # resource type -> (fact kind, what)
    "aws::sagemaker::endpoint": (K.DEPLOYMENT, "SageMaker endpoint"),
    "aws_sagemaker_endpoint": (K.DEPLOYMENT, "SageMaker endpoint"),
    "aws::sagemaker::monitoringschedule": (K.MONITOR, "monitoring schedule"),
    "aws_sagemaker_monitoring_schedule": (K.MONITOR, "monitoring schedule"),
    "aws::cloudwatch::alarm": (K.ALERT, "CloudWatch alarm"),
    "aws_cloudwatch_metric_alarm": (K.ALERT, "CloudWatch alarm"),
}


def collect(python: PythonEvidence, resources: list[Resource], evidence: PlatformEvidence) -> None:
    # A driver script may get its pipeline from another module and only upsert and start it.
    upserting = {id(m) for m, _ in python.calls_ending("upsert", include_tests=False)}
    for module in python.code_modules:
        if module.imports_any("sagemaker") or (id(module) in upserting and module.calls_ending("start")):
            _module(module, evidence)
    for resource in resources:
        _resource(resource, resources, evidence)


def _fact(kind: FactKind, module: PythonModule, call: Call, detail: str, **flags: bool) -> PlatformFact:
    return PlatformFact(P, kind, Location(module.path, call.line), detail, (module.path,), **flags)


def _module(module: PythonModule, evidence: PlatformEvidence) -> None:
    calls = module.calls
    pipeline = module.calls_ending("workflow.pipeline.Pipeline")
    if pipeline:
        scripts = sorted(ref for ref in module.file_refs if not ref.startswith(("/", "s3:")))
        evidence.jobs.append(
            PlatformJob(
                P,
                f"SageMaker Pipeline in {module.path}",
                Location(module.path, pipeline[0].line),
                module.path,
                (module.path, *scripts),
                _environment(calls),
                None,
            )
        )
    for call in calls:
        name, keywords = call.name, call.keywords
        if "image_uri" in keywords or "framework_version" in keywords or call.endswith("image_uris.retrieve"):
            what = call.string_args[0] if call.endswith("image_uris.retrieve") and call.string_args else name
            evidence.facts.append(
                _fact(K.ENVIRONMENT, module, call, f"{what} image or framework version as code")
            )
        if "metric_definitions" in keywords or any(call.endswith(s) for s in _TRACKING):
            evidence.facts.append(
                _fact(K.TRACKING, module, call, f"{name.rpartition('.')[2]} records metrics")
            )
        if any(call.endswith(s) for s in _REGISTRATIONS) or (
            call.name.endswith(".register") and "model_package_group_name" in keywords
        ):
            evidence.facts.append(_fact(K.REGISTRATION, module, call, f"{name} registers the model"))
        if call.endswith("condition_step.ConditionStep") and module.calls_ending(*_REGISTRATIONS):
            evidence.facts.append(
                _fact(
                    K.GATE,
                    module,
                    call,
                    "ConditionStep on evaluation metrics decides whether the model is registered",
                )
            )
        if call.name.endswith((".upsert", ".start_pipeline_execution")) or (
            call.name.endswith(".start") and module.calls_ending("upsert")
        ):
            evidence.facts.append(_fact(K.SUBMISSION, module, call, f"{name} starts a SageMaker pipeline"))
        if (call.name.endswith(".deploy") and "initial_instance_count" in keywords) or call.endswith(
            "create_endpoint"
        ):
            evidence.facts.append(
                _fact(K.DEPLOYMENT, module, call, f"{name} deploys an endpoint", online=True)
            )
        if call.endswith("transformer.Transformer") or call.name.endswith(".transformer"):
            evidence.facts.append(
                _fact(K.DEPLOYMENT, module, call, f"{name}: batch transform with the model")
            )
        if call.endswith("model_monitor.DataCaptureConfig") or "data_capture_config" in keywords:
            evidence.facts.append(_fact(K.DATA_CAPTURE, module, call, "endpoint data capture configured"))
        if any(call.endswith(s) for s in _MONITORS):
            evidence.facts.append(
                _fact(K.MONITOR, module, call, f"{name.rpartition('.')[2]} monitors the model")
            )
        s3 = [a for a in call.string_args if a.startswith("s3://")]
        if s3 and call.name.endswith(("ProcessingInput", "TrainingInput", "ParameterString")):
            evidence.facts.append(
                _fact(K.DATA_SOURCE, module, call, f"{name.rpartition('.')[2]} reads {s3[0]}")
            )


def _environment(calls: tuple[Call, ...]) -> str | None:
    for call in calls:
        if call.endswith("image_uris.retrieve"):
            return "image_uris.retrieve(" + ", ".join(call.string_args[:2]) + ")"
        if "image_uri" in call.keywords or "framework_version" in call.keywords:
            return f"{call.name.rpartition('.')[2]} with its image or framework version"
    return None


def _resource(resource: Resource, everything: list[Resource], evidence: PlatformEvidence) -> None:
    kind = resource.type_lower
    where = resource.location
    known = _IAC_FACTS.get(kind)
    if known:
        fact_kind, what = known
        evidence.facts.append(
            PlatformFact(
                P,
                fact_kind,
                where,
                f"{what} {resource.name} ({resource.source})",
                (where.path,),
                online=fact_kind is K.DEPLOYMENT,
                scheduled=fact_kind is K.MONITOR,
            )
        )
    if kind == "aws::sagemaker::endpointconfig":
        properties = resource.body.get("properties") or {}
        if isinstance(properties, dict) and properties.get("DataCaptureConfig"):
            evidence.facts.append(
                PlatformFact(
                    P, K.DATA_CAPTURE, where, f"endpoint config {resource.name} captures data", (where.path,)
                )
            )
    if kind in ("aws::events::rule", "aws::scheduler::schedule"):
        properties = resource.body.get("properties") or {}
        text = repr(properties)
        if (
            isinstance(properties, dict)
            and "SageMakerPipelineParameters" in text
            and (properties.get("ScheduleExpression") or "EventPattern" in properties)
        ):
            trigger = "schedule" if properties.get("ScheduleExpression") else "event"
            evidence.facts.append(
                PlatformFact(
                    P,
                    K.SCHEDULE,
                    where,
                    f"{resource.type} {resource.name} starts a SageMaker pipeline on a {trigger}",
                    (where.path,),
                    scheduled=True,
                )
            )
