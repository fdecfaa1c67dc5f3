"""The CI reader: GitHub Actions, Azure DevOps and GitLab CI files turned into CiActions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.ci.collect import collect
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, CiEvidence, Trigger
from mlops_ladder.assessment.evidence.repo.files import RepoFiles, list_repo_files
from tests.conftest import write_files

K = ActionKind
T = Trigger


def read(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[CiEvidence, RepoFiles]:
    write_files(tmp_path, files)
    repo_files = list_repo_files(tmp_path)
    return collect(repo_files), repo_files


def only(evidence: CiEvidence, kind: ActionKind) -> CiAction:
    found = evidence.of_kind(kind)
    assert len(found) == 1, found
    return found[0]


# -- GitHub Actions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("on: push", {T.PUSH}),
        ("on: [push, pull_request]", {T.PUSH, T.PULL_REQUEST}),
        ("on:\n  pull_request_target:\n  schedule:\n    - cron: '0 1 * * *'", {T.PULL_REQUEST, T.SCHEDULE}),
        ("on:\n  workflow_dispatch:\n  repository_dispatch:\n  release:", {T.MANUAL, T.EVENT, T.RELEASE}),
        ("on:\n  workflow_run:\n    workflows: [train]", {T.EVENT}),
        ("'on': [workflow_call]", {T.CALLED}),
    ],
)
def test_github_triggers_in_every_shape(tmp_path: Path, on: str, expected: set[Trigger]) -> None:
    workflow = f"{on}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    assert set(evidence.pipelines[0].triggers) == expected
    assert only(evidence, K.RUN_TESTS).triggers == frozenset(expected)


GITHUB_WORKFLOW = """\
name: ci
on:
  pull_request:
  push:
    branches: [main]
