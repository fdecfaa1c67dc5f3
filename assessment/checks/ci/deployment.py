"""Checks that CI deploys a registered model (MLL-302), smoke-tests the endpoint (MLL-307), checks the
candidate's metrics before the release (part of MLL-320), rolls a failed rollout back (MLL-308) and
releases through environments or an approval (MLL-309). Which model a step deploys is decided in
models.py, where it deploys in environments.py."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.ci import environments as envs
from mlops_ladder.assessment.checks.ci import models
from mlops_ladder.assessment.checks.ci.common import (
    K,
    action_ref,
    calls_in,
    looked_at,
    module_of,
    reachable_modules,
    runs_on_failure,
    scripts_calling,
    trigger_names,
    where_of,
)
from mlops_ladder.assessment.checks.text import name_list, plural
from mlops_ladder.assessment.evidence.repo.ci.model import CiAction, RemoteCall

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

SDK_INVOKE_CALLS = ("online_endpoints.invoke", "batch_endpoints.invoke")
SDK_ROLLBACK_CALLS = ("online_deployments.begin_delete", "online_endpoints.begin_create_or_update")
# A metric of a run read by a script: SDK v1 Run.get_metrics, MLflow runs and metric history
METRIC_READS = ("get_metrics", "get_metric_history", "search_runs", "get_metric")
_RELEASE_KINDS = (K.DEPLOY_MODEL, K.SHIFT_TRAFFIC, K.REGISTER_MODEL, K.SHARE_MODEL)


def _model_deployments(repo: RepoEvidence) -> list[CiAction]:
    """Steps that create or update a model deployment (from a deployment YAML, the CLI, an SDK script)."""
    scripts = [a for a in repo.ci.of_kind(K.RUN_PYTHON) if models.sdk_deploys(repo, a)]
    return repo.ci.of_kind(K.DEPLOY_MODEL) + scripts


def _remote(repo: RepoEvidence) -> list[RemoteCall]:
    return repo.ci.unknown_remote_calls()


def _remote_unknown(calls: list[RemoteCall], what: str) -> CheckResult:
    call = calls[0]
    return unknown(
        f"{what} by an unknown remote workflow `{call.reference}` ({call.pipeline}, job {call.job}): "
        "cannot tell",
        refs((c.location, c.reference) for c in calls),
    )


def ci_deploys_model(repo: RepoEvidence) -> CheckResult:
    """Does CI/CD deploy a registered model (not a model file that was never registered)?"""
    verdicts = [(a, *models.deployed_model(repo, a)) for a in _model_deployments(repo)]
    registered = [(a, what) for a, verdict, what in verdicts if verdict == models.YES]
    if registered:
        action, what = registered[0]
        return passed(
            f"{where_of(action)} {what} ({trigger_names(action.triggers)})",
            refs(action_ref(a, what) for a, what in registered),
        )
    maybe = [(a, what) for a, verdict, what in verdicts if verdict == models.UNKNOWN]
    if maybe:
        action, what = maybe[0]
        return unknown(f"{where_of(action)} {what}", refs(action_ref(a, what) for a, what in maybe))
    if _remote(repo):
        return _remote_unknown(_remote(repo), "a model may be deployed")
    if verdicts:
        return failed(
            "CI deploys, but no registered model: "
            + "; ".join(f"{where_of(a)} {what}" for a, _, what in verdicts[:3]),
            refs(action_ref(a, what) for a, _, what in verdicts),
        )
    written = repo.azureml.of_kind(*models.DEPLOYMENT_KINDS)
    if written:
        return failed(
            f"the deployment YAML {name_list(a.path for a in written)} is not deployed by any CI step "
            f"(az ml online-deployment|batch-deployment create --file); {looked_at(repo)}",
            refs((a.location, "deployment YAML") for a in written),
        )
    return failed(
        "no CI step creates or updates a model deployment (az ml online-deployment|batch-deployment create "
        f"--file, az ml model deploy, or an SDK script); {looked_at(repo)}"
    )


def _rollout_steps(repo: RepoEvidence) -> list[CiAction]:
    """Deployments and traffic shifts (not rollbacks): what a smoke test follows and a rollback undoes."""
    steps = _model_deployments(repo) + repo.ci.of_kind(K.SHIFT_TRAFFIC)
    return [a for a in steps if not runs_on_failure(a.condition)]


def _invokes(repo: RepoEvidence) -> list[CiAction]:
    """Steps that call the deployed model: az ml ... invoke, an HTTP call to the scoring URI, an SDK script
    (azure-ai-ml invoke; SDK v1 Webservice.run or an HTTP call in code that uses a Webservice)."""
    found = repo.ci.of_kind(K.INVOKE_ENDPOINT) + scripts_calling(repo, *SDK_INVOKE_CALLS)
    for action in repo.ci.of_kind(K.RUN_PYTHON):
        module = module_of(repo, action)
        modules = reachable_modules(repo, module) if module else []
        webservice = [m for m in modules if any("Webservice" in name for name in m.imports)]
        calls = calls_in(webservice, "requests.post", "urlopen", "service.run", "Webservice.run")
        if calls and action not in found:
            found.append(action)
    return found


def ci_smoke_tests_endpoint(repo: RepoEvidence) -> CheckResult:
    """Does a CI step call the deployed endpoint after the deployment, and fail the run when it fails?"""
    rollouts = _rollout_steps(repo)
    if not rollouts:
        return failed(f"no CI step deploys a model, so none smoke-tests it; {looked_at(repo)}")
    invokes = _invokes(repo)
    gating = [a for a in invokes if not a.continue_on_error and not runs_on_failure(a.condition)]
    for invoke in gating:
        for rollout in rollouts:
            same_script = invoke is rollout and invoke.kind is K.RUN_PYTHON
            if same_script or repo.ci.runs_after(invoke, rollout):
                return passed(
                    f"{where_of(invoke)} invokes the endpoint ({invoke.command}) after the deployment at "
                    f"{rollout.location}",
                    refs([action_ref(invoke, "smoke test"), action_ref(rollout, "deployment")]),
                )
    ignored = [a for a in invokes if a not in gating]
    if ignored:
        return failed(
            f"{where_of(ignored[0])} invokes the endpoint, but its failure is ignored or it runs only when "
            "something failed, so a broken deployment does not fail the release",
            refs(action_ref(a) for a in ignored + rollouts),
        )
    if invokes:
        return failed(
            f"CI invokes an endpoint ({name_list(where_of(a) for a in invokes)}), but not after a deployment "
            "step in the same run",
            refs(action_ref(a) for a in invokes + rollouts),
        )
    if _remote(repo):
        return _remote_unknown(_remote(repo), "the endpoint may be tested")
    return failed(
        f"CI deploys ({name_list(where_of(a) for a in rollouts)}) but no later step invokes the endpoint",
        refs(action_ref(a) for a in rollouts),
    )


def _metric_checks(repo: RepoEvidence) -> list[CiAction]:
    """Steps that check a model's metric against a threshold: a script step comparing a metric it reads
    and exiting non-zero, or a Python script that reads a run's metrics (an assertion script)."""
    scripts = [
        a
        for a in repo.ci.of_kind(K.RUN_PYTHON)
        if (module := module_of(repo, a)) is not None
        and calls_in(reachable_modules(repo, module), *METRIC_READS)
    ]
    return repo.ci.of_kind(K.ASSERT_METRICS) + scripts


