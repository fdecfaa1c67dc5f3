"""The CI checks of training submissions, registered-model deployments, environments and approvals,
and metric checks, on evidence built by hand."""

from __future__ import annotations

from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.checks.ci.deployment import (
    ci_asserts_model_metrics,
    ci_deploys_model,
    ci_promotes_through_environments,
    ci_smoke_tests_endpoint,
)
from mlops_ladder.assessment.checks.ci.submissions import job_verdict
from mlops_ladder.assessment.checks.ci.training import (
    ci_submits_training_pipeline,
    ci_waits_for_training_job,
    retraining_is_event_triggered,
)
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.ci.model import RemoteCall
from tests.checks.test_ci import DEPLOYMENT, PIPE, PIPELINE, K, T, act, asset, make_repo, module, outcome


def remote_call(triggers=(T.PUSH,)) -> RemoteCall:
    return RemoteCall(
        "contoso/ml/.github/workflows/train.yml@v1",
        Location(PIPE, 5),
        PIPE,
        PIPE,
        "train/train",
        frozenset(triggers),
        None,
        False,
        "unknown",
    )


def test_command_jobs_train_unless_clearly_evaluation() -> None:
    def verdict(data: dict, path: str = "jobs/job.yml") -> str:
        return job_verdict(asset(AmlKind.COMMAND_JOB, path, data))[0]

    assert verdict({"command": "python train.py --data ${{inputs.data}}"}) == "yes"
    assert verdict({"command": "python run.py"}) == "yes"  # nothing says it is not training
    assert verdict({"command": "python score.py --model ${{inputs.model}}"}) == "no"
    # option names say nothing: --train_data is the input of a preparation step here
    assert verdict({"command": "python -m pkg.prep --train_data ${{outputs.train}}"}) == "no"
    assert verdict({"command": "python evaluate.py", "outputs": {"m": {"type": "mlflow_model"}}}) == "yes"
    assert verdict({"display_name": "evaluate"}, "jobs/train.yml") == "yes"  # the file says train
    assert job_verdict(asset(AmlKind.SWEEP_JOB, "jobs/sweep.yml"))[0] == "yes"


def test_sdk_v1_scripts_following_their_imports() -> None:
    run = act(K.RUN_PYTHON, "mlops/submit.py")
    script = module("mlops/submit.py", "exp.submit", imports=("azureml.core", "mlops.config"))
    config = module("mlops/config.py", "azureml.core.ScriptRunConfig", imports=("azureml.core",))
    assert outcome(ci_submits_training_pipeline(make_repo(run, modules=(script, config)))) is Outcome.PASS
    alone = module("mlops/submit.py", "exp.submit", imports=("azureml.core",))
    assert outcome(ci_submits_training_pipeline(make_repo(run, modules=(alone,)))) is Outcome.UNKNOWN


def test_published_pipelines_need_a_run() -> None:
    publish = act(K.RUN_PYTHON, "mlops/publish.py", index=0)
    script = module(
        "mlops/publish.py",
        "azureml.pipeline.steps.PythonScriptStep",
        "pipeline.publish",
        imports=("azureml.pipeline.core", "azureml.pipeline.steps"),
    )
    assert outcome(ci_submits_training_pipeline(make_repo(publish, modules=(script,)))) is Outcome.FAIL
    run = act(K.RUN_PUBLISHED_PIPELINE, index=1)
    assert outcome(ci_submits_training_pipeline(make_repo(publish, run, modules=(script,)))) is Outcome.PASS
    assert outcome(ci_submits_training_pipeline(make_repo(run))) is Outcome.UNKNOWN  # published elsewhere


def test_unknown_remote_workflows_are_unknown_never_fail() -> None:
    repo = make_repo(act(K.RUN_TESTS))
    repo.ci.remote_calls.append(remote_call())
    result = ci_submits_training_pipeline(repo)
    assert result.outcome is Outcome.UNKNOWN and "unknown remote workflow" in result.found
    assert outcome(ci_deploys_model(repo)) is Outcome.UNKNOWN
    assert outcome(retraining_is_event_triggered(repo)) is Outcome.FAIL  # a push-only call
    repo.ci.remote_calls[0] = remote_call((T.SCHEDULE,))
    assert outcome(retraining_is_event_triggered(repo)) is Outcome.UNKNOWN


def test_wait_for_the_run_of_a_published_pipeline_not_a_compute() -> None:
    submit = act(K.RUN_PYTHON, "mlops/submit.py")
    waits_on_compute = module(
        "mlops/submit.py",
        "azureml.core.ScriptRunConfig",
        "exp.submit",
        "compute_target.wait_for_completion",
        imports=("azureml.core",),
    )
    result = ci_waits_for_training_job(make_repo(submit, modules=(waits_on_compute,)))
    assert result.outcome is Outcome.FAIL and "queued" in result.found
    waits_on_run = module(
        "mlops/submit.py",
        "azureml.core.ScriptRunConfig",
        "exp.submit",
        "run.wait_for_completion",
        imports=("azureml.core",),
    )
    assert outcome(ci_waits_for_training_job(make_repo(submit, modules=(waits_on_run,)))) is Outcome.PASS