env:
  PIPELINE: pipeline.yml
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Run tests
        run: |
          pip install -e .
          python -m pytest -q \\
            --maxfail=1 && ruff check .
  train:
    needs: [test]
    if: github.event_name == 'push'
    environment:
      name: dev
    continue-on-error: false
    permissions:
      id-token: write
    defaults:
      run:
        working-directory: mlops/azureml/train
    runs-on: ubuntu-latest
    steps:
      - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5
        with:
          client-id: ${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: ${{ secrets.AZURE_TENANT_ID }}
          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
      - name: Submit
        run: az ml job create --file $PIPELINE --stream
        continue-on-error: true
      - run: az ml job create -f ../deploy/x.yml
        working-directory: mlops/azureml/other
        if: always()
"""


def test_github_jobs_steps_and_paths(tmp_path: Path) -> None:
    evidence, files = read(tmp_path, {".github/workflows/ci.yml": GITHUB_WORKFLOW})
    assert not files.notes
    tests = only(evidence, K.RUN_TESTS)
    assert tests.location.line == 16  # the python -m pytest line inside the block
    assert tests.step == "Run tests"
    assert tests.triggers == {T.PULL_REQUEST, T.PUSH}
    lint = only(evidence, K.LINT)
    assert lint.index > tests.index and lint.job == "test"
    submit, other = evidence.of_kind(K.SUBMIT_JOB)
    assert submit.files == ("mlops/azureml/train/pipeline.yml",)  # env variable + job working directory
    assert "--stream" in submit.options
    assert submit.triggers == {T.PUSH}  # the job only runs on push
    assert submit.environment == "dev"
    assert submit.continue_on_error is True
    assert submit.job_needs == ("test",)
    assert submit.condition == "github.event_name == 'push'"
    assert other.files == ("mlops/azureml/deploy/x.yml",)  # step working-directory wins
    assert other.condition == "always()"
    job = next(j for j in evidence.pipelines[0].jobs if j.id == "train")
    assert job.environment == "dev" and job.permissions == {"id-token": "write"}


def test_github_logins_depend_on_id_token_permission(tmp_path: Path) -> None:
    login_step = (
        "      - uses: azure/login@v2\n        with:\n          client-id: x\n          tenant-id: y\n"
        "          subscription-id: z\n"
    )
    workflow = (
        "on: push\npermissions:\n  id-token: write\n  contents: read\njobs:\n"
        f"  a:\n    runs-on: ubuntu-latest\n    steps:\n{login_step}"
        f"  b:\n    permissions:\n      contents: read\n    runs-on: ubuntu-latest\n    steps:\n{login_step}"
        "  c:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: azure/login@v2\n        with:\n"
        "          creds: ${{ secrets.AZURE_CREDENTIALS }}\n"
        "      - run: az login --service-principal -u $ID -p $SECRET --tenant $T\n"
        "      - run: az login --service-principal -u $ID --tenant $T --federated-token $TOKEN\n"
        "    env:\n      AZURE_CLIENT_SECRET: ${{ secrets.S }}\n"
    )
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    methods = [(login.job, login.method) for login in evidence.logins]
    assert ("a", "oidc") in methods  # workflow-level id-token: write
    assert ("b", "unknown") in methods  # the job's own permissions drop id-token
    assert methods.count(("c", "secret")) == 3  # creds, az login -p, AZURE_CLIENT_SECRET in env
    assert ("c", "oidc") in methods  # az login --federated-token
    assert all("secrets." not in login.detail for login in evidence.logins)


def test_reusable_workflow_inherits_caller_triggers_environment_and_inputs(tmp_path: Path) -> None:
    caller = """\
on:
  schedule:
    - cron: '0 3 * * 1'
permissions:
  id-token: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo build
  to-dev:
    needs: build
    uses: ./.github/workflows/deploy.yml
    with:
      file: mlops/deploy/blue.yml
    environment: dev
  to-prod:
    needs: to-dev
    uses: ./.github/workflows/deploy.yml
    with:
      file: mlops/deploy/blue.yml
      target: prod
  smoke:
    needs: to-prod
    runs-on: ubuntu-latest
    steps:
      - run: az ml online-endpoint invoke -n ep --request-file sample.json
"""
    callee = """\
on:
  workflow_call:
    inputs:
      file: {type: string}
      target: {type: string, default: staging}
jobs:
  deploy:
    environment: ${{ inputs.target }}
    runs-on: ubuntu-latest
    steps:
      - uses: azure/login@v2
        with: {client-id: a, tenant-id: b, subscription-id: c}
      - run: az ml online-deployment create --file ${{ inputs.file }} --all-traffic
"""
    evidence, _ = read(
        tmp_path, {".github/workflows/release.yml": caller, ".github/workflows/deploy.yml": callee}
    )
    deploys = evidence.of_kind(K.DEPLOY_MODEL)
    assert [(a.job, a.environment) for a in deploys] == [
        ("to-dev/deploy", "staging"),
        ("to-prod/deploy", "prod"),
    ]
    assert all(a.triggers == {T.SCHEDULE} for a in deploys)  # the caller's triggers, not workflow_call
    assert all(
        a.files == ("mlops/deploy/blue.yml",) and a.root_pipeline.endswith("release.yml") for a in deploys
    )
    assert all(a.pipeline == ".github/workflows/deploy.yml" for a in deploys)
    assert [login.method for login in evidence.logins] == ["oidc", "oidc"]  # the caller grants id-token
    smoke = only(evidence, K.INVOKE_ENDPOINT)
    assert all(evidence.runs_after(smoke, deploy) for deploy in deploys)  # through needs, transitively
    assert not evidence.runs_after(deploys[0], smoke)
    template = next(p for p in evidence.pipelines if p.path.endswith("deploy.yml"))
    assert template.is_template


def test_self_repository_form_calls_a_local_reusable_workflow(tmp_path: Path) -> None:
    """`uses: $/.github/workflows/d.yml` (GitHub's self-repository form) is the same as `./...`."""
    caller = "on: push\njobs:\n  release:\n    uses: $/.github/workflows/d.yml\n    environment: production\n"
    callee = (
        "on: workflow_call\njobs:\n  go:\n    runs-on: x\n    steps:\n"
        "      - run: az ml online-deployment update -f d.yml\n"
    )
    evidence, _ = read(tmp_path, {".github/workflows/c.yml": caller, ".github/workflows/d.yml": callee})
    deploy = only(evidence, K.DEPLOY_MODEL)
    assert (deploy.pipeline, deploy.root_pipeline) == (".github/workflows/d.yml", ".github/workflows/c.yml")
    assert {r.uses: r.local for r in evidence.action_refs} == {"$/.github/workflows/d.yml": True}


def test_reusable_workflow_environment_falls_back_to_the_caller_job(tmp_path: Path) -> None:
    caller = "on: push\njobs:\n  release:\n    uses: ./.github/workflows/d.yml\n    environment: production\n"
    callee = (
        "on: workflow_call\njobs:\n  go:\n    runs-on: x\n    steps:\n"
        "      - run: az ml online-deployment update -f d.yml\n"
    )
    evidence, _ = read(tmp_path, {".github/workflows/c.yml": caller, ".github/workflows/d.yml": callee})
    action = only(evidence, K.DEPLOY_MODEL)
    assert (action.environment, action.triggers) == ("production", {T.PUSH})


def test_reusable_workflow_chain_and_cycle(tmp_path: Path) -> None:
    files = {
        ".github/workflows/a.yml": "on: pull_request\njobs:\n  a:\n    uses: ./.github/workflows/b.yml\n",
        ".github/workflows/b.yml": "on: workflow_call\njobs:\n  b:\n    uses: ./.github/workflows/c.yml\n",
        ".github/workflows/c.yml": (
            "on: workflow_call\njobs:\n  c:\n    runs-on: x\n    steps:\n      - run: pytest\n"
            "  loop:\n    uses: ./.github/workflows/b.yml\n"
        ),
    }
    evidence, _ = read(tmp_path, files)
    action = only(evidence, K.RUN_TESTS)
    assert action.job == "a/b/c" and action.triggers == {T.PULL_REQUEST}


def test_uncalled_reusable_workflow_is_still_read(tmp_path: Path) -> None:
    callee = "on: workflow_call\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n"
    evidence, _ = read(tmp_path, {".github/workflows/t.yml": callee})
    assert only(evidence, K.RUN_TESTS).triggers == {T.CALLED}


def test_needed_job_that_skips_pull_requests_skips_its_dependents(tmp_path: Path) -> None:
    workflow = """\
on: [push, pull_request]
jobs:
  deploy:
    if: github.ref == 'refs/heads/main'
    runs-on: x
    steps:
      - run: echo deploy
  smoke:
    needs: deploy
    runs-on: x
    steps:
      - run: pytest tests/smoke
  report:
    needs: deploy
    if: always()
    runs-on: x
    steps:
      - run: tox -e lint
"""
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    assert only(evidence, K.RUN_TESTS).triggers == {T.PUSH}
    assert only(evidence, K.LINT).triggers == {T.PUSH, T.PULL_REQUEST}


def test_matrix_environments_run_once_per_value(tmp_path: Path) -> None:
    workflow = """\
on: push
jobs:
  deploy:
    strategy:
      matrix:
        env: [dev, prod]
    environment: ${{ matrix.env }}
    runs-on: x
    steps:
      - run: az ml online-deployment create -f deploy/${{ matrix.env }}.yml
"""
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    found = [(a.job, a.environment, a.files) for a in evidence.of_kind(K.DEPLOY_MODEL)]
    assert found == [
        ("deploy (dev)", "dev", ("deploy/dev.yml",)),
        ("deploy (prod)", "prod", ("deploy/prod.yml",)),
    ]


def test_matrix_over_a_reusable_workflow_call(tmp_path: Path) -> None:
    caller = """\
on: push
jobs:
  promote:
    strategy:
      max-parallel: 1
      matrix:
        target: [dev, test, prod]
    uses: ./.github/workflows/deploy.yml
    with:
      environment: ${{ matrix.target }}
"""
    callee = """\
on:
  workflow_call:
    inputs:
      environment: {type: string}
jobs:
  deploy:
    environment: ${{ inputs.environment }}
    runs-on: x
    steps:
      - run: az ml online-deployment create -f mlops/${{ inputs.environment }}/blue.yml
"""
    evidence, _ = read(tmp_path, {".github/workflows/c.yml": caller, ".github/workflows/deploy.yml": callee})
    found = [(a.job, a.environment, a.files[0]) for a in evidence.of_kind(K.DEPLOY_MODEL)]
    assert found == [
        ("promote (dev)/deploy", "dev", "mlops/dev/blue.yml"),
        ("promote (test)/deploy", "test", "mlops/test/blue.yml"),
        ("promote (prod)/deploy", "prod", "mlops/prod/blue.yml"),
    ]


def test_github_actions_that_act(tmp_path: Path) -> None:
    workflow = """\
on: pull_request
jobs:
  infra:
    runs-on: x
    steps:
      - uses: azure/arm-deploy@v2
        with:
          template: ./infra/main.bicep
          deploymentMode: Validate
      - uses: azure/arm-deploy@v2
        with:
          template: infra/main.bicep
      - uses: hashicorp/setup-terraform@v3
      - uses: pre-commit/action@v3.0.1
      - uses: azure/cli@v2
        with:
          inlineScript: |
            az ml component create --file components/train.yml --registry-name shared
      - uses: ./.github/actions/train
        with:
          pipeline: mlops/pipeline.yml
      - uses: docker://alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000
"""
    composite = """\
inputs:
  pipeline: {required: true}
runs:
  using: composite
  steps:
    - shell: bash
      run: az ml job create --file ${{ inputs.pipeline }}
"""
    evidence, _ = read(
        tmp_path, {".github/workflows/ci.yml": workflow, ".github/actions/train/action.yml": composite}
    )
    kinds = [(a.kind, a.files) for a in evidence.actions]
    assert (K.VALIDATE_IAC, ("infra/main.bicep",)) in kinds
    assert (K.APPLY_IAC, ("infra/main.bicep",)) in kinds
    assert (K.LINT, ()) in kinds
    assert (K.REGISTER_COMPONENT, ("components/train.yml",)) in kinds
    assert (K.SHARE_MODEL, ("components/train.yml",)) in kinds  # --registry-name
    assert (K.SUBMIT_JOB, ("mlops/pipeline.yml",)) in kinds
    assert len(kinds) == 6  # setup-terraform does nothing by itself
    submit = only(evidence, K.SUBMIT_JOB)
    assert (
        submit.pipeline == ".github/actions/train/action.yml"
        and submit.root_pipeline == ".github/workflows/ci.yml"
    )
    refs = {r.uses: (r.pinned, r.local) for r in evidence.action_refs}
    assert refs["azure/arm-deploy@v2"] == (False, False)
    assert refs["./.github/actions/train"] == (False, True)
    assert refs["docker://alpine@sha256:" + "0" * 64] == (True, False)


def test_pinned_action_refs(tmp_path: Path) -> None:
    sha = "a457da9ea143d694b1b9c7c869ebb04ebe844ef5"
    workflow = (
        f"on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@{sha}\n"
        f"  b:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@{sha} # v4\n"
        f"      - uses: actions/setup-python@{sha[:7]}\n"
    )
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    assert [(r.uses.split("@")[0], r.pinned) for r in evidence.action_refs] == [
        ("org/repo/.github/workflows/x.yml", True),
        ("actions/checkout", True),
        ("actions/setup-python", False),
    ]
    assert evidence.pipelines[0].jobs[0].calls.startswith("org/repo")


# -- Azure DevOps -------------------------------------------------------------------------------

ADO_PIPELINE = """\
trigger:
  branches:
    include: [main]
variables:
  - template: vars/prod.yml
  - name: deployment_file
    value: mlops/deploy/online-deployment.yml
stages:
  - stage: Build
    jobs:
      - job: Test
        steps:
          - script: |
              python -m pytest tests
            displayName: Unit tests
  - stage: Deploy
    condition: and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'))
    jobs:
      - deployment: DeployProd
        environment: prod.vm-group
        strategy:
          runOnce:
            deploy:
              steps:
                - template: ../templates/deploy.yml
                  parameters:
                    file: $(deployment_file)
            on:
              failure:
                steps:
                  - bash: az ml online-endpoint update -n $(endpoint) --traffic "blue=100"
      - job: Infra
        dependsOn: DeployProd
        steps:
          - task: AzureResourceManagerTemplateDeployment@3
            inputs:
              deploymentScope: Resource Group
              azureResourceManagerConnection: $(service_connection)
              csmFile: infra/main.bicep
              deploymentMode: Incremental
"""
ADO_TEMPLATE = """\
parameters:
  - name: file
    type: string
steps:
  - task: AzureCLI@2
    condition: succeeded()
    continueOnError: true
    inputs:
      azureSubscription: $(service_connection)
      scriptType: bash
      scriptLocation: inlineScript
      workingDirectory: mlops
      inlineScript: |
        az ml online-deployment create --file ../${{ parameters.file }} --endpoint-name $(endpoint)
"""


def test_azure_devops_stages_deployments_templates(tmp_path: Path) -> None:
    evidence, files = read(
        tmp_path,
        {
            "pipelines/azure-pipelines.yml": ADO_PIPELINE,
            "templates/deploy.yml": ADO_TEMPLATE,
            "pipelines/vars/prod.yml": "variables:\n  service_connection: arm-prod\n  endpoint: ep-prod\n",
        },
    )
    assert not files.notes
    pipeline = next(p for p in evidence.pipelines if p.path == "pipelines/azure-pipelines.yml")
    assert set(pipeline.triggers) == {T.PUSH, T.MANUAL} and not pipeline.is_template  # any can be run by hand
    assert next(p for p in evidence.pipelines if p.path == "templates/deploy.yml").is_template
    tests = only(evidence, K.RUN_TESTS)
    assert (tests.job, tests.step, tests.triggers) == ("Build.Test", "Unit tests", {T.PUSH, T.MANUAL})
    assert tests.possible_triggers == {T.PULL_REQUEST}  # no `pr:`: branch policies or GitHub defaults decide
    deploy = only(evidence, K.DEPLOY_MODEL)
    assert deploy.files == ("mlops/deploy/online-deployment.yml",)  # template parameter + workingDirectory
    assert (deploy.environment, deploy.job, deploy.pipeline) == (
        "prod",
        "Deploy.DeployProd",
        "templates/deploy.yml",
    )
    assert deploy.continue_on_error and deploy.job_needs == ("Build.Test",)
    assert deploy.triggers == {T.PUSH, T.MANUAL} and not deploy.possible_triggers  # the stage excludes PRs
    rollback = only(evidence, K.SHIFT_TRAFFIC)
    assert rollback.condition.startswith("failed()") and "ep-prod" in rollback.command
    infra = only(evidence, K.APPLY_IAC)
    assert infra.files == ("infra/main.bicep",) and infra.job_needs == ("Build.Test", "Deploy.DeployProd")
    assert {login.method for login in evidence.logins} == {"unknown"}
    assert any("arm-prod" in login.detail for login in evidence.logins)


def test_azure_devops_triggers(tmp_path: Path) -> None:
    files = {
        "a.yml": "trigger: none\npr:\n  - main\nsteps:\n  - script: pytest\n",
        "b.yml": "trigger: none\npr: none\nschedules:\n  - cron: '0 0 * * *'\n"
        "    branches: {include: [main]}\nsteps:\n  - script: pytest\n",
        "c.yml": "trigger: none\nresources:\n  pipelines:\n    - pipeline: up\n      source: Up\n"
        "      trigger: true\nsteps:\n  - script: pytest\n",
    }
    evidence, _ = read(tmp_path, files)
    by_file = {a.pipeline: (a.triggers, a.possible_triggers) for a in evidence.of_kind(K.RUN_TESTS)}
    assert by_file["a.yml"] == ({T.PULL_REQUEST, T.MANUAL}, frozenset())
    assert by_file["b.yml"] == ({T.SCHEDULE, T.MANUAL}, frozenset())
    assert by_file["c.yml"] == ({T.EVENT, T.MANUAL}, {T.PULL_REQUEST})


def test_azure_devops_each_loop_and_script_files(tmp_path: Path) -> None:
    pipeline = """\
parameters:
  - name: environments
    type: object
    default: [dev, prod]
trigger: [main]
jobs:
  - ${{ each env in parameters.environments }}:
    - deployment: deploy_${{ env }}
      environment: ${{ env }}
      strategy:
        runOnce:
          deploy:
            steps:
              - task: AzureCLI@2
                inputs:
                  azureSubscription: sc
                  scriptType: bash
                  scriptLocation: scriptPath
                  scriptPath: scripts/deploy.sh
                  addSpnToEnvironment: true
"""
    script = (
        "#!/bin/bash\naz login --service-principal -u $servicePrincipalId --federated-token $idToken\n"
        "az ml online-deployment create -f mlops/blue.yml\n"
    )
    evidence, _ = read(tmp_path, {"azure-pipelines.yml": pipeline, "scripts/deploy.sh": script})
    deploys = evidence.of_kind(K.DEPLOY_MODEL)
    assert [(a.job, a.environment, a.files) for a in deploys] == [
        ("deploy_dev", "dev", ("mlops/blue.yml",)),
        ("deploy_prod", "prod", ("mlops/blue.yml",)),
    ]
    assert {login.method for login in evidence.logins} == {"oidc"}


def test_azure_devops_detection_ignores_other_yaml(tmp_path: Path) -> None:
    aml_pipeline = (
        "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\n"
        "jobs:\n  train:\n    type: command\n    command: python train.py\n"
    )
    evidence, files = read(
        tmp_path,
        {
            "mlops/pipeline.yml": aml_pipeline,
            "docker-compose.yml": "services:\n  a:\n    image: x\n",
            "broken.yml": "steps:\n  - script: [unclosed\n",
        },
    )
    assert evidence.pipelines == [] and evidence.actions == []
    assert [note.path for note in files.notes] == ["broken.yml"]


# -- GitLab -------------------------------------------------------------------------------------

GITLAB = """\
include:
  - local: /ci/deploy.yml
stages: [test, train, deploy]
variables:
  PIPELINE: mlops/pipeline.yml
.azure:
  id_tokens:
    AZURE_TOKEN:
      aud: api://AzureADTokenExchange
  before_script:
    - az login --service-principal -u $AZURE_CLIENT_ID -t $AZURE_TENANT_ID --federated-token $AZURE_TOKEN
unit:
  stage: test
  script:
    - pytest
lint:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script: ruff check .
  allow_failure: true
train:
  stage: train
  extends: .azure
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - az ml job create -f $PIPELINE --stream
"""
GITLAB_DEPLOY = """\
deploy:
  stage: deploy
  extends: .azure
  environment:
    name: production
  only: [main]
  script:
    - az ml online-deployment create -f mlops/blue.yml
rollback:
  stage: deploy
  when: on_failure
  needs: [deploy]
  script:
    - !reference [.azure, before_script]
    - az ml online-endpoint update -n ep --traffic "blue=100"
"""


def test_gitlab_rules_environments_and_includes(tmp_path: Path) -> None:
    evidence, files = read(tmp_path, {".gitlab-ci.yml": GITLAB, "ci/deploy.yml": GITLAB_DEPLOY})
    assert not files.notes
    unit = only(evidence, K.RUN_TESTS)
    assert (unit.triggers, unit.possible_triggers) == ({T.PUSH}, {T.PULL_REQUEST})  # a branch pipeline
    lint = only(evidence, K.LINT)
    assert lint.triggers == {T.PULL_REQUEST} and lint.continue_on_error
    train = only(evidence, K.SUBMIT_JOB)
    assert train.files == ("mlops/pipeline.yml",) and train.triggers == {T.SCHEDULE, T.PUSH}
    assert train.job_needs == ("unit", "lint")  # the jobs of earlier stages
    deploy = only(evidence, K.DEPLOY_MODEL)
    assert (deploy.environment, deploy.pipeline, deploy.triggers) == ("production", "ci/deploy.yml", {T.PUSH})
    rollback = only(evidence, K.SHIFT_TRAFFIC)
    assert rollback.condition == "when: on_failure" and rollback.job_needs == ("deploy",)
    assert {login.method for login in evidence.logins} == {"oidc"}
    assert len(evidence.logins) == 3  # train, deploy (extends) and rollback (!reference)
    assert next(p for p in evidence.pipelines if p.path == "ci/deploy.yml").is_template


def test_gitlab_workflow_rules_and_only(tmp_path: Path) -> None:
    config = """\
workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
test:
  script: [tox]
nightly:
  only: [schedules]
  script:
    - - python -m pytest tests/slow
"""
    evidence, _ = read(tmp_path, {".gitlab-ci.yml": config})
    by_job = {a.job: a.triggers for a in evidence.of_kind(K.RUN_TESTS)}
    assert by_job == {"test": {T.PULL_REQUEST, T.PUSH}, "nightly": {T.SCHEDULE}}


# -- commands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "kind", "files", "option"),
    [
        ("pytest -q", K.RUN_TESTS, (), None),
        ("python3 -m pytest tests/", K.RUN_TESTS, (), None),
        ("uv run --frozen pytest", K.RUN_TESTS, (), None),
        ("poetry run tox -e py311", K.RUN_TESTS, (), None),
        ("nox", K.RUN_TESTS, (), None),
        ("coverage run -m pytest", K.RUN_TESTS, (), None),
        ("tox -e lint", K.LINT, (), None),
        ("ruff check src", K.LINT, (), None),
        ("ruff format --check .", K.LINT, (), None),
        ("black --check .", K.LINT, (), None),
        ("python -m mypy src", K.LINT, (), None),
        ("pre-commit run --all-files", K.LINT, (), None),
        ("flake8 . --exit-zero", K.LINT, (), "--exit-zero"),
        (
            "az ml job create --file train/pipeline.yml --stream",
            K.SUBMIT_JOB,
            ("train/pipeline.yml",),
            "--stream",
        ),
        ("az ml job stream --name $RUN_ID", K.WAIT_JOB, (), "--name"),
        (
            "az ml schedule create --file ./mlops/schedule.yml",
            K.CREATE_SCHEDULE,
            ("mlops/schedule.yml",),
            None,
        ),
        ("az ml online-endpoint create -f ep.yml", K.CREATE_ENDPOINT, ("ep.yml",), None),
        ("az ml online-endpoint update -n ep --traffic 'blue=0 green=100'", K.SHIFT_TRAFFIC, (), "--traffic"),
        (
            "az ml batch-endpoint update -n ep --set defaults.deployment_name=green",
            K.SHIFT_TRAFFIC,
            (),
            "--set",
        ),
        (
            "az ml online-deployment create -f d.yml --set model=azureml:m:3 --all-traffic",
            K.DEPLOY_MODEL,
            ("d.yml",),
            "--all-traffic",
        ),
        ("az ml batch-deployment update --file b.yml", K.DEPLOY_MODEL, ("b.yml",), None),
        ("az ml online-endpoint invoke -n ep --request-file s.json", K.INVOKE_ENDPOINT, (), None),
        (
            'curl -X POST "$SCORING_URI" -H "Authorization: Bearer $KEY" -d @sample.json',
            K.INVOKE_ENDPOINT,
            (),
            None,
        ),
        ("Invoke-RestMethod -Uri $scoringUri -Method Post", K.INVOKE_ENDPOINT, (), None),
        ("az ml online-deployment delete -n ep --name green --yes", K.DELETE_DEPLOYMENT, (), None),
        (
            "az deployment group create -g rg --template-file infra/main.bicep",
            K.APPLY_IAC,
            ("infra/main.bicep",),
            None,
        ),
        (
            "az deployment sub create -l westeurope -f infra/main.bicep",
            K.APPLY_IAC,
            ("infra/main.bicep",),
            None,
        ),
        (
            "az deployment group what-if -g rg -f infra/main.bicep",
            K.VALIDATE_IAC,
            ("infra/main.bicep",),
            None,
        ),
        ("az deployment group create --what-if -g rg -f main.bicep", K.VALIDATE_IAC, ("main.bicep",), None),
        ("az bicep build --file infra/main.bicep", K.VALIDATE_IAC, ("infra/main.bicep",), None),
        ("bicep lint infra/main.bicep", K.VALIDATE_IAC, ("infra/main.bicep",), None),
        ("terraform -chdir=infra/tf apply -auto-approve", K.APPLY_IAC, ("infra/tf",), None),
        ("terraform plan -out plan.tfplan", K.VALIDATE_IAC, (".",), None),
        (
            "az ml component create --file components/prep.yml",
            K.REGISTER_COMPONENT,
            ("components/prep.yml",),
            None,
        ),
        ("az ml environment create -f env.yml", K.REGISTER_ENVIRONMENT, ("env.yml",), None),
        ("az ml model create --name m --path outputs/model", K.REGISTER_MODEL, (), "--path"),
        (
            "az ml model share --name m --version 3 --share-with-name m --registry-name reg",
            K.SHARE_MODEL,
            (),
            None,
        ),
        ("python src/train.py --config conf.yml", K.RUN_PYTHON, ("src/train.py",), "--config"),
        ("python -m pkg.submit", K.RUN_PYTHON, ("src/pkg/submit.py",), None),
    ],
)
def test_command_recognition(
    tmp_path: Path, script: str, kind: ActionKind, files: tuple, option: str | None
) -> None:
    workflow = "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n          " + script + "\n"
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow, "src/pkg/submit.py": "print(1)\n"})
    found = [a for a in evidence.actions if a.kind is kind]
    assert len(found) == 1, [(a.kind, a.command) for a in evidence.actions]
    assert found[0].files == files
    if option:
        assert option in found[0].options


