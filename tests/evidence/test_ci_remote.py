"""Delegation to other repositories: known reusable workflows and templates do what the data says;
unknown ones are recorded as such. The data file itself is checked against the CI model."""

from __future__ import annotations

from pathlib import Path

import yaml

from mlops_ladder.assessment.evidence.repo.ci.collect import collect
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiEvidence, Trigger
from mlops_ladder.assessment.evidence.repo.ci.remote.catalog import DATA, known_templates, parse_github_uses
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

K = ActionKind
TEMPLATES = "Azure/mlops-templates/.github/workflows"


def read(tmp_path: Path, files: dict[str, str]) -> CiEvidence:
    write_files(tmp_path, files)
    return collect(list_repo_files(tmp_path))


def test_the_data_names_valid_kinds_refs_and_inputs() -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    for repository in data["repositories"].values():
        assert repository["default_ref"] in repository["read_at"]
        assert all(len(commit) == 40 for commit in repository["read_at"].values())
    templates = known_templates()
    assert len(templates) >= 40
    for template in templates:
        assert template.system in ("github", "azure-devops"), template.name
        assert template.does, template.name
        for action in template.actions:
            assert set(action.at) <= set(template.read_at), template.name
        for ref, login in template.login.items():
            assert login in ("creds", "client-id", "service-connection"), template.name
            assert ref == "*" or ref in template.read_at, template.name


def test_github_reference_parsing() -> None:
    reference = parse_github_uses(f"{TEMPLATES}/run-pipeline.yml@v1.1.0")
    assert reference is not None
    assert (reference.repository, reference.path, reference.ref) == (
        "Azure/mlops-templates",
        ".github/workflows/run-pipeline.yml",
        "v1.1.0",
    )
    assert parse_github_uses("./.github/workflows/local.yml") is None
    assert parse_github_uses("actions/checkout@v4") is None


def test_a_known_reusable_workflow_does_what_the_data_says(tmp_path: Path) -> None:
    workflow = f"""\
on: workflow_dispatch
jobs:
  get-config:
    uses: {TEMPLATES}/read-yaml.yml@main
    with:
      file_name: config-infra-prod.yml
  train:
    needs: get-config
    uses: {TEMPLATES}/run-pipeline.yml@v1.1.0
    with:
      parameters-file: mlops/train/pipeline.yml
      resource_group: ${{{{ needs.get-config.outputs.resource_group }}}}
      workspace_name: w
      job-name: j
    secrets:
      creds: ${{{{ secrets.AZURE_CREDENTIALS }}}}
  infra:
    needs: get-config
    uses: {TEMPLATES}/tf-gha-install-terraform.yml@main
    with:
      TFAction: apply
      dply_environment: prod
      terraform_workingdir: ${{{{ needs.get-config.outputs.terraform_workingdir }}}}
"""
    config = "variables:\n  terraform_workingdir: infrastructure\n  resource_group: rg-$(namespace)\n"
    evidence = read(tmp_path, {".github/workflows/train.yml": workflow, "config-infra-prod.yml": config})
    submit = evidence.of_kind(K.SUBMIT_JOB)
    assert [a.files for a in submit] == [("mlops/train/pipeline.yml",)]
    assert submit[0].triggers == {Trigger.MANUAL} and submit[0].job == "train/run-pipeline"
    assert not evidence.of_kind(K.WAIT_JOB)  # run-pipeline.yml@v1.1.0 does not wait
    apply = evidence.of_kind(K.APPLY_IAC)
    assert [a.files for a in apply] == [("infrastructure",)]  # the folder read from the config file
    assert apply[0].environment == "prod"
    assert {login.method for login in evidence.logins} == {"secret"}
    assert all(call.known for call in evidence.remote_calls)


def test_another_ref_is_recognised_and_said_so(tmp_path: Path) -> None:
    workflow = (
        f"on: push\njobs:\n  train:\n    uses: {TEMPLATES}/run-pipeline.yml@v9\n"
        "    with:\n      parameters-file: p.yml\n"
    )
    evidence = read(tmp_path, {".github/workflows/train.yml": workflow})
    assert [a.kind for a in evidence.actions] == [K.SUBMIT_JOB, K.WAIT_JOB]  # as at main
    (call,) = evidence.remote_calls
    assert call.known and "assumed to behave as at main" in call.detail


def test_an_unknown_reusable_workflow_is_recorded(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  train:\n    uses: contoso/ml-platform/.github/workflows/train.yml@v1\n"
        "    with:\n      pipeline: mlops/pipeline.yml\n"
    )
    evidence = read(tmp_path, {".github/workflows/train.yml": workflow})
    assert evidence.actions == []
    (call,) = evidence.unknown_remote_calls()
    assert call.reference == "contoso/ml-platform/.github/workflows/train.yml@v1"
    assert call.triggers == {Trigger.PUSH}


def test_azure_devops_templates_of_another_repository(tmp_path: Path) -> None:
    pipeline = """\
trigger: [main]
resources:
  repositories:
    - repository: mlops-templates
      type: github
      name: Azure/mlops-templates
      endpoint: github
      ref: main
    - repository: other
      type: git
      name: platform/shared
variables:
  terraform_workingdir: infra
  endpoint_type: online
  endpoint_name: ep
stages:
  - stage: Train
    jobs:
      - job: train
        steps:
          - template: templates/aml-cli-v2/run-pipeline.yml@mlops-templates
            parameters:
              pipeline_file: mlops/azureml/train/pipeline.yml
              experiment_name: e
              display_name: d
          - template: templates/infra/run-terraform-apply.yml@mlops-templates
          - template: steps/deploy.yml@other
"""
    evidence = read(tmp_path, {"azure-pipelines.yml": pipeline})
    kinds = [(a.kind, a.files, a.continue_on_error) for a in evidence.actions]
    assert kinds == [
        (K.SUBMIT_JOB, ("mlops/azureml/train/pipeline.yml",), True),  # continueOnError: true in the template
        (K.WAIT_JOB, (), True),
        (K.APPLY_IAC, ("infra",), False),
    ]
    unknown = evidence.unknown_remote_calls()
    assert [call.reference for call in unknown] == ["steps/deploy.yml@other"]


