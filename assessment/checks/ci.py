"""Checks over what CI pipelines do (GitHub Actions, Azure DevOps, GitLab CI).

They read CiActions (see evidence/repo/ci/model.py) and join them with the other evidence:
an action counts when its target is the right kind of file of this repository (a pipeline
job YAML, a deployment YAML, a template that declares the workspace...), it runs under the
right triggers, and its failure is not ignored. FAIL means the wired automation is missing;
UNKNOWN means the YAML cannot tell (a file named only at run time, a pull request trigger
that lives in branch policies, a sign-in through a service connection).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import schedule_job_ref
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, Trigger

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

K = ActionKind
T = Trigger

WORKSPACE_TYPE = "microsoft.machinelearningservices/workspaces"
DEPLOYMENT_KINDS = (AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)
SDK_DEPLOY_CALLS = ("online_deployments.begin_create_or_update", "batch_deployments.begin_create_or_update")
SDK_INVOKE_CALLS = ("online_endpoints.invoke", "batch_endpoints.invoke")
SDK_ROLLBACK_CALLS = ("online_deployments.begin_delete", "online_endpoints.begin_create_or_update")
SDK_REGISTER_CALLS = ("components.create_or_update", "environments.create_or_update")
_ON_FAILURE = re.compile(r"(?<![!(])\bfailure\(\)|(?<!not\()\bfailed\(\)|on_failure|^\|\|", re.I)
_IAC_SUFFIXES = (".bicep", ".json", ".tf", ".bicepparam")


# -- small helpers -------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _names(items: Iterable[str], limit: int = 3) -> str:
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _where(action: CiAction) -> str:
    root = action.root_pipeline or action.pipeline
    job = f"job {action.job}" + ("" if root == action.pipeline else f" of {root}")
    return f"{action.pipeline} ({job})"


def _triggers(triggers: Iterable[Trigger]) -> str:
    names = sorted(str(t) for t in triggers)
    return ", ".join(names) if names else "no trigger"


def _ref(action: CiAction, detail: str | None = None) -> tuple[Location, str]:
    return action.location, detail or f"{action.kind}: {action.command}"


def _looked_at(repo: RepoEvidence) -> str:
    pipelines = [p for p in repo.ci.pipelines if not p.is_template]
    if not pipelines:
        return "the repository has no CI pipeline (GitHub Actions, Azure DevOps or GitLab CI)"
    return f"looked at {_plural(len(pipelines), 'CI pipeline')}"


def _module(repo: RepoEvidence, action: CiAction) -> PythonModule | None:
    return repo.python.module_at(action.files[0]) if action.kind is K.RUN_PYTHON and action.files else None


def _scripts_calling(repo: RepoEvidence, *suffixes: str) -> list[CiAction]:
    """RUN_PYTHON actions whose script calls one of *suffixes* (e.g. "jobs.create_or_update")."""
    found = []
    for action in repo.ci.of_kind(K.RUN_PYTHON):
        module = _module(repo, action)
        if module is not None and module.calls_ending(*suffixes):
            found.append(action)
    return found


def runs_on_failure(condition: str | None) -> bool:
    """True for conditions that run a step only when something failed.

    failure() (GitHub), failed() (Azure DevOps), on_failure (GitLab), `a || b` in a script."""
    return bool(condition and _ON_FAILURE.search(condition))


# -- level 1: tests and lint on pull requests ----------------------------------------------


def _runs_on_pull_requests(repo: RepoEvidence, kind: ActionKind, what: str, tools: str) -> CheckResult:
    actions = repo.ci.of_kind(kind)
    on_pr = [a for a in actions if T.PULL_REQUEST in a.triggers]
    gating = [a for a in on_pr if not a.continue_on_error]
    if gating:
        first = gating[0]
        return passed(
            f"{first.command} runs in {_where(first)}, triggered by pull requests",
            refs(_ref(a) for a in gating),
        )
    maybe = [a for a in actions if T.PULL_REQUEST in a.possible_triggers and not a.continue_on_error]
    if maybe:
        first = maybe[0]
        return unknown(
            f"{first.command} runs in {_where(first)} ({_triggers(first.triggers)}); whether it also runs on "
            "pull requests is set outside the YAML (Azure Repos branch policy, GitLab branch pipelines)",
            refs(_ref(a) for a in maybe),
        )
    if on_pr:
        return failed(
            f"{what} on pull requests in {_where(on_pr[0])} but failures are ignored "
            "(continue-on-error, allow_failure, `|| true` or --exit-zero)",
            refs(_ref(a, "failure ignored") for a in on_pr),
        )
    if actions:
        return failed(
            f"{what} only under {_triggers(set().union(*(a.triggers for a in actions)))} "
            f"({_names(_where(a) for a in actions)}), never on pull requests",
            refs(_ref(a) for a in actions),
        )
    return failed(f"no CI step runs {tools}; {_looked_at(repo)}")


def ci_runs_tests_on_pull_requests(repo: RepoEvidence) -> CheckResult:
    return _runs_on_pull_requests(repo, K.RUN_TESTS, "CI runs the tests", "pytest, tox or nox")


def ci_runs_lint_on_pull_requests(repo: RepoEvidence) -> CheckResult:
    return _runs_on_pull_requests(
        repo, K.LINT, "CI runs the linter", "ruff, flake8, pylint, black --check, mypy or pre-commit"
    )


# -- level 2: training submitted, scheduled, awaited ---------------------------------------


def _pipeline_job_at(repo: RepoEvidence, path: str) -> bool:
    asset = repo.azureml.at(path)
    return asset is not None and asset.kind is AmlKind.PIPELINE_JOB


def _defines_dsl_pipeline(repo: RepoEvidence, module: PythonModule) -> bool:
    """The script builds its pipeline with @dsl.pipeline, itself or in a repo module it imports."""
    imported = (repo.python.module_named(name) for name in module.imports)
    candidates = [module] + [m for m in imported if m is not None]
    return any(call.endswith("dsl.pipeline") for m in candidates for call in m.calls)


def _pipeline_files_loaded(repo: RepoEvidence, module: PythonModule, action: CiAction) -> list[str]:
    """Pipeline job files the script names: string arguments of its calls, or files passed to it."""
    found = [path for path in action.files[1:] if _pipeline_job_at(repo, path)]
    folders = dict.fromkeys(("", posixpath.dirname(module.path), action.working_directory))
    for call in module.calls:
        for text in call.string_args:
            if text.endswith((".yml", ".yaml")):
                for folder in folders:
                    path = posixpath.normpath(posixpath.join(folder, text))
                    if _pipeline_job_at(repo, path):
                        found.append(path)
    return list(dict.fromkeys(found))


def _training_verdict(repo: RepoEvidence, action: CiAction) -> tuple[str, str]:
    """("yes" | "no" | "unknown", why) for: does this action submit a training pipeline of the repo?"""
    if not action.files:
        return "no", "no job file given"
    target = action.files[0]
    if is_unresolved(target):
        return "unknown", f"{target} is only known at run time"
    if action.kind is K.SUBMIT_JOB:
        asset = repo.azureml.at(target)
        if asset is not None and asset.kind is AmlKind.PIPELINE_JOB:
            return "yes", f"submits the pipeline job {target}"
        if asset is not None:
            return "no", f"{target} is a {asset.kind.value.replace('_', ' ')}, not a pipeline job"
        missing = "does not exist" if not repo.files.exists(target) else "is not an Azure ML pipeline job"
        return "no", f"{target} {missing}"
    module = repo.python.module_at(target)
    if module is None:
        return "no", f"{target} is not a Python module of this repository"
    if not module.calls_ending("jobs.create_or_update"):
        return "no", f"{target} submits no job (no jobs.create_or_update)"
    if _defines_dsl_pipeline(repo, module):
        return "yes", f"{target} submits a pipeline built with @dsl.pipeline"
    loaded = _pipeline_files_loaded(repo, module, action)
    if loaded:
        return "yes", f"{target} submits the pipeline job {loaded[0]}"
    if any(is_unresolved(value) for value in action.options.values()):
        return "unknown", f"{target} submits a job whose definition is passed at run time"
    return "no", f"{target} submits a job that is not a pipeline"


def _submissions(repo: RepoEvidence) -> list[tuple[CiAction, str, str]]:
    return [
        (action, *_training_verdict(repo, action))
        for action in repo.ci.of_kind(K.SUBMIT_JOB, K.RUN_PYTHON)
        if action.kind is K.SUBMIT_JOB or _scripts_submit(repo, action)
    ]


def _scripts_submit(repo: RepoEvidence, action: CiAction) -> bool:
    if action.files and is_unresolved(action.files[0]):
        return True
    module = _module(repo, action)
    return module is not None and bool(module.calls_ending("jobs.create_or_update"))


def ci_submits_training_pipeline(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    yes = [(a, why) for a, verdict, why in submissions if verdict == "yes"]
    if yes:
        action, why = yes[0]
        return passed(
            f"{_where(action)} {why} ({_triggers(action.triggers)})", refs(_ref(a, why) for a, why in yes)
        )
    maybe = [(a, why) for a, verdict, why in submissions if verdict == "unknown"]
    if maybe:
        action, why = maybe[0]
        return unknown(
            f"{_where(action)} submits a job, but {why}: cannot tell whether it is the training pipeline",
            refs(_ref(a, why) for a, why in maybe),
        )
    if submissions:
        return failed(
            "CI submits jobs, but none is a pipeline job of this repository: "
            + "; ".join(f"{_where(a)}: {why}" for a, _, why in submissions[:3]),
            refs(_ref(a, why) for a, _, why in submissions),
        )
    return failed(
        "no CI step submits an Azure ML pipeline job (az ml job create --file, or a script calling "
        f"jobs.create_or_update); {_looked_at(repo)}"
    )


def _scheduled_pipelines(repo: RepoEvidence) -> list[tuple[str, str]]:
    """(schedule file, pipeline job it runs) for Azure ML job schedules that run a pipeline of this repo."""
    found = []
    for schedule in repo.azureml.of_kind(AmlKind.JOB_SCHEDULE):
        target = schedule_job_ref(schedule)
        create_job = schedule.data.get("create_job")
        inline = isinstance(create_job, dict) and str(create_job.get("type", "")).lower() == "pipeline"
        if inline or (target and _pipeline_job_at(repo, target)):
            found.append((schedule.path, target or "an inline pipeline job"))
    return found


def training_is_scheduled(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    scheduled = [(a, why) for a, verdict, why in submissions if verdict == "yes" and T.SCHEDULE in a.triggers]
    if scheduled:
        action, why = scheduled[0]
        return passed(f"{_where(action)} {why}, on a schedule", refs(_ref(a, why) for a, why in scheduled))
    schedules = _scheduled_pipelines(repo)
    creations = repo.ci.of_kind(K.CREATE_SCHEDULE)
    created = {path: action for action in creations for path in action.files}
    wired = [(path, job, created[path]) for path, job in schedules if path in created]
    if wired:
        path, job, action = wired[0]
        return passed(
            f"the Azure ML schedule {path} runs {job}, and {_where(action)} creates it",
            refs((a.location, f"creates the schedule {p} for {j}") for p, j, a in wired),
        )
    unresolved = [a for a in creations if any(is_unresolved(f) for f in a.files)]
    maybe = [a for a, verdict, _ in submissions if verdict == "unknown" and T.SCHEDULE in a.triggers]
    if maybe or (schedules and unresolved):
        action = (maybe or unresolved)[0]
        return unknown(
            f"{_where(action)} runs on a schedule or creates a schedule, but its file is only known at run "
            "time",
            refs(_ref(a) for a in maybe + unresolved),
        )
    trained = [a for a, verdict, _ in submissions if verdict == "yes"]
    if schedules:
        path, job = schedules[0]
        found = f"the Azure ML schedule {path} runs {job}, but no CI step creates it (az ml schedule create)"
        return failed(found, refs((Location(p), f"schedule for {j}") for p, j in schedules))
    if trained:
        return failed(
            "CI submits the training pipeline only under "
            f"{_triggers(set().union(*(a.triggers for a in trained)))}"
            " (no schedule trigger), and no Azure ML job schedule runs it",
            refs(_ref(a) for a in trained),
        )
    return failed(
        f"no scheduled CI pipeline submits a training pipeline and no Azure ML schedule runs one; "
        f"{_looked_at(repo)}"
    )


def _wait(repo: RepoEvidence, action: CiAction) -> str | None:
    """How CI waits for a submitted job, or None when it returns once the job is queued."""
    if action.kind is K.SUBMIT_JOB:
        if "--stream" in action.options:
            return "--stream"
        for other in repo.ci.of_kind(K.WAIT_JOB):
            if not other.continue_on_error and repo.ci.runs_after(other, action) and other.job == action.job:
                return f"{other.command} ({other.location})"
        return None
    module = _module(repo, action)
    return "jobs.stream" if module is not None and module.calls_ending("jobs.stream") else None


def ci_waits_for_training_job(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    training = [a for a, verdict, _ in submissions if verdict == "yes"]
    if not training:
        if any(verdict == "unknown" for _, verdict, _ in submissions):
            return unknown(
                "CI submits a job whose file is only known at run time; cannot tell whether it is waited for"
            )
        return failed(f"no CI step submits the training pipeline, so none waits for it; {_looked_at(repo)}")
    waiting: list[tuple[CiAction, str]] = []
    hidden: list[tuple[CiAction, str]] = []
    for action in training:
        how = _wait(repo, action)
        if action.continue_on_error:
            hidden.append((action, "continues on error"))
        elif how is None:
            hidden.append(
                (
                    action,
                    "returns as soon as the job is queued (no --stream, az ml job stream or jobs.stream)",
                )
            )
        else:
            waiting.append((action, f"waits with {how}"))
    if hidden:
        action, why = hidden[0]
        return failed(
            f"{_where(action)} submits the training pipeline but {why}, so a failed job does not fail CI",
            refs(_ref(a, why) for a, why in hidden),
        )
    action, how = waiting[0]
    return passed(
        f"{_where(action)} submits the training pipeline and {how}", refs(_ref(a, w) for a, w in waiting)
    )


# -- level 3: deployment ----------------------------------------------------------------------


def _deployment_files(repo: RepoEvidence, action: CiAction) -> list[str]:
    return [
        path
        for path in action.files
        if (asset := repo.azureml.at(path)) is not None and asset.kind in DEPLOYMENT_KINDS
    ]


def _model_deployments(repo: RepoEvidence) -> list[CiAction]:
    """Steps that create or update a model deployment (from a deployment YAML, or an SDK script)."""
    from_yaml = [a for a in repo.ci.of_kind(K.DEPLOY_MODEL) if _deployment_files(repo, a)]
    return from_yaml + _scripts_calling(repo, *SDK_DEPLOY_CALLS)


def ci_deploys_model(repo: RepoEvidence) -> CheckResult:
    deploys = _model_deployments(repo)
    if deploys:
        action = deploys[0]
        what = _deployment_files(repo, action)
        detail = f"deploys {what[0]}" if what else f"runs {action.files[0]}, which deploys with azure-ai-ml"
        return passed(
            f"{_where(action)} {detail} ({_triggers(action.triggers)})", refs(_ref(a) for a in deploys)
        )
    attempts = repo.ci.of_kind(K.DEPLOY_MODEL)
    unresolved = [a for a in attempts if any(is_unresolved(f) for f in a.files)]
    if unresolved:
        return unknown(
            f"{_where(unresolved[0])} deploys {unresolved[0].files[0]}, a file only known at run time",
            refs(_ref(a) for a in unresolved),
        )
    if attempts:
        targets = _names(a.files[0] if a.files else "no --file" for a in attempts)
        return failed(
            f"CI creates deployments ({targets}) but not from an online or batch deployment YAML of this "
            "repo",
            refs(_ref(a) for a in attempts),
        )
    written = repo.azureml.of_kind(*DEPLOYMENT_KINDS)
    if written:
        return failed(
            f"the deployment YAML {_names(a.path for a in written)} is not deployed by any CI step "
            f"(az ml online-deployment|batch-deployment create --file); {_looked_at(repo)}",
            refs((a.location, "deployment YAML") for a in written),
        )
    return failed(
        "no CI step creates or updates a model deployment (az ml online-deployment|batch-deployment create "
        f"--file); {_looked_at(repo)}"
    )


def _rollout_steps(repo: RepoEvidence) -> list[CiAction]:
    """Deployments and traffic shifts (not rollbacks): what a smoke test follows and a rollback undoes."""
    steps = repo.ci.of_kind(K.DEPLOY_MODEL, K.SHIFT_TRAFFIC) + _scripts_calling(repo, *SDK_DEPLOY_CALLS)
    return [a for a in steps if not runs_on_failure(a.condition)]


def ci_smoke_tests_endpoint(repo: RepoEvidence) -> CheckResult:
    rollouts = _rollout_steps(repo)
    if not rollouts:
        return failed(f"no CI step deploys a model, so none smoke-tests it; {_looked_at(repo)}")
    invokes = repo.ci.of_kind(K.INVOKE_ENDPOINT) + _scripts_calling(repo, *SDK_INVOKE_CALLS)
    for invoke in invokes:
        for rollout in rollouts:
            same_script = invoke is rollout and invoke.kind is K.RUN_PYTHON
            if same_script or repo.ci.runs_after(invoke, rollout):
                return passed(
                    f"{_where(invoke)} invokes the endpoint ({invoke.command}) after the deployment at "
                    f"{rollout.location}",
                    refs([_ref(invoke, "smoke test"), _ref(rollout, "deployment")]),
                )
    if invokes:
        return failed(
            f"CI invokes an endpoint ({_names(_where(a) for a in invokes)}), but not after a deployment step "
            "in the same run",
            refs(_ref(a) for a in invokes + rollouts),
        )
    return failed(
        f"CI deploys ({_names(_where(a) for a in rollouts)}) but no later step invokes the endpoint",
        refs(_ref(a) for a in rollouts),
    )


def ci_rolls_back_on_failure(repo: RepoEvidence) -> CheckResult:
    candidates = repo.ci.of_kind(K.SHIFT_TRAFFIC, K.DELETE_DEPLOYMENT) + _scripts_calling(
        repo, *SDK_ROLLBACK_CALLS
    )
    rollbacks = [a for a in candidates if runs_on_failure(a.condition)]
    if rollbacks:
        action = rollbacks[0]
        return passed(
            f"{_where(action)} runs `{action.command}` when the rollout fails (condition: "
            f"{action.condition})",
            refs(_ref(a, f"on failure: {a.command}") for a in rollbacks),
        )
    if not _rollout_steps(repo):
        return failed(
            f"no CI step deploys a model, so nothing rolls a failed rollout back; {_looked_at(repo)}"
        )
    if candidates:
        return failed(
            f"CI shifts traffic or deletes deployments ({_names(_where(a) for a in candidates)}), but never "
            "in a "
            "step that runs on failure (if: failure(), condition: failed(), when: on_failure)",
            refs(_ref(a) for a in candidates),
        )
    return failed("CI deploys models, but no step restores traffic or deletes the new deployment on failure")


def ci_promotes_through_environments(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    rollouts = _rollout_steps(repo)
    if not rollouts:
        return failed(f"no CI step deploys a model; {_looked_at(repo)}")
    environments: dict[str, CiAction] = {}
    for action in rollouts:
        if action.environment and not is_unresolved(action.environment):
            environments.setdefault(action.environment, action)
    evidence = refs((a.location, f"deploys in environment {name}") for name, a in environments.items())
    if len(environments) >= min_environments:
        return passed(
            f"deploy steps run in {len(environments)} environments: "
            + ", ".join(f"{name} ({_where(a)})" for name, a in environments.items()),
            evidence,
        )
    named_at_run_time = [a for a in rollouts if a.environment and is_unresolved(a.environment)]
    if named_at_run_time:
        return unknown(
            "deploy steps run in environments named at run time "
            f"({_names(a.environment or '' for a in named_at_run_time)})",
            refs(_ref(a) for a in named_at_run_time),
        )
    found = _names(environments) if environments else "none"
    return failed(
        f"deploy steps run in {_plural(len(environments), 'named environment')} ({found}); "
        f"promotion needs at least {min_environments} (GitHub environments, Azure DevOps deployment jobs, "
        "GitLab environments)",
        evidence or refs(_ref(a, "deploys outside any environment") for a in rollouts),
    )


# -- infrastructure ----------------------------------------------------------------------------


def _reached_files(repo: RepoEvidence, target: str) -> set[str]:
    """The IaC files a deployment of *target* (a template or a Terraform folder) reads, modules included."""
    module_refs: dict[str, list[str]] = getattr(repo.iac, "module_refs", None) or {}
    folder = "" if target == "." else target
    if target.endswith(_IAC_SUFFIXES):
        start = {target}
    else:  # a Terraform root module: the files of that folder (and below, when modules are not known)
        start = {
            f.path
            for f in (repo.files.under(folder) if folder else repo.files.files)
            if f.path.endswith(".tf")
            and ((not module_refs and folder) or posixpath.dirname(f.path) == folder)
        }
    reached, pending = set(), list(start)
    while pending:
        path = pending.pop()
        if path in reached:
            continue
        reached.add(path)
        for referenced in module_refs.get(path, []):
            if referenced.endswith(_IAC_SUFFIXES):
                pending.append(referenced)
            else:  # a module folder
                pending.extend(
                    f.path for f in repo.files.under(referenced) if posixpath.dirname(f.path) == referenced
                )
    return reached


def ci_applies_iac(repo: RepoEvidence) -> CheckResult:
    applies = repo.ci.of_kind(K.APPLY_IAC)
    if not applies:
        return failed(
            "no CI step applies infrastructure code (az deployment ... create, azure/arm-deploy, terraform "
            "apply); "
            f"{_looked_at(repo)}"
        )
    workspaces = [r for r in repo.resources if r.type_lower == WORKSPACE_TYPE and not r.existing]
    unparsed = {note.path for note in repo.files.notes}
    undecided: list[tuple[CiAction, str]] = []
    for action in applies:
        for target in action.files:
            if is_unresolved(target):
                undecided.append((action, f"applies {target}, only known at run time"))
                continue
            reached = _reached_files(repo, target)
            declared = [w for w in workspaces if w.location.path in reached]
            if declared:
                workspace = declared[0]
                return passed(
                    f"{_where(action)} applies {target}, which declares the Azure ML workspace "
                    f"{workspace.name} "
                    f"({workspace.location})",
                    refs([_ref(action), (workspace.location, f"workspace {workspace.name}")]),
                )
            if reached & unparsed:
                undecided.append((action, f"applies {target}, which could not be fully read"))
        if not action.files:
            undecided.append((action, "applies a template that is not a file of this repository"))
    if undecided:
        action, why = undecided[0]
        return unknown(f"{_where(action)} {why}", refs(_ref(a, why) for a, why in undecided))
    targets = _names(f for a in applies for f in a.files)
    return failed(
        f"CI applies {targets}, but none of it declares an Azure ML workspace "
        "(Microsoft.MachineLearningServices/"
        "workspaces)",
        refs(_ref(a) for a in applies),
    )


def ci_validates_iac_on_pull_requests(repo: RepoEvidence) -> CheckResult:
    return _runs_on_pull_requests(
        repo,
        K.VALIDATE_IAC,
        "CI validates the infrastructure code",
        "what-if, validate, bicep build or terraform plan",
    )


# -- security -----------------------------------------------------------------------------------


def ci_uses_oidc_for_azure(repo: RepoEvidence) -> CheckResult:
    logins = list({(login.location, login.method): login for login in repo.ci.logins}.values())
    secrets = [login for login in logins if login.method == "secret"]
    if secrets:
        first = secrets[0]
        where = f"{first.pipeline} (job {first.job})" if first.job else first.pipeline
        return failed(
            f"{where} signs in to Azure with a stored secret: {first.detail}",
            refs((login.location, login.detail) for login in secrets),
        )
    federated = [login for login in logins if login.method == "oidc"]
    undecided = [login for login in logins if login.method != "oidc"]
    if federated and not undecided:
        return passed(
            f"{_plural(len(federated), 'Azure sign-in')} in CI, all with OIDC (workload identity federation)",
            refs((login.location, login.detail) for login in federated),
        )
    if undecided:
        return unknown(
            f"{_plural(len(undecided), 'Azure sign-in')} in CI whose method the YAML does not show "
            f"({undecided[0].detail})",
            refs((login.location, login.detail) for login in undecided),
        )
    return unknown(f"no Azure sign-in found in CI; {_looked_at(repo)}")


def _github_workflows(repo: RepoEvidence) -> list:
    return [p for p in repo.ci.pipelines if p.system == "github"]


def ci_actions_are_pinned(repo: RepoEvidence) -> CheckResult:
    if not _github_workflows(repo):
        return not_applicable("no GitHub Actions workflow in the repository")
    third_party = list({(r.uses, r.location): r for r in repo.ci.action_refs if not r.local}.values())
    unpinned = [r for r in third_party if not r.pinned]
    if unpinned:
        return failed(
            f"{_plural(len(unpinned), 'action reference')} not pinned to a commit SHA: "
            f"{_names((r.uses for r in unpinned), limit=5)}",
            refs((r.location, f"uses: {r.uses}") for r in unpinned),
        )
    if not third_party:
        return passed("the workflows use no third-party actions")
    return passed(
        f"all {_plural(len(third_party), 'third-party action reference')} are pinned to a commit SHA",
        refs((r.location, f"uses: {r.uses}") for r in third_party),
    )


def ci_permissions_are_restricted(repo: RepoEvidence) -> CheckResult:
    workflows = _github_workflows(repo)
    if not workflows:
        return not_applicable("no GitHub Actions workflow in the repository")
    problems: list[tuple[Location, str]] = []
    checked = [w for w in workflows if not w.is_template]  # called workflows get at most the caller's token
    for workflow in checked:
        if workflow.permissions == "write-all":
            problems.append((Location(workflow.path, 1), "permissions: write-all"))
        for job in workflow.jobs:
            if job.permissions == "write-all":
                problems.append((job.location, f"job {job.id}: permissions: write-all"))
            elif workflow.permissions is None and job.permissions is None:
                problems.append((job.location, f"job {job.id} runs with the default token permissions"))
    if problems:
        return failed(
            f"{_plural(len(problems), 'place')} with unrestricted token permissions: {problems[0][1]} "
            f"({problems[0][0]})",
            refs(problems),
        )
    return passed(
        f"{_plural(len(checked), 'workflow')} set permissions at the top or on every job, none write-all",
        refs((Location(w.path), "permissions set") for w in checked),
    )


# -- level 4: monitoring, retraining, components -------------------------------------------------


def ci_deploys_monitor(repo: RepoEvidence) -> CheckResult:
    creations = repo.ci.of_kind(K.CREATE_SCHEDULE)
    for action in creations:
        for path in action.files:
            asset = repo.azureml.at(path)
            if asset is not None and asset.kind is AmlKind.MONITOR_SCHEDULE:
                return passed(f"{_where(action)} creates the model monitor {path}", refs([_ref(action)]))
    unresolved = [a for a in creations if any(is_unresolved(f) for f in a.files)]
    if unresolved:
        return unknown(
            f"{_where(unresolved[0])} creates a schedule from {unresolved[0].files[0]}, only known at run "
            "time",
            refs(_ref(a) for a in unresolved),
        )
    monitors = repo.azureml.of_kind(AmlKind.MONITOR_SCHEDULE)
    if monitors:
        return failed(
            f"the monitor {monitors[0].path} exists but no CI step creates it (az ml schedule create --file)",
            refs((m.location, "monitor schedule") for m in monitors),
        )
    if creations:
        return failed(
            f"CI creates schedules ({_names(f for a in creations for f in a.files)}), none of them a model "
            "monitor",
            refs(_ref(a) for a in creations),
        )
    return failed(f"no CI step creates a model monitor schedule; {_looked_at(repo)}")


def _workspace_events(repo: RepoEvidence) -> list:
    """Event Grid topics and subscriptions on the Azure ML workspace's events, declared in IaC."""
    found = []
    for resource in repo.resources:
        kind = resource.type_lower
        properties = (
            resource.body.get("properties") if isinstance(resource.body.get("properties"), dict) else {}
        )
        if kind == "microsoft.eventgrid/systemtopics":
            topic = str(properties.get("topicType", "")).lower()
            if (
                topic == "microsoft.machinelearningservices.workspaces"
                or "workspace" in str(properties.get("source", "")).lower()
            ):
                found.append(resource)
        elif kind in (
            "microsoft.eventgrid/systemtopics/eventsubscriptions",
            "microsoft.eventgrid/eventsubscriptions",
        ):
            scope = str(resource.body.get("scope", "")).lower()
            if "microsoft.machinelearningservices" in repr(resource.body).lower() or "workspace" in scope:
                found.append(resource)
    return found