@pytest.mark.parametrize(
    "script",
    [
        "ruff format .",
        "black .",
        "pre-commit install",
        "pytest --collect-only",
        "echo pytest",
        "az ml job list",
        "curl https://example.com/file.tar.gz -o f",
        "python -c 'import x'",
        "python -m pip install -e .",
        "# az ml job create -f x.yml",
        "terraform fmt -check",
    ],
)
def test_commands_that_do_nothing_of_interest(tmp_path: Path, script: str) -> None:
    workflow = "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: " + repr(script) + "\n"
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    assert evidence.actions == []


def test_shell_structure_cd_variables_masks_and_failure_branches(tmp_path: Path) -> None:
    script = """\
          set -euo pipefail
          FILE=pipeline.yml
          cd mlops/azureml && \\
            az ml job create -f "$FILE"
          pushd ../../infra; az deployment group create -g rg -f main.bicep || true; popd
          if ! az ml online-deployment create -f deploy.yml; then
            az ml online-endpoint update -n ep --traffic "blue=100"
          fi
          cat <<EOF > notes.txt
          pytest is mentioned here
          EOF
          az ml online-deployment delete -n green || az ml online-endpoint update -n ep --traffic blue=100
"""
    workflow = "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n" + script
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    submit = only(evidence, K.SUBMIT_JOB)
    assert submit.files == ("mlops/azureml/pipeline.yml",) and submit.working_directory == "mlops/azureml"
    apply = only(evidence, K.APPLY_IAC)
    assert apply.files == ("infra/main.bicep",) and apply.continue_on_error  # `|| true`
    deploy = only(evidence, K.DEPLOY_MODEL)
    assert deploy.files == ("mlops/azureml/deploy.yml",)  # popd came back
    shifts = evidence.of_kind(K.SHIFT_TRAFFIC)
    assert len(shifts) == 2 and all(a.condition.startswith("||") for a in shifts)
    assert not evidence.of_kind(K.RUN_TESTS)  # here-document text is not a command