def test_azure_devops_environment_chosen_by_branch_and_artifacts(tmp_path: Path) -> None:
    pipeline = """\
variables:
  - ${{ if eq(variables['Build.SourceBranchName'], 'main') }}:
      - template: config/prod.yml
  - ${{ if ne(variables['Build.SourceBranchName'], 'main') }}:
      - template: config/dev.yml
stages:
  - stage: Build
    jobs:
      - job: package
        steps:
          - task: CopyFiles@2
            inputs:
              sourceFolder: mlops
              targetFolder: $(Build.ArtifactStagingDirectory)
          - publish: $(Build.ArtifactStagingDirectory)
            artifact: code
  - stage: Deploy
    jobs:
      - deployment: deploy
        environment: $(ENVIRONMENT)
        strategy:
          runOnce:
            deploy:
              steps:
                - download: current
                  artifact: code
                - task: ManualValidation@0
                  inputs: {notifyUsers: ops@contoso.com}
                - script: az ml online-deployment create -f $(Pipeline.Workspace)/code/deploy/blue.yml
"""
    files = {
        "azure-pipelines.yml": pipeline,
        "config/prod.yml": "variables:\n  ENVIRONMENT: prod\n",
        "config/dev.yml": "variables:\n  ENVIRONMENT: dev\n",
    }
    evidence = read(tmp_path, files)
    deploy = evidence.of_kind(K.DEPLOY_MODEL)
    assert [a.files for a in deploy] == [("mlops/deploy/blue.yml",)]
    assert set(deploy[0].environment_choices) == {"dev", "prod"}
    assert [a.kind for a in evidence.of_kind(K.APPROVAL)] == [K.APPROVAL]


def test_azure_devops_per_environment_variable_templates_and_v1_tasks(tmp_path: Path) -> None:
    pipeline = """\
trigger: none
stages:
  - stage: DeployDev
    jobs:
      - template: deploy.yml
        parameters: {variablesFile: config-dev.yml}
  - stage: DeployProd
    jobs:
      - template: deploy.yml
        parameters: {variablesFile: config-prod.yml}
"""
    template = """\
parameters:
  variablesFile: ''
jobs:
  - job: Deploy
    variables:
      - template: ${{ parameters.variablesFile }}
    steps:
      - task: AzureCLI@2
        inputs:
          azureSubscription: sc
          scriptLocation: inlineScript
          scriptType: bash
          workingDirectory: ${{ variables.model_path }}
          inlineScript: az ml model deploy -n svc -m credit:3 --ic inference.yml --dc deploy-aks.yml
      - task: ms-air-aiagility.vss-services-azureml.azureml-restApi-task.MLPublishedPipelineRestAPITask@0
        inputs: {azureSubscription: sc, PipelineId: $(pipeline_id), ExperimentName: train}
"""
    files = {
        "pipelines/rollout.yml": pipeline,
        "pipelines/deploy.yml": template,
        "pipelines/config-dev.yml": "variables:\n  model_path: models/credit\n",
        "pipelines/config-prod.yml": "variables:\n  model_path: models/credit\n",
    }
    evidence = read(tmp_path, files)
    deploys = evidence.of_kind(K.DEPLOY_MODEL)
    assert [a.files for a in deploys] == [("models/credit/deploy-aks.yml", "models/credit/inference.yml")] * 2
    assert [a.config_files for a in deploys] == [
        ("pipelines/config-dev.yml",),
        ("pipelines/config-prod.yml",),
    ]
    assert deploys[0].options["-m"] == "credit:3"
    assert len(evidence.of_kind(K.RUN_PUBLISHED_PIPELINE)) == 2


def test_cli_v1_and_template_specs(tmp_path: Path) -> None:
    script = (
        "cd models/credit\n"
        "az ml run submit-script -c train-cluster -e credit\n"
        "az ml run submit-pipeline --pipeline-id $PIPELINE_ID\n"
        "az ml pipeline create -n train -y pipeline.yml\n"
        "cd ../..\n"
        "az ts create -n spec -v 1 -g rg --template-file infra/main.json\n"
        "az deployment group create -g rg --template-spec $SPEC_ID/versions/1\n"
    )
    workflow = "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n" + "".join(
        f"          {line}\n" for line in script.splitlines()
    )
    files = {
        ".github/workflows/ci.yml": workflow,
        "models/credit/.azureml/train-cluster.runconfig": "script: t.py\n",
    }
    evidence = read(tmp_path, files)
    assert [(a.kind, a.files) for a in evidence.actions] == [
        (K.SUBMIT_JOB, ("models/credit/.azureml/train-cluster.runconfig",)),
        (K.RUN_PUBLISHED_PIPELINE, ()),
        (K.PUBLISH_PIPELINE, ("models/credit/pipeline.yml",)),
        (K.APPLY_IAC, ("infra/main.json",)),
    ]
