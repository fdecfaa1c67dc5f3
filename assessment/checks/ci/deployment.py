"""Checks that CI deploys a model from a deployment YAML, smoke-tests the endpoint, rolls a failed
rollout back and promotes through environments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci.common import (
    K,
    action_ref,
    looked_at,
    runs_on_failure,
    scripts_calling,
    trigger_names,
    where_of,
)
from mlops_ladder.assessment.checks.text import name_list, plural
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

DEPLOYMENT_KINDS = (AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)
SDK_DEPLOY_CALLS = ("online_deployments.begin_create_or_update", "batch_deployments.begin_create_or_update")
SDK_INVOKE_CALLS = ("online_endpoints.invoke", "batch_endpoints.invoke")
SDK_ROLLBACK_CALLS = ("online_deployments.begin_delete", "online_endpoints.begin_create_or_update")


def _deployment_files(repo: RepoEvidence, action: CiAction) -> list[str]:
    return [
        path
        for path in action.files
        if (asset := repo.azureml.at(path)) is not None and asset.kind in DEPLOYMENT_KINDS
    ]


def _model_deployments(repo: RepoEvidence) -> list[CiAction]:
    """Steps that create or update a model deployment (from a deployment YAML, or an SDK script)."""
    from_yaml = [a for a in repo.ci.of_kind(K.DEPLOY_MODEL) if _deployment_files(repo, a)]
    return from_yaml + scripts_calling(repo, *SDK_DEPLOY_CALLS)


def ci_deploys_model(repo: RepoEvidence) -> CheckResult:
    deploys = _model_deployments(repo)
    if deploys:
        action = deploys[0]
        what = _deployment_files(repo, action)
        detail = f"deploys {what[0]}" if what else f"runs {action.files[0]}, which deploys with azure-ai-ml"
        return passed(
            f"{where_of(action)} {detail} ({trigger_names(action.triggers)})",
            refs(action_ref(a) for a in deploys),
        )
    attempts = repo.ci.of_kind(K.DEPLOY_MODEL)
    unresolved = [a for a in attempts if any(is_unresolved(f) for f in a.files)]
    if unresolved:
        return unknown(
            f"{where_of(unresolved[0])} deploys {unresolved[0].files[0]}, a file only known at run time",
            refs(action_ref(a) for a in unresolved),
        )
    if attempts:
        targets = name_list(a.files[0] if a.files else "no --file" for a in attempts)
        return failed(
            f"CI creates deployments ({targets}) but not from an online or batch deployment YAML of this "
            "repo",
            refs(action_ref(a) for a in attempts),
        )
    written = repo.azureml.of_kind(*DEPLOYMENT_KINDS)
    if written:
        return failed(
            f"the deployment YAML {name_list(a.path for a in written)} is not deployed by any CI step "
            f"(az ml online-deployment|batch-deployment create --file); {looked_at(repo)}",
            refs((a.location, "deployment YAML") for a in written),
        )
    return failed(
        "no CI step creates or updates a model deployment (az ml online-deployment|batch-deployment create "
        f"--file); {looked_at(repo)}"
    )


def _rollout_steps(repo: RepoEvidence) -> list[CiAction]:
    """Deployments and traffic shifts (not rollbacks): what a smoke test follows and a rollback undoes."""
    steps = repo.ci.of_kind(K.DEPLOY_MODEL, K.SHIFT_TRAFFIC) + scripts_calling(repo, *SDK_DEPLOY_CALLS)
    return [a for a in steps if not runs_on_failure(a.condition)]


def ci_smoke_tests_endpoint(repo: RepoEvidence) -> CheckResult:
    rollouts = _rollout_steps(repo)
    if not rollouts:
        return failed(f"no CI step deploys a model, so none smoke-tests it; {looked_at(repo)}")
    invokes = repo.ci.of_kind(K.INVOKE_ENDPOINT) + scripts_calling(repo, *SDK_INVOKE_CALLS)
    for invoke in invokes:
        for rollout in rollouts:
            same_script = invoke is rollout and invoke.kind is K.RUN_PYTHON
            if same_script or repo.ci.runs_after(invoke, rollout):
                return passed(
                    f"{where_of(invoke)} invokes the endpoint ({invoke.command}) after the deployment at "
                    f"{rollout.location}",
                    refs([action_ref(invoke, "smoke test"), action_ref(rollout, "deployment")]),
                )
    if invokes:
        return failed(
            f"CI invokes an endpoint ({name_list(where_of(a) for a in invokes)}), but not after a deployment "
            "step in the same run",
            refs(action_ref(a) for a in invokes + rollouts),
        )
    return failed(
        f"CI deploys ({name_list(where_of(a) for a in rollouts)}) but no later step invokes the endpoint",
        refs(action_ref(a) for a in rollouts),
    )


def ci_rolls_back_on_failure(repo: RepoEvidence) -> CheckResult:
    candidates = repo.ci.of_kind(K.SHIFT_TRAFFIC, K.DELETE_DEPLOYMENT) + scripts_calling(
        repo, *SDK_ROLLBACK_CALLS
    )
    rollbacks = [a for a in candidates if runs_on_failure(a.condition)]
    if rollbacks:
        action = rollbacks[0]
        return passed(
            f"{where_of(action)} runs `{action.command}` when the rollout fails (condition: "
            f"{action.condition})",
            refs(action_ref(a, f"on failure: {a.command}") for a in rollbacks),
        )
    if not _rollout_steps(repo):
        return failed(
            f"no CI step deploys a model, so nothing rolls a failed rollout back; {looked_at(repo)}"
        )
    if candidates:
        return failed(
            f"CI shifts traffic or deletes deployments ({name_list(where_of(a) for a in candidates)}), but "
            "never in a "
            "step that runs on failure (if: failure(), condition: failed(), when: on_failure)",
            refs(action_ref(a) for a in candidates),
        )
    return failed("CI deploys models, but no step restores traffic or deletes the new deployment on failure")


def ci_promotes_through_environments(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    rollouts = _rollout_steps(repo)
    if not rollouts:
        return failed(f"no CI step deploys a model; {looked_at(repo)}")
    environments: dict[str, CiAction] = {}
    for action in rollouts:
        if action.environment and not is_unresolved(action.environment):
            environments.setdefault(action.environment, action)
    evidence = refs((a.location, f"deploys in environment {name}") for name, a in environments.items())
    if len(environments) >= min_environments:
        return passed(
            f"deploy steps run in {len(environments)} environments: "
            + ", ".join(f"{name} ({where_of(a)})" for name, a in environments.items()),
            evidence,
        )
    named_at_run_time = [a for a in rollouts if a.environment and is_unresolved(a.environment)]
    if named_at_run_time:
        return unknown(
            "deploy steps run in environments named at run time "
            f"({name_list(a.environment or '' for a in named_at_run_time)})",
            refs(action_ref(a) for a in named_at_run_time),
        )
    found = name_list(environments) if environments else "none"
    return failed(
        f"deploy steps run in {plural(len(environments), 'named environment')} ({found}); "
        f"promotion needs at least {min_environments} (GitHub environments, Azure DevOps deployment jobs, "
        "GitLab environments)",
        evidence or refs(action_ref(a, "deploys outside any environment") for a in rollouts),
    )


CHECKS = (
    ci_deploys_model,
    ci_smoke_tests_endpoint,
    ci_rolls_back_on_failure,
    ci_promotes_through_environments,
)
