"""The CI checks, on evidence built by hand (independent of the other collectors)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.checks.ci.assets import ci_deploys_monitor, ci_registers_components
from mlops_ladder.assessment.checks.ci.deployment import (
    ci_deploys_model,
    ci_promotes_through_environments,
    ci_rolls_back_on_failure,
    ci_smoke_tests_endpoint,
)
from mlops_ladder.assessment.checks.ci.infrastructure import ci_applies_iac, ci_validates_iac_on_pull_requests
from mlops_ladder.assessment.checks.ci.security import (
    ci_actions_are_pinned,
    ci_permissions_are_restricted,
    ci_uses_oidc_for_azure,
)
from mlops_ladder.assessment.checks.ci.tests_and_lint import (
    ci_runs_lint_on_pull_requests,
    ci_runs_tests_on_pull_requests,
)
from mlops_ladder.assessment.checks.ci.training import (
    ci_submits_training_pipeline,
    ci_waits_for_training_job,
    retraining_is_event_triggered,
    training_is_scheduled,
)
from mlops_ladder.assessment.evidence.common import Location, Note, Resource
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind, AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.ci.model import (
    ActionKind,
    ActionRef,
    AzureLogin,
    CiAction,
    CiEvidence,
    CiJob,
    CiPipeline,
    Trigger,
)
from mlops_ladder.assessment.evidence.repo.files import GitInfo, RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule

K = ActionKind
T = Trigger
PIPE = ".github/workflows/ci.yml"
GITHUB = CiPipeline("github", PIPE, {T.PUSH: Location(PIPE, 2)}, ())


def make_repo(
    *actions: CiAction,
    pipelines: tuple[CiPipeline, ...] = (GITHUB,),
    logins: tuple[AzureLogin, ...] = (),
    action_refs: tuple[ActionRef, ...] = (),
    assets: tuple[AmlAsset, ...] = (),
    modules: tuple[PythonModule, ...] = (),
    resources: tuple[Resource, ...] = (),
    module_refs: dict | None = None,
    files: tuple[str, ...] = (),
    notes: tuple[Note, ...] = (),
) -> SimpleNamespace:
    """A stand-in for RepoEvidence with the attributes the CI checks read."""
    listed = sorted({*files, *(a.path for a in assets), *(m.path for m in modules)})
    repo_files = RepoFiles(Path("."), [RepoFile(p, 1, True) for p in listed], GitInfo(True, 1), list(notes))
    ci = CiEvidence(list(pipelines), list(actions), list(logins), list(action_refs))
    iac = SimpleNamespace(resources=list(resources), module_refs=module_refs or {})
    return SimpleNamespace(
        ci=ci,
        azureml=AzureMLEvidence(list(assets)),
        python=PythonEvidence(list(modules)),
        iac=iac,
        resources=list(resources),
        files=repo_files,
    )


def act(
    kind: ActionKind, *files: str, job: str = "j", index: int = 0, triggers=(T.PUSH,), **fields
) -> CiAction:
    return CiAction(
        kind=kind,
        location=Location(PIPE, 10 + index),
        pipeline=PIPE,
        job=job,
        step=f"step {index}",
        command=f"{kind} {' '.join(files)}".strip(),
        files=files,
        triggers=frozenset(triggers),
        index=index,
        root_pipeline=PIPE,
        **fields,
    )


def asset(kind: AmlKind, path: str, data: dict | None = None) -> AmlAsset:
    return AmlAsset(kind, path, 1, None, data or {})


def module(
    path: str, *calls: str, string_args: tuple[str, ...] = (), imports: tuple[str, ...] = ()
) -> PythonModule:
    name = path.removesuffix(".py").removeprefix("src/").replace("/", ".")
    return PythonModule(
        path=path,
        module=name,
        is_test=False,
        imports=frozenset(imports),
        functions=frozenset(),
        calls=tuple(Call(c, i + 1, string_args=string_args if i == 0 else ()) for i, c in enumerate(calls)),
    )


PIPELINE = asset(AmlKind.PIPELINE_JOB, "mlops/train/pipeline.yml")
COMMAND = asset(AmlKind.COMMAND_JOB, "mlops/train/command.yml")
EVALUATION = asset(
    AmlKind.COMMAND_JOB, "mlops/train/evaluate.yml", {"command": "python score.py --model ${{inputs.model}}"}
)
DEPLOYMENT = asset(AmlKind.ONLINE_DEPLOYMENT, "mlops/deploy/blue.yml", {"model": "azureml:taxi-model:3"})


def outcome(result) -> Outcome:
    assert result.found, "every result says what was found"
    return result.outcome


# -- tests and lint on pull requests ----------------------------------------------------------------


def test_tests_on_pull_requests() -> None:
    on_pr = act(K.RUN_TESTS, triggers=(T.PULL_REQUEST, T.PUSH))
    assert outcome(ci_runs_tests_on_pull_requests(make_repo(on_pr))) is Outcome.PASS
    push_only = act(K.RUN_TESTS, triggers=(T.PUSH,))
    result = ci_runs_tests_on_pull_requests(make_repo(push_only))
    assert result.outcome is Outcome.FAIL and "never on pull requests" in result.found
    ignored = act(K.RUN_TESTS, triggers=(T.PULL_REQUEST,), continue_on_error=True)
    result = ci_runs_tests_on_pull_requests(make_repo(ignored))
    assert result.outcome is Outcome.FAIL and "ignored" in result.found
    maybe = act(K.RUN_TESTS, triggers=(T.PUSH,), possible_triggers=frozenset({T.PULL_REQUEST}))
    assert outcome(ci_runs_tests_on_pull_requests(make_repo(maybe))) is Outcome.UNKNOWN
    result = ci_runs_tests_on_pull_requests(make_repo(pipelines=()))
    assert result.outcome is Outcome.FAIL and "no CI pipeline" in result.found


def test_lint_on_pull_requests() -> None:
    lint = act(K.LINT, triggers=(T.PULL_REQUEST,))
    assert outcome(ci_runs_lint_on_pull_requests(make_repo(lint))) is Outcome.PASS
    tests_only = act(K.RUN_TESTS, triggers=(T.PULL_REQUEST,))
    assert outcome(ci_runs_lint_on_pull_requests(make_repo(tests_only))) is Outcome.FAIL


# -- training ---------------------------------------------------------------------------------------


def test_submits_training_pipeline_from_a_pipeline_job_file() -> None:
    submit = act(K.SUBMIT_JOB, PIPELINE.path)
    assert outcome(ci_submits_training_pipeline(make_repo(submit, assets=(PIPELINE,)))) is Outcome.PASS
    command_job = act(K.SUBMIT_JOB, COMMAND.path)  # a command job that is not clearly evaluation trains
    assert outcome(ci_submits_training_pipeline(make_repo(command_job, assets=(COMMAND,)))) is Outcome.PASS
    scoring = act(K.SUBMIT_JOB, EVALUATION.path)
    result = ci_submits_training_pipeline(make_repo(scoring, assets=(EVALUATION,)))
    assert result.outcome is Outcome.FAIL and "evaluation or data job" in result.found
    variable = act(K.SUBMIT_JOB, "${{ inputs.pipeline }}")
    assert outcome(ci_submits_training_pipeline(make_repo(variable))) is Outcome.UNKNOWN
    assert outcome(ci_submits_training_pipeline(make_repo(act(K.RUN_TESTS)))) is Outcome.FAIL


def test_submits_training_pipeline_from_a_python_script() -> None:
    run = act(K.RUN_PYTHON, "src/pkg/submit.py")
    dsl = module("src/pkg/submit.py", "ml_client.jobs.create_or_update", "azure.ai.ml.dsl.pipeline")
    assert outcome(ci_submits_training_pipeline(make_repo(run, modules=(dsl,)))) is Outcome.PASS
    # the pipeline is defined in another module of the repo that the script imports
    submit = module("src/pkg/submit.py", "ml_client.jobs.create_or_update", imports=("pkg.pipeline",))
    definition = module("src/pkg/pipeline.py", "azure.ai.ml.dsl.pipeline")
    assert (
        outcome(ci_submits_training_pipeline(make_repo(run, modules=(submit, definition))))
        is Outcome.PASS
    )
    loads = module(
        "src/pkg/submit.py",
        "azure.ai.ml.load_job",
        "ml_client.jobs.create_or_update",
        string_args=("mlops/train/pipeline.yml",),
    )
    repo = make_repo(run, modules=(loads,), assets=(PIPELINE,))
    assert outcome(ci_submits_training_pipeline(repo)) is Outcome.PASS
    command = module("src/pkg/submit.py", "azure.ai.ml.command", "ml_client.jobs.create_or_update")
    assert outcome(ci_submits_training_pipeline(make_repo(run, modules=(command,)))) is Outcome.PASS
    elsewhere = module("src/pkg/submit.py", "ml_client.jobs.create_or_update")
    assert outcome(ci_submits_training_pipeline(make_repo(run, modules=(elsewhere,)))) is Outcome.UNKNOWN
    unrelated = module("src/pkg/submit.py", "print")
    assert outcome(ci_submits_training_pipeline(make_repo(run, modules=(unrelated,)))) is Outcome.FAIL


def test_training_is_scheduled_by_ci_trigger() -> None:
    nightly = act(K.SUBMIT_JOB, PIPELINE.path, triggers=(T.SCHEDULE,))
    assert outcome(training_is_scheduled(make_repo(nightly, assets=(PIPELINE,)))) is Outcome.PASS
    manual = act(K.SUBMIT_JOB, PIPELINE.path, triggers=(T.MANUAL,))
    result = training_is_scheduled(make_repo(manual, assets=(PIPELINE,)))
    assert result.outcome is Outcome.FAIL and "no schedule trigger" in result.found


def test_training_is_scheduled_by_an_azure_ml_schedule_that_ci_creates() -> None:
    schedule = asset(AmlKind.JOB_SCHEDULE, "mlops/train/schedule.yml", {"create_job": "./pipeline.yml"})
    creates = act(K.CREATE_SCHEDULE, schedule.path)
    repo = make_repo(creates, assets=(PIPELINE, schedule))
    assert outcome(training_is_scheduled(repo)) is Outcome.PASS
    result = training_is_scheduled(make_repo(assets=(PIPELINE, schedule)))
    assert result.outcome is Outcome.FAIL and "no CI step creates it" in result.found
    wrong = asset(AmlKind.JOB_SCHEDULE, "mlops/train/schedule.yml", {"create_job": {"job": "./evaluate.yml"}})
    assert outcome(training_is_scheduled(make_repo(creates, assets=(EVALUATION, wrong)))) is Outcome.FAIL
    unresolved = act(K.CREATE_SCHEDULE, "$SCHEDULE_FILE")
    assert (
        outcome(training_is_scheduled(make_repo(unresolved, assets=(PIPELINE, schedule))))
        is Outcome.UNKNOWN
    )


def test_waits_for_training_job() -> None:
    streamed = act(K.SUBMIT_JOB, PIPELINE.path, options={"--stream": ""})
    assert outcome(ci_waits_for_training_job(make_repo(streamed, assets=(PIPELINE,)))) is Outcome.PASS
    submit = act(K.SUBMIT_JOB, PIPELINE.path, index=0)
    wait = act(K.WAIT_JOB, index=1)
    assert (
        outcome(ci_waits_for_training_job(make_repo(submit, wait, assets=(PIPELINE,)))) is Outcome.PASS
    )
    wait_elsewhere = act(K.WAIT_JOB, index=1, job="other")
    result = ci_waits_for_training_job(make_repo(submit, wait_elsewhere, assets=(PIPELINE,)))
    assert result.outcome is Outcome.FAIL and "queued" in result.found
    hidden = act(K.SUBMIT_JOB, PIPELINE.path, options={"--stream": ""}, continue_on_error=True)
    result = ci_waits_for_training_job(make_repo(hidden, assets=(PIPELINE,)))
    assert result.outcome is Outcome.FAIL and "continues on error" in result.found
    run = act(K.RUN_PYTHON, "src/pkg/submit.py")
    streams = module(
        "src/pkg/submit.py",
        "ml_client.jobs.create_or_update",
        "azure.ai.ml.dsl.pipeline",
        "ml_client.jobs.stream",
    )
    assert outcome(ci_waits_for_training_job(make_repo(run, modules=(streams,)))) is Outcome.PASS
    assert outcome(ci_waits_for_training_job(make_repo())) is Outcome.FAIL


# -- deployment -------------------------------------------------------------------------------------


def test_deploys_model() -> None:
    deploy = act(K.DEPLOY_MODEL, DEPLOYMENT.path)
    assert outcome(ci_deploys_model(make_repo(deploy, assets=(DEPLOYMENT,)))) is Outcome.PASS
    endpoint_only = act(K.CREATE_ENDPOINT, "mlops/deploy/endpoint.yml")
    assert outcome(ci_deploys_model(make_repo(endpoint_only))) is Outcome.FAIL
    missing = act(K.DEPLOY_MODEL, "mlops/deploy/missing.yml")
    assert outcome(ci_deploys_model(make_repo(missing))) is Outcome.FAIL
    variable = act(K.DEPLOY_MODEL, "$DEPLOYMENT_FILE")
    assert outcome(ci_deploys_model(make_repo(variable))) is Outcome.UNKNOWN
    local = asset(AmlKind.ONLINE_DEPLOYMENT, "mlops/deploy/green.yml", {"model": {"path": "./model"}})
    result = ci_deploys_model(make_repo(act(K.DEPLOY_MODEL, local.path), assets=(local,)))
    assert result.outcome is Outcome.FAIL and "not a registered model" in result.found
    run = act(K.RUN_PYTHON, "deploy.py")
    sdk = module("deploy.py", "ml_client.models.get", "ml_client.online_deployments.begin_create_or_update")
    assert outcome(ci_deploys_model(make_repo(run, modules=(sdk,)))) is Outcome.PASS
    unnamed = module("deploy.py", "ml_client.online_deployments.begin_create_or_update")
    assert outcome(ci_deploys_model(make_repo(run, modules=(unnamed,)))) is Outcome.UNKNOWN


def test_smoke_tests_endpoint_after_the_deployment() -> None:
    deploy = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="deploy", index=0)
    same_job = act(K.INVOKE_ENDPOINT, job="deploy", index=1)
    assert outcome(ci_smoke_tests_endpoint(make_repo(deploy, same_job))) is Outcome.PASS
    before = act(K.INVOKE_ENDPOINT, job="deploy", index=0)
    later_deploy = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="deploy", index=1)
    assert outcome(ci_smoke_tests_endpoint(make_repo(before, later_deploy))) is Outcome.FAIL
    # a job that needs (through an approval job) the deploying job
    smoke = act(K.INVOKE_ENDPOINT, job="smoke", job_needs=("approve",))
    repo = make_repo(deploy, smoke)
    repo.ci.job_graph = {(PIPE, "deploy"): (), (PIPE, "approve"): ("deploy",), (PIPE, "smoke"): ("approve",)}
    assert outcome(ci_smoke_tests_endpoint(repo)) is Outcome.PASS
    parallel = act(K.INVOKE_ENDPOINT, job="smoke")
    assert outcome(ci_smoke_tests_endpoint(make_repo(deploy, parallel))) is Outcome.FAIL
    assert outcome(ci_smoke_tests_endpoint(make_repo(act(K.RUN_TESTS)))) is Outcome.FAIL


def test_rolls_back_on_failure() -> None:
    deploy = act(K.DEPLOY_MODEL, DEPLOYMENT.path, index=0)
    for condition in (
        "failure()",
        "${{ failure() }}",
        "failed() (on: failure)",
        "when: on_failure",
        "|| (...)",
    ):
        rollback = act(K.SHIFT_TRAFFIC, index=1, condition=condition)
        assert outcome(ci_rolls_back_on_failure(make_repo(deploy, rollback))) is Outcome.PASS, (
            condition
        )
    for condition in (None, "always()", "!failure()", "succeeded()"):
        shift = act(K.SHIFT_TRAFFIC, index=1, condition=condition)
        assert outcome(ci_rolls_back_on_failure(make_repo(deploy, shift))) is Outcome.FAIL, condition
    delete = act(K.DELETE_DEPLOYMENT, index=1, condition="failure()")
    assert outcome(ci_rolls_back_on_failure(make_repo(deploy, delete))) is Outcome.PASS


def test_promotes_through_environments() -> None:
    dev = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="dev", environment="dev")
    prod = act(K.SHIFT_TRAFFIC, job="prod", environment="prod")
    assert outcome(ci_promotes_through_environments(make_repo(dev, prod))) is Outcome.PASS
    test = act(K.SHIFT_TRAFFIC, job="test", environment="test")
    result = ci_promotes_through_environments(make_repo(dev, test), min_environments=3)
    assert result.outcome is Outcome.FAIL and "2 named environments" in result.found
    same = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="again", environment="dev")
    assert outcome(ci_promotes_through_environments(make_repo(dev, same))) is Outcome.FAIL
    assert outcome(ci_promotes_through_environments(make_repo(prod))) is Outcome.PASS  # approvals on prod
    dynamic = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="x", environment="${{ inputs.environment }}")
    assert outcome(ci_promotes_through_environments(make_repo(dev, dynamic))) is Outcome.UNKNOWN
    tests = act(K.RUN_TESTS, environment="dev")
    assert outcome(ci_promotes_through_environments(make_repo(tests))) is Outcome.FAIL


# -- infrastructure ---------------------------------------------------------------------------------


def workspace(path: str, existing: bool = False) -> Resource:
    return Resource(
        "Microsoft.MachineLearningServices/workspaces", "mlw", {}, Location(path, 3), existing=existing
    )


def test_applies_iac_declaring_the_workspace() -> None:
    apply = act(K.APPLY_IAC, "infra/main.bicep")
    found = make_repo(apply, resources=(workspace("infra/main.bicep"),))
    assert outcome(ci_applies_iac(found)) is Outcome.PASS
    through_module = make_repo(
        apply,
        resources=(workspace("infra/modules/ml.bicep"),),
        module_refs={
            "infra/main.bicep": ["infra/modules/core.bicep"],
            "infra/modules/core.bicep": ["infra/modules/ml.bicep"],
        },
    )
    assert outcome(ci_applies_iac(through_module)) is Outcome.PASS
    other_template = make_repo(
        act(K.APPLY_IAC, "infra/storage.bicep"), resources=(workspace("infra/main.bicep"),)
    )
    assert outcome(ci_applies_iac(other_template)) is Outcome.FAIL
    only_existing = make_repo(apply, resources=(workspace("infra/main.bicep", existing=True),))
    assert outcome(ci_applies_iac(only_existing)) is Outcome.FAIL
    unparsed = make_repo(apply, notes=(Note("infra/main.bicep", "Bicep not parsed: line 3"),))
    assert outcome(ci_applies_iac(unparsed)) is Outcome.UNKNOWN
    assert outcome(ci_applies_iac(make_repo(act(K.APPLY_IAC, "$TEMPLATE")))) is Outcome.UNKNOWN
    assert (
        outcome(ci_applies_iac(make_repo(resources=(workspace("infra/main.bicep"),)))) is Outcome.FAIL
    )


def test_applies_terraform_folder() -> None:
    apply = act(K.APPLY_IAC, "infra/tf")
    files = ("infra/tf/main.tf", "infra/tf/modules/ml/main.tf")
    repo = make_repo(apply, resources=(workspace("infra/tf/main.tf"),), files=files)
    assert outcome(ci_applies_iac(repo)) is Outcome.PASS
    in_module = make_repo(
        apply,
        resources=(workspace("infra/tf/modules/ml/main.tf"),),
        files=files,
        module_refs={"infra/tf/main.tf": ["infra/tf/modules/ml/main.tf"]},
    )
    assert outcome(ci_applies_iac(in_module)) is Outcome.PASS
    elsewhere = make_repo(
        act(K.APPLY_IAC, "."),
        resources=(workspace("infra/tf/main.tf"),),
        files=files,
        module_refs={"infra/tf/main.tf": []},
    )
    assert outcome(ci_applies_iac(elsewhere)) is Outcome.FAIL


def test_validates_iac_on_pull_requests() -> None:
    what_if = act(K.VALIDATE_IAC, "infra/main.bicep", triggers=(T.PULL_REQUEST,))
    assert outcome(ci_validates_iac_on_pull_requests(make_repo(what_if))) is Outcome.PASS
    on_push = act(K.VALIDATE_IAC, "infra/main.bicep", triggers=(T.PUSH,))
    assert outcome(ci_validates_iac_on_pull_requests(make_repo(on_push))) is Outcome.FAIL
    apply_on_pr = act(K.APPLY_IAC, "infra/main.bicep", triggers=(T.PULL_REQUEST,))
    assert outcome(ci_validates_iac_on_pull_requests(make_repo(apply_on_pr))) is Outcome.FAIL


# -- security -----------------------------------------------------------------------------------------


def login(method: str, line: int = 5) -> AzureLogin:
    return AzureLogin(Location(PIPE, line), PIPE, "deploy", method, f"sign-in by {method}")


def test_uses_oidc_for_azure() -> None:
    assert outcome(ci_uses_oidc_for_azure(make_repo(logins=(login("oidc"),)))) is Outcome.PASS
    mixed = make_repo(logins=(login("oidc"), login("secret", 9)))
    result = ci_uses_oidc_for_azure(mixed)
    assert result.outcome is Outcome.FAIL and result.evidence[0].location == f"{PIPE}:9"
    assert outcome(ci_uses_oidc_for_azure(make_repo(logins=(login("unknown"),)))) is Outcome.UNKNOWN
    assert (
        outcome(ci_uses_oidc_for_azure(make_repo(logins=(login("oidc"), login("unknown", 7)))))
        is Outcome.UNKNOWN
    )
    assert outcome(ci_uses_oidc_for_azure(make_repo())) is Outcome.UNKNOWN
    assert outcome(ci_uses_oidc_for_azure(make_repo(pipelines=()))) is Outcome.UNKNOWN


def ref(uses: str, pinned: bool, local: bool = False, line: int = 3) -> ActionRef:
    return ActionRef(uses, Location(PIPE, line), pinned, local)


def test_actions_are_pinned() -> None:
    sha = "a" * 40
    pinned = make_repo(
        action_refs=(ref(f"actions/checkout@{sha}", True), ref("./.github/actions/x", False, True))
    )
    assert outcome(ci_actions_are_pinned(pinned)) is Outcome.PASS
    result = ci_actions_are_pinned(make_repo(action_refs=(ref("actions/checkout@v4", False),)))
    assert result.outcome is Outcome.FAIL and "actions/checkout@v4" in result.found
    assert outcome(ci_actions_are_pinned(make_repo())) is Outcome.PASS
    azure_devops = CiPipeline("azure-devops", "azure-pipelines.yml", {}, ())
    assert (
        outcome(ci_actions_are_pinned(make_repo(pipelines=(azure_devops,)))) is Outcome.NOT_APPLICABLE
    )


def job(job_id: str, permissions: object = None) -> CiJob:
    return CiJob(job_id, job_id, Location(PIPE, 8), permissions=permissions)


def test_permissions_are_restricted() -> None:
    def workflow(permissions: object, *jobs: CiJob, template: bool = False) -> CiPipeline:
        return CiPipeline("github", PIPE, {}, jobs, permissions, template)

    top = workflow({"contents": "read"}, job("a"), job("b", {"id-token": "write"}))
    assert outcome(ci_permissions_are_restricted(make_repo(pipelines=(top,)))) is Outcome.PASS
    every_job = workflow(None, job("a", {}), job("b", "read-all"))
    assert outcome(ci_permissions_are_restricted(make_repo(pipelines=(every_job,)))) is Outcome.PASS
    one_missing = workflow(None, job("a", {"contents": "read"}), job("b"))
    result = ci_permissions_are_restricted(make_repo(pipelines=(one_missing,)))
    assert result.outcome is Outcome.FAIL and "job b" in result.found
    write_all = workflow("write-all", job("a"))
    assert outcome(ci_permissions_are_restricted(make_repo(pipelines=(write_all,)))) is Outcome.FAIL
    job_write_all = workflow({"contents": "read"}, job("a", "write-all"))
    assert (
        outcome(ci_permissions_are_restricted(make_repo(pipelines=(job_write_all,)))) is Outcome.FAIL
    )
    called = workflow(None, job("a"), template=True)  # gets at most its caller's token
    assert outcome(ci_permissions_are_restricted(make_repo(pipelines=(top, called)))) is Outcome.PASS
    assert outcome(ci_permissions_are_restricted(make_repo(pipelines=()))) is Outcome.NOT_APPLICABLE


# -- monitoring, retraining, components ----------------------------------------------------------------


def test_deploys_monitor() -> None:
    monitor = asset(AmlKind.MONITOR_SCHEDULE, "mlops/monitor/monitor.yml")
    creates = act(K.CREATE_SCHEDULE, monitor.path)
    assert outcome(ci_deploys_monitor(make_repo(creates, assets=(monitor,)))) is Outcome.PASS
    result = ci_deploys_monitor(make_repo(assets=(monitor,)))
    assert result.outcome is Outcome.FAIL and "no CI step creates it" in result.found
    job_schedule = asset(AmlKind.JOB_SCHEDULE, "mlops/train/schedule.yml")
    creates_training = act(K.CREATE_SCHEDULE, job_schedule.path)
    assert (
        outcome(ci_deploys_monitor(make_repo(creates_training, assets=(job_schedule,))))
        is Outcome.FAIL
    )
    assert outcome(ci_deploys_monitor(make_repo(act(K.CREATE_SCHEDULE, "$FILE")))) is Outcome.UNKNOWN


def test_retraining_is_event_triggered() -> None:
    dispatched = act(K.SUBMIT_JOB, PIPELINE.path, triggers=(T.EVENT,))
    assert (
        outcome(retraining_is_event_triggered(make_repo(dispatched, assets=(PIPELINE,))))
        is Outcome.PASS
    )
    nightly = act(K.SUBMIT_JOB, PIPELINE.path, triggers=(T.SCHEDULE,))
    assert outcome(retraining_is_event_triggered(make_repo(nightly, assets=(PIPELINE,)))) is Outcome.PASS
    by_hand = act(K.SUBMIT_JOB, PIPELINE.path, triggers=(T.MANUAL, T.PUSH))
    result = retraining_is_event_triggered(make_repo(by_hand, assets=(PIPELINE,)))
    assert result.outcome is Outcome.FAIL and "not on an event" in result.found
    topic = Resource(
        "Microsoft.EventGrid/systemTopics",
        "ml-events",
        {"properties": {"topicType": "Microsoft.MachineLearningServices.Workspaces", "source": "ws.id"}},
        Location("infra/events.bicep", 4),
    )
    assert outcome(retraining_is_event_triggered(make_repo(resources=(topic,)))) is Outcome.PASS
    subscription = Resource(
        "Microsoft.EventGrid/systemTopics/eventSubscriptions",
        "drift",
        {
            "properties": {
                "filter": {"includedEventTypes": ["Microsoft.MachineLearningServices.DatasetDriftDetected"]}
            }
        },
        Location("infra/events.bicep", 12),
    )
    assert outcome(retraining_is_event_triggered(make_repo(resources=(subscription,)))) is Outcome.PASS
    storage_topic = Resource(
        "Microsoft.EventGrid/systemTopics",
        "blobs",
        {"properties": {"topicType": "Microsoft.Storage.StorageAccounts", "source": "sa.id"}},
        Location("infra/events.bicep", 20),
    )
    assert (
        outcome(retraining_is_event_triggered(make_repo(resources=(storage_topic,)))) is Outcome.FAIL
    )


def test_registers_components() -> None:
    component = act(K.REGISTER_COMPONENT, "components/train.yml")
    assert outcome(ci_registers_components(make_repo(component))) is Outcome.PASS
    environment = act(K.REGISTER_ENVIRONMENT, "environments/train.yml")
    assert outcome(ci_registers_components(make_repo(environment))) is Outcome.PASS
    model = act(K.REGISTER_MODEL)
    assert outcome(ci_registers_components(make_repo(model))) is Outcome.FAIL