def test_scripts_and_makefiles_are_followed(tmp_path: Path) -> None:
    makefile = (
        "PIPE = mlops/pipeline.yml\n.PHONY: test ci\ntest: lint\n\tpytest -q\nlint:\n\t@ruff check .\n"
        "train:\n\taz ml job create -f $(PIPE)\n"
    )
    workflow = (
        "on: pull_request\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: make test\n"
        "      - run: make -C . train\n      - run: bash scripts/deploy.sh\n      - run: ./scripts/other.sh\n"
    )
    evidence, _ = read(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow,
            "Makefile": makefile,
            "scripts/deploy.sh": "#!/bin/bash\naz ml online-deployment create -f mlops/blue.yml\n",
            "scripts/other.sh": "az ml online-endpoint invoke -n ep\n",
        },
    )
    kinds = [(a.kind, a.files, a.location.line) for a in evidence.actions]
    assert kinds == [
        (K.LINT, (), 6),
        (K.RUN_TESTS, (), 6),
        (K.SUBMIT_JOB, ("mlops/pipeline.yml",), 7),
        (K.DEPLOY_MODEL, ("mlops/blue.yml",), 8),
        (K.INVOKE_ENDPOINT, (), 9),
    ]


def test_bicepparam_names_the_template(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"
        "      - run: az deployment group create -g rg --parameters infra/parameters/prod.bicepparam\n"
    )
    evidence, _ = read(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow,
            "infra/parameters/prod.bicepparam": "using '../main.bicep'\nparam x = 1\n",
        },
    )
    assert only(evidence, K.APPLY_IAC).files == ("infra/main.bicep",)