def ci_asserts_model_metrics(repo: RepoEvidence) -> CheckResult:
    """Does a CI step check the candidate model's metrics and stop the release before it is deployed,
    registered or promoted?"""
    checks = _metric_checks(repo)
    # Release steps in order, CI commands first; read lazily (a helper script many steps run can hold
    # release commands for each of them) and only until the first that runs after a check.
    scripts = [a for a in _model_deployments(repo) if a.kind is K.RUN_PYTHON]
    releases = (repo.ci.of_kind(*_RELEASE_KINDS), scripts)
    gating = [a for a in checks if not a.continue_on_error]
    for check in gating:
        after = itertools.chain.from_iterable(repo.ci.running_after(steps, check) for steps in releases)
        later = next((r for r in after if not runs_on_failure(r.condition)), None)
        if later is not None:
            return passed(
                f"{where_of(check)} checks the model's metrics ({check.command}) before "
                f"{later.kind.value} at {later.location}",
                refs([action_ref(check, "metric check"), action_ref(later, "release step")]),
            )
    if gating:
        return failed(
            f"{where_of(gating[0])} checks the model's metrics, but no deployment, registration or promotion "
            "runs after it in the same run",
            refs(action_ref(a) for a in gating),
        )
    if checks:
        return failed(
            f"{where_of(checks[0])} checks the model's metrics, but its failure is ignored "
            "(continue on error)",
            refs(action_ref(a) for a in checks),
        )
    if _remote(repo):
        return _remote_unknown(_remote(repo), "the model's metrics may be checked")
    return failed(
        "no CI step compares the candidate model's metrics with a threshold and fails before the release; "
        f"{looked_at(repo)}"
    )


