"""Core capabilities that the rubric states as alternatives.

An expert accepts "an evaluation gate that can block, *or* a smoke test of the deployed endpoint"
as the quality gate of level 3, and judges any platform by the same capabilities in its own
idioms: training defined as an Azure ML pipeline *or* as a DVC pipeline, a Databricks job, a
SageMaker or Kubeflow pipeline (checks/platforms/). Each check here runs the
checks of its alternatives and combines them: the first alternative that passes decides;
alternatives that do not apply are left out; otherwise UNKNOWN when one of them cannot be
decided (never a failure the evidence does not show); otherwise FAIL, saying what each found;
NOT_APPLICABLE when none applies.

Alternatives are named as in the registry and looked up when the check runs, so a check that
moves to another module keeps its place here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import CheckResult, Outcome, failed, not_applicable, unknown

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

Alternative = tuple[str, Callable[..., CheckResult]]  # (label, check)


def any_of(evidence: object, alternatives: list[Alternative]) -> CheckResult:
    """PASS with the first passing alternative; else (leaving out those that do not apply) UNKNOWN if
    one is undecided, else FAIL; NOT_APPLICABLE when none applies."""
    results = [(what, check(evidence)) for what, check in alternatives]
    for what, result in results:
        if result.outcome is Outcome.PASS:
            return CheckResult(Outcome.PASS, f"{what}: {result.found}", result.evidence)
    applying = [(what, r) for what, r in results if r.outcome is not Outcome.NOT_APPLICABLE] or results
    summary = "; ".join(f"{what}: {r.found}" for what, r in applying)
    evidence_refs = tuple(ref for _, r in applying for ref in r.evidence)[:10]
    if all(r.outcome is Outcome.NOT_APPLICABLE for _, r in applying):
        return not_applicable(summary, evidence_refs)
    if any(r.outcome is Outcome.UNKNOWN for _, r in applying):
        return unknown(summary, evidence_refs)
    return failed(summary, evidence_refs)


def _check(name: str, **params: Any) -> Callable[..., CheckResult]:
    """The registered check *name*, with *params*, looked up when it runs."""

    def run(evidence: object) -> CheckResult:
        from mlops_ladder.assessment.checks.registry import CHECKS  # the registry imports this module

        return CHECKS[name](evidence, **params)

    return run


AZURE, PLATFORMS = "Azure ML", "other platforms"
# Each composed check: (label, registered check) for each of its alternatives, in the order tried.
ALTERNATIVES: dict[str, tuple[tuple[str, str], ...]] = {
    "data_sources_are_declared": (
        (AZURE, "declares_data_sources"),
        (PLATFORMS, "platform_declares_data_sources"),
    ),
    "training_is_defined_as_code": (
        (AZURE, "defines_training_pipeline"),
        (PLATFORMS, "platform_defines_training_job"),
    ),
    "training_environment_is_code": (
        (AZURE, "defines_training_environment"),
        (PLATFORMS, "platform_defines_training_environment"),
    ),
    "training_runs_are_tracked": (("MLflow", "tracks_experiments"), (PLATFORMS, "platform_tracks_runs")),
    "models_are_registered": (
        ("MLflow / Azure ML", "registers_models"),
        (PLATFORMS, "platform_registers_models"),
    ),
    "training_is_automated": (
        (AZURE, "ci_submits_training_pipeline"),
        (PLATFORMS, "platform_submits_training"),
    ),
    "deployment_is_defined_as_code": (
        (AZURE, "defines_model_deployment"),
        (PLATFORMS, "platform_defines_deployment"),
    ),
    "ci_deploys_a_model": ((AZURE, "ci_deploys_model"), (PLATFORMS, "platform_ci_deploys_model")),
    "releases_are_promoted": (
        (AZURE, "ci_promotes_through_environments"),
        (PLATFORMS, "platform_promotes_through_environments"),
    ),
    "ci_applies_platform_iac": ((AZURE, "ci_applies_iac"), (PLATFORMS, "platform_ci_applies_iac")),
    "has_quality_gate": (
        ("evaluation gate", "has_evaluation_gate"),
        ("smoke test", "ci_smoke_tests_endpoint"),
        ("CI metric check", "ci_asserts_model_metrics"),
        ("platform gate", "platform_has_quality_gate"),
    ),
    "inference_data_is_collected": (
        (AZURE, "collects_inference_data"),
        (PLATFORMS, "platform_collects_inference_data"),
    ),
    "monitor_is_scheduled": ((AZURE, "ci_deploys_monitor"), (PLATFORMS, "platform_schedules_monitor")),
    "monitoring_alerts_are_raised": (
        (AZURE, "monitoring_raises_alerts"),
        (PLATFORMS, "platform_monitoring_raises_alerts"),
    ),
    "retraining_is_triggered": (
        (AZURE, "retraining_is_event_triggered"),
        (PLATFORMS, "platform_retrains_on_trigger"),
    ),
}


def _compose(name: str, repo: RepoEvidence, **params: Any) -> CheckResult:
    """Run the alternatives of *name*; *params* (the criterion's) go to the first one, whose they are."""
    alternatives = ALTERNATIVES[name]
    return any_of(
        repo,
        [
            (label, _check(check, **(params if i == 0 else {})))
            for i, (label, check) in enumerate(alternatives)
        ],
    )


# -- level 1 -----------------------------------------------------------------------------------------


def data_sources_are_declared(repo: RepoEvidence) -> CheckResult:
    """Are the training data sources declared: Azure ML data assets, DVC with a remote, tables or
    buckets named in a platform job?"""
    return _compose("data_sources_are_declared", repo)


# -- level 2 -----------------------------------------------------------------------------------------


def training_is_defined_as_code(repo: RepoEvidence) -> CheckResult:
    """Is training a job or pipeline defined as code, on Azure ML or another platform?"""
    return _compose("training_is_defined_as_code", repo)


def training_environment_is_code(repo: RepoEvidence) -> CheckResult:
    """Is the training environment defined as code, on Azure ML or another platform?"""
    return _compose("training_environment_is_code", repo)


def training_runs_are_tracked(repo: RepoEvidence) -> CheckResult:
    """Are runs and metrics tracked: MLflow in the code, or the platform's own tracking?"""
    return _compose("training_runs_are_tracked", repo)


def models_are_registered(repo: RepoEvidence) -> CheckResult:
    """Is the model registered from code: MLflow or Azure ML, or the platform's registry?"""
    return _compose("models_are_registered", repo)


def training_is_automated(repo: RepoEvidence) -> CheckResult:
    """Is training submitted by automation, on Azure ML or another platform?"""
    return _compose("training_is_automated", repo)


# -- level 3 -----------------------------------------------------------------------------------------


def deployment_is_defined_as_code(repo: RepoEvidence) -> CheckResult:
    return _compose("deployment_is_defined_as_code", repo)


def ci_deploys_a_model(repo: RepoEvidence) -> CheckResult:
    return _compose("ci_deploys_a_model", repo)


def releases_are_promoted(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    return _compose("releases_are_promoted", repo, min_environments=min_environments)


def ci_applies_platform_iac(repo: RepoEvidence) -> CheckResult:
    return _compose("ci_applies_platform_iac", repo)


def has_quality_gate(repo: RepoEvidence) -> CheckResult:
    """Does something stop a worse model before production: a blocking evaluation gate, a CI smoke
    test of the deployed endpoint, a CI step that checks the model's metrics, or the platform's gate
    (a metric condition before registration, a champion/challenger comparison)?"""
    return _compose("has_quality_gate", repo)


# -- level 4 -----------------------------------------------------------------------------------------


def inference_data_is_collected(repo: RepoEvidence) -> CheckResult:
    return _compose("inference_data_is_collected", repo)


def monitor_is_scheduled(repo: RepoEvidence) -> CheckResult:
    return _compose("monitor_is_scheduled", repo)


def monitoring_alerts_are_raised(repo: RepoEvidence) -> CheckResult:
    return _compose("monitoring_alerts_are_raised", repo)


def retraining_is_triggered(repo: RepoEvidence) -> CheckResult:
    return _compose("retraining_is_triggered", repo)


CHECKS = (
    data_sources_are_declared,
    training_is_defined_as_code,
    training_environment_is_code,
    training_runs_are_tracked,
    models_are_registered,
    training_is_automated,
    deployment_is_defined_as_code,
    ci_deploys_a_model,
    releases_are_promoted,
    ci_applies_platform_iac,
    has_quality_gate,
    inference_data_is_collected,
    monitor_is_scheduled,
    monitoring_alerts_are_raised,
    retraining_is_triggered,
)