def test_unresolvable_paths_stay_as_written(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  j:\n    runs-on: x\n    defaults:\n      run:\n        working-directory: mlops\n"
        "    steps:\n      - run: az ml job create -f ${{ vars.PIPELINE_FILE }}\n"
        "      - run: az ml job create -f $UNKNOWN/p.yml\n"
    )
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    assert [a.files for a in evidence.of_kind(K.SUBMIT_JOB)] == [
        ("${{ vars.PIPELINE_FILE }}",),
        ("$UNKNOWN/p.yml",),
    ]


def test_secret_option_values_are_not_shown(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n"
        "      - run: az login --service-principal -u app -p Sup3rS3cret --tenant t && az ml job create -f "
        "p.yml\n"
    )
    evidence, _ = read(tmp_path, {".github/workflows/ci.yml": workflow})
    assert all(
        "Sup3rS3cret" not in text for a in evidence.actions for text in (a.command, *a.options.values())
    )
    assert all("Sup3rS3cret" not in login.detail for login in evidence.logins)


# -- bad input -----------------------------------------------------------------------------------


def test_malformed_binary_and_non_utf8_files_become_notes(tmp_path: Path) -> None:
    evidence, files = read(
        tmp_path,
        {
            ".github/workflows/broken.yml": "on: push\njobs:\n  a: [\n",
            ".github/workflows/list.yml": "- just\n- a list\n",
            ".github/workflows/binary.yml": b"on: push\x00\x01",
            ".github/workflows/latin1.yml": (
                "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest # caf\xe9\n"
            ).encode("latin-1"),
            ".github/workflows/odd.yml": (
                "on: push\njobs:\n  a: 3\n  b:\n    steps: 4\n  c:\n    steps: [1, {run: 2}]\n"
            ),
            ".gitlab-ci.yml": "test: [\n",
            "azure-pipelines.yml": "steps:\n  - script: pytest\n  - task: {not: valid}\n    inputs: 5\n",
        },
    )
    reasons = {note.path: note.reason for note in files.notes}
    assert reasons[".github/workflows/broken.yml"].startswith("malformed YAML: line")
    assert reasons[".github/workflows/list.yml"].startswith("malformed YAML")
    assert reasons[".github/workflows/binary.yml"] == "not read: binary file"
    assert reasons[".github/workflows/latin1.yml"].startswith("not UTF-8")
    assert reasons[".gitlab-ci.yml"].startswith("malformed YAML")
    assert ".github/workflows/odd.yml" not in reasons  # odd shapes are skipped, not errors
    assert "azure-pipelines.yml" not in reasons
    assert {a.pipeline for a in evidence.of_kind(K.RUN_TESTS)} == {
        ".github/workflows/latin1.yml",
        "azure-pipelines.yml",
    }


def test_no_ci_at_all(tmp_path: Path) -> None:
    evidence, files = read(tmp_path, {"README.md": "# x\n", "src/a.py": "x = 1\n"})
    assert evidence == CiEvidence() and not files.notes


def test_gitlab_child_pipeline_runs_with_the_parent_job_triggers(tmp_path: Path) -> None:
    parent = (
        'train:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "schedule"\n'
        "  trigger:\n    include: ci/child.yml\n    strategy: depend\n"
    )
    child = "submit:\n  script:\n    - az ml job create -f mlops/pipeline.yml --stream\n"
    evidence, _ = read(tmp_path, {".gitlab-ci.yml": parent, "ci/child.yml": child})
    submit = only(evidence, K.SUBMIT_JOB)
    assert (submit.job, submit.triggers, submit.root_pipeline) == (
        "train/submit",
        {T.SCHEDULE},
        ".gitlab-ci.yml",
    )
    assert [(p.path, p.is_template) for p in evidence.pipelines] == [
        ("ci/child.yml", True),
        (".gitlab-ci.yml", False),
    ]