def retraining_is_event_triggered(repo: RepoEvidence) -> CheckResult:
    submissions = _submissions(repo)
    by_event = [a for a, verdict, _ in submissions if verdict == "yes" and T.EVENT in a.triggers]
    if by_event:
        action = by_event[0]
        return passed(
            f"{_where(action)} submits the training pipeline when an event arrives "
            "(repository_dispatch, workflow_run or a pipeline resource trigger)",
            refs(_ref(a) for a in by_event),
        )
    events = _workspace_events(repo)
    if events:
        resource = events[0]
        return passed(
            f"Event Grid {resource.type.split('/', 1)[1]} {resource.name} listens to the Azure ML "
            "workspace's events",
            refs((r.location, f"{r.type} {r.name}") for r in events),
        )
    maybe = [a for a, verdict, _ in submissions if verdict == "unknown" and T.EVENT in a.triggers]
    if maybe:
        return unknown(
            f"{_where(maybe[0])} runs on an event and submits a job only known at run time",
            refs(_ref(a) for a in maybe),
        )
    trained = [a for a, verdict, _ in submissions if verdict == "yes"]
    if trained:
        return failed(
            "CI submits the training pipeline only under "
            f"{_triggers(set().union(*(a.triggers for a in trained)))}, not on an event, and no Event Grid "
            "subscription listens to the workspace",
            refs(_ref(a) for a in trained),
        )
    return failed(
        "no event-triggered CI pipeline submits the training pipeline and no Event Grid subscription "
        "listens to "
        f"the workspace; {_looked_at(repo)}"
    )


def ci_registers_components(repo: RepoEvidence) -> CheckResult:
    registrations = repo.ci.of_kind(K.REGISTER_COMPONENT, K.REGISTER_ENVIRONMENT) + _scripts_calling(
        repo, *SDK_REGISTER_CALLS
    )
    if registrations:
        action = registrations[0]
        return passed(
            f"{_where(action)} registers with `{action.command}`", refs(_ref(a) for a in registrations)
        )
    return failed(
        "no CI step registers Azure ML components or environments (az ml component create, az ml environment "
        f"create); {_looked_at(repo)}"
    )


CHECKS = (
    ci_runs_tests_on_pull_requests,
    ci_runs_lint_on_pull_requests,
    ci_submits_training_pipeline,
    training_is_scheduled,
    ci_waits_for_training_job,
    ci_deploys_model,
    ci_smoke_tests_endpoint,
    ci_rolls_back_on_failure,
    ci_promotes_through_environments,
    ci_applies_iac,
    ci_validates_iac_on_pull_requests,
    ci_uses_oidc_for_azure,
    ci_actions_are_pinned,
    ci_permissions_are_restricted,
    ci_deploys_monitor,
    retraining_is_event_triggered,
    ci_registers_components,
)