def test_registered_models_in_every_form() -> None:
    local = asset(AmlKind.ONLINE_DEPLOYMENT, "d/local.yml", {"model": "./outputs/model"})
    by_set = act(
        K.DEPLOY_MODEL, local.path, options={"--set": "model=azureml:taxi:${{ inputs.v }} name=blue"}
    )
    assert outcome(ci_deploys_model(make_repo(by_set, assets=(local,)))) is Outcome.PASS
    as_written = act(K.DEPLOY_MODEL, local.path)
    assert outcome(ci_deploys_model(make_repo(as_written, assets=(local,)))) is Outcome.FAIL
    v1 = act(K.DEPLOY_MODEL, "d/deployment-config.yml", options={"-m": "taxi:3"})
    assert outcome(ci_deploys_model(make_repo(v1))) is Outcome.PASS
    metadata = act(K.DEPLOY_MODEL, options={"--model-metadata-file": "model.json"})
    assert outcome(ci_deploys_model(make_repo(metadata))) is Outcome.PASS
    run = act(K.RUN_PYTHON, "mlops/deploy.py")
    mlflow = module(
        "mlops/deploy.py",
        "mlflow.deployments.get_deploy_client",
        "client.create_deployment",
        string_args=("models:/taxi/3",),
    )
    assert outcome(ci_deploys_model(make_repo(run, modules=(mlflow,)))) is Outcome.PASS


def test_environments_choices_approvals_and_variable_files() -> None:
    chosen = act(
        K.DEPLOY_MODEL, DEPLOYMENT.path, environment="$(environment)", environment_choices=("dev", "prod")
    )
    assert outcome(ci_promotes_through_environments(make_repo(chosen))) is Outcome.PASS
    staging = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="deploy", index=1, environment="staging")
    assert outcome(ci_promotes_through_environments(make_repo(staging))) is Outcome.FAIL
    approval = act(K.APPROVAL, job="approve", index=0)
    after = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="deploy", index=1, job_needs=("approve",))
    repo = make_repo(approval, after)
    repo.ci.job_graph = {(PIPE, "approve"): (), (PIPE, "deploy"): ("approve",)}
    assert outcome(ci_promotes_through_environments(repo)) is Outcome.PASS
    dev = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="a", config_files=("vars/common.yml", "vars/dev.yml"))
    prod = act(K.DEPLOY_MODEL, DEPLOYMENT.path, job="b", config_files=("vars/common.yml", "vars/prod.yml"))
    assert outcome(ci_promotes_through_environments(make_repo(dev, prod))) is Outcome.PASS
    assert outcome(ci_promotes_through_environments(make_repo(dev))) is Outcome.FAIL


def test_smoke_tests_must_gate() -> None:
    deploy = act(K.DEPLOY_MODEL, DEPLOYMENT.path, index=0)
    ignored = act(K.INVOKE_ENDPOINT, index=1, continue_on_error=True)
    result = ci_smoke_tests_endpoint(make_repo(deploy, ignored))
    assert result.outcome is Outcome.FAIL and "ignored" in result.found
    on_failure = act(K.INVOKE_ENDPOINT, index=1, condition="failure()")
    assert outcome(ci_smoke_tests_endpoint(make_repo(deploy, on_failure))) is Outcome.FAIL


def test_metric_checks_before_the_release() -> None:
    check = act(K.ASSERT_METRICS, index=0)
    register = act(K.REGISTER_MODEL, index=1)
    assert outcome(ci_asserts_model_metrics(make_repo(check, register))) is Outcome.PASS
    late = act(K.ASSERT_METRICS, index=2)
    assert outcome(ci_asserts_model_metrics(make_repo(register, late))) is Outcome.FAIL
    ignored = act(K.ASSERT_METRICS, index=0, continue_on_error=True)
    assert outcome(ci_asserts_model_metrics(make_repo(ignored, register))) is Outcome.FAIL
    script = act(K.RUN_PYTHON, "ci/assert_metrics.py", index=0)
    reads = module("ci/assert_metrics.py", "run.get_metrics")
    deploy = act(K.DEPLOY_MODEL, DEPLOYMENT.path, index=1)
    repo = make_repo(script, deploy, modules=(reads,), assets=(PIPELINE,))
    assert outcome(ci_asserts_model_metrics(repo)) is Outcome.PASS
    assert outcome(ci_asserts_model_metrics(make_repo(deploy))) is Outcome.FAIL
