"""Core capabilities that the rubric states as alternatives.

An expert accepts "an evaluation gate that can block, *or* a smoke test of the deployed endpoint"
as the quality gate of level 3, and judges any platform by the same capabilities in its own
idioms: training defined as an Azure ML pipeline *or* as a DVC pipeline, a Databricks job, a
SageMaker or Kubeflow pipeline (platforms.py, platform_release.py). Each check here runs the
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

Alternative = tuple[str, Callable[..., CheckResult]]


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


def _azure_or_platform(repo: RepoEvidence, azure: str, platform: str, **azure_params: Any) -> CheckResult:
    return any_of(repo, [("Azure ML", _check(azure, **azure_params)), ("other platforms", _check(platform))])


# -- level 1 -----------------------------------------------------------------------------------------


def data_sources_are_declared(repo: RepoEvidence) -> CheckResult:
    """Are the training data sources declared: Azure ML data assets, DVC with a remote, tables or
    buckets named in a platform job?"""
    return _azure_or_platform(repo, "declares_data_sources", "platform_declares_data_sources")


# -- level 2 -----------------------------------------------------------------------------------------


def training_is_defined_as_code(repo: RepoEvidence, min_steps: int = 2) -> CheckResult:
    """Is training a job or pipeline defined as code, on Azure ML or another platform?"""
    return _azure_or_platform(
        repo, "defines_training_pipeline", "platform_defines_training_job", min_steps=min_steps
    )


def training_environment_is_code(repo: RepoEvidence) -> CheckResult:
    """Is the training environment defined as code, on Azure ML or another platform?"""
    return _azure_or_platform(repo, "defines_training_environment", "platform_defines_training_environment")


def training_runs_are_tracked(repo: RepoEvidence) -> CheckResult:
    """Are runs and metrics tracked: MLflow in the code, or the platform's own tracking?"""
    return any_of(
        repo, [("MLflow", _check("tracks_experiments")), ("other platforms", _check("platform_tracks_runs"))]
    )


def models_are_registered(repo: RepoEvidence) -> CheckResult:
    """Is the model registered from code: MLflow or Azure ML, or the platform's registry?"""
    return any_of(
        repo,
        [
            ("MLflow / Azure ML", _check("registers_models")),
            ("other platforms", _check("platform_registers_models")),
        ],
    )


def training_is_automated(repo: RepoEvidence) -> CheckResult:
    """Is training submitted by automation, on Azure ML or another platform?"""
    return _azure_or_platform(repo, "ci_submits_training_pipeline", "platform_submits_training")


# -- level 3 -----------------------------------------------------------------------------------------


def deployment_is_defined_as_code(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "defines_model_deployment", "platform_defines_deployment")


def ci_deploys_a_model(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "ci_deploys_model", "platform_ci_deploys_model")


def releases_are_promoted(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    return _azure_or_platform(
        repo,
        "ci_promotes_through_environments",
        "platform_promotes_through_environments",
        min_environments=min_environments,
    )


def ci_applies_platform_iac(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "ci_applies_iac", "platform_ci_applies_iac")


def has_quality_gate(repo: RepoEvidence) -> CheckResult:
    """Does something stop a worse model before production: a blocking evaluation gate, a CI smoke
    test of the deployed endpoint, or the platform's gate (a metric condition before registration,
    a champion/challenger comparison)?"""
    return any_of(
        repo,
        [
            ("evaluation gate", _check("has_evaluation_gate")),
            ("smoke test", _check("ci_smoke_tests_endpoint")),
            ("platform gate", _check("platform_has_quality_gate")),
        ],
    )


# -- level 4 -----------------------------------------------------------------------------------------


def inference_data_is_collected(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "collects_inference_data", "platform_collects_inference_data")


def monitor_is_scheduled(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "ci_deploys_monitor", "platform_schedules_monitor")


def monitoring_alerts_are_raised(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "monitoring_raises_alerts", "platform_monitoring_raises_alerts")


def retraining_is_triggered(repo: RepoEvidence) -> CheckResult:
    return _azure_or_platform(repo, "retraining_is_event_triggered", "platform_retrains_on_trigger")


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