def ci_rolls_back_on_failure(repo: RepoEvidence) -> CheckResult:
    """Does a step that runs when the rollout fails restore traffic or delete the new deployment?"""
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
            "never in a step that runs on failure (if: failure(), condition: failed(), when: on_failure)",
            refs(action_ref(a) for a in candidates),
        )
    return failed("CI deploys models, but no step restores traffic or deletes the new deployment on failure")


def ci_promotes_through_environments(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    """Do releases go through more than one environment, or wait for an approval before production?"""
    rollouts = _rollout_steps(repo)
    if not rollouts:
        if _remote(repo):
            return _remote_unknown(_remote(repo), "models may be released")
        return failed(f"no CI step deploys a model; {looked_at(repo)}")
    found = envs.environments(rollouts)
    evidence = refs((a.location, f"deploys in environment {name}") for name, a in found.items())
    if len(found) >= min_environments:
        return passed(
            f"deploy steps run in {len(found)} environments: "
            + ", ".join(f"{name} ({where_of(a)})" for name, a in found.items()),
            evidence,
        )
    production = [(name, a) for name, a in found.items() if envs.is_production(name)]
    if production:
        name, action = production[0]
        return passed(
            f"{where_of(action)} deploys in the environment {name}, which holds the approval before "
            "production (its required reviewers are set outside the repository)",
            evidence,
        )
    approved = envs.approved_before(repo, rollouts)
    if approved:
        approval, step = approved[0]
        return passed(
            f"{where_of(step)} deploys after the manual approval {approval.command} ({approval.location})",
            refs([action_ref(approval, "approval"), action_ref(step, "deployment")]),
        )
    configured = envs.per_environment_files(rollouts)
    if configured:
        return passed(
            "deploy steps of one pipeline read per-environment variable files: "
            + ", ".join(f"{files} ({where_of(a)})" for files, a in configured),
            refs(action_ref(a, f"variables from {files}") for files, a in configured),
        )
    at_run_time = envs.named_at_run_time(rollouts)
    if at_run_time:
        return unknown(
            "deploy steps run in environments named at run time "
            f"({name_list(a.environment or '' for a in at_run_time)})",
            refs(action_ref(a) for a in at_run_time),
        )
    if _remote(repo):
        return _remote_unknown(_remote(repo), "models may be released in other environments")
    names = name_list(found) if found else "none"
    return failed(
        f"deploy steps run in {plural(len(found), 'named environment')} ({names}), none named like "
        f"production, and no approval step; promotion needs at least {min_environments} environments "
        "(GitHub environments, Azure DevOps deployment jobs or per-environment variables, GitLab "
        "environments)",
        evidence or refs(action_ref(a, "deploys outside any environment") for a in rollouts),
    )


CHECKS = (
    ci_deploys_model,
    ci_smoke_tests_endpoint,
    ci_asserts_model_metrics,
    ci_rolls_back_on_failure,
    ci_promotes_through_environments,
)
