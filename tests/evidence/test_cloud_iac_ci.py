"""CloudFormation and CDK as IaC; CodePipeline/CodeBuild and Cloud Build as CI."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.assessment.evidence.repo.ci.collect import collect as collect_ci
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, Trigger
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.iac.collect import collect as collect_iac
from tests.conftest import write_files

K = ActionKind
T = Trigger

STACK = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-data"
  Studio:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: studio.yaml
"""
STUDIO = """\
Resources:
  Domain:
    Type: AWS::SageMaker::Domain
    Properties:
      DomainName: ml
      VpcId: !Ref VpcId
      DefaultUserSettings:
        ExecutionRole: !GetAtt Role.Arn
"""


def test_cloudformation_templates_are_resources_with_their_nested_stacks(tmp_path: Path) -> None:
    write_files(tmp_path, {"infra/main.yaml": STACK, "infra/studio.yaml": STUDIO, "config.yaml": "a: 1\n"})
    evidence = collect_iac(list_repo_files(tmp_path))
    by_name = {r.name: r for r in evidence.resources}
    assert by_name["Bucket"].type == "AWS::S3::Bucket"
    assert by_name["Bucket"].body["properties"]["BucketName"] == {"Fn::Sub": "${AWS::StackName}-data"}
    assert by_name["Domain"].body["properties"]["DefaultUserSettings"]["ExecutionRole"] == {
        "Fn::GetAtt": ["Role", "Arn"]
    }
    assert str(by_name["Domain"].location) == "infra/studio.yaml:2"
    assert evidence.module_refs["infra/main.yaml"] == ["infra/studio.yaml"]
    assert {f.path for f in evidence.files if f.language == "cloudformation"} == {
        "infra/main.yaml",
        "infra/studio.yaml",
    }


def test_a_broken_template_is_a_note(tmp_path: Path) -> None:
    write_files(tmp_path, {"stack.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A: [\n'})
    files = list_repo_files(tmp_path)
    assert collect_iac(files).resources == []
    assert any("CloudFormation template not parsed" in n.reason for n in files.notes)


def test_cdk_constructs_are_resources(tmp_path: Path) -> None:
    app = (
        "from aws_cdk import Stack, aws_s3 as s3\n"
        "from aws_cdk import aws_sagemaker as sagemaker\n\n\n"
        "class MlStack(Stack):\n"
        "    def __init__(self, scope, id):\n"
        "        super().__init__(scope, id)\n"
        '        s3.Bucket(self, "Data")\n'
        '        sagemaker.CfnDomain(self, "Domain", domain_name="ml", auth_mode="IAM")\n'
    )
    typescript = (
        'import * as codebuild from "aws-cdk-lib/aws-codebuild";\n'
        'new codebuild.PipelineProject(this, "Build", {});\n'
    )
    write_files(
        tmp_path,
        {"cdk/cdk.json": '{"app": "python3 app.py"}', "cdk/stack.py": app, "cdk/lib/b.ts": typescript},
    )
    evidence = collect_iac(list_repo_files(tmp_path))
    assert sorted((r.type, r.name, str(r.location)) for r in evidence.resources) == [
        ("AWS::CodeBuild::Project", "Build", "cdk/lib/b.ts:2"),
        ("AWS::S3::Bucket", "Data", "cdk/stack.py:8"),
        ("AWS::SageMaker::Domain", "Domain", "cdk/stack.py:9"),
    ]


PIPELINE = """\
Resources:
  Repo:
    Type: AWS::CodeCommit::Repository
    Properties: {RepositoryName: churn-training}
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        EnvironmentVariables:
          - {Name: TEMPLATE, Value: stack.yaml}
      Source: {Type: CODEPIPELINE}
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: cron(0 2 * * ? *)
      Targets:
        - Arn: !Sub "arn:aws:codepipeline:${AWS::Region}:${AWS::AccountId}:${Pipeline}"
          Id: nightly
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Provider: CodeCommit}
              Configuration: {RepositoryName: !GetAtt Repo.Name}
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Provider: CodeBuild}
              Configuration: {ProjectName: !Ref Project}
        - Name: Prod
          Actions:
            - Name: Deploy
              ActionTypeId: {Category: Deploy, Provider: CloudFormation}
              Configuration: {TemplatePath: "BuildArtifact::stack-packaged.yaml"}
"""
BUILDSPEC = """\
version: 0.2
phases:
  install:
    commands:
      - pip install -r requirements.txt
  build:
    commands:
      - python train.py
      - aws cloudformation package --template-file $TEMPLATE --output-template-file stack-packaged.yaml
"""


def test_codepipeline_stages_run_buildspecs_and_deploy_templates(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "infra/pipeline.yaml": PIPELINE,
            "training/buildspec.yml": BUILDSPEC,
            "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo other\n",
            "training/train.py": "print('train')\n",
            "training/requirements.txt": "scikit-learn\n",
            "training/stack.yaml": STUDIO,
        },
    )
    evidence = collect_ci(list_repo_files(tmp_path))
    pipeline = next(p for p in evidence.pipelines if p.system == "aws-codepipeline")
    assert set(pipeline.triggers) == {T.PUSH, T.SCHEDULE}
    run = evidence.of_kind(K.RUN_PYTHON)
    assert [(a.files, a.pipeline, a.job) for a in run] == [
        (("training/train.py",), "training/buildspec.yml", "Pipeline/Build")
    ]
    assert evidence.of_kind(K.INSTALL_DEPENDENCIES)[0].files == ("training/requirements.txt",)
    deploy = evidence.of_kind(K.APPLY_IAC)[0]
    assert (deploy.files, deploy.environment, deploy.job_needs) == (
        ("training/stack.yaml",),
        "Prod",
        ("Pipeline/Source", "Pipeline/Build"),
    )
    assert evidence.runs_after(deploy, run[0])


def test_cloud_build_steps_are_ci_steps(tmp_path: Path) -> None:
    config = """\
steps:
  - name: python:3.11
    entrypoint: bash
    args: [-c, "pip install -r requirements.txt && python train.py"]
  - name: hashicorp/terraform:1.8
    dir: /workspace/${_ENV}
    args: [apply, -auto-approve]
  - name: gcr.io/cloud-builders/gcloud
    args: [ai, custom-jobs, create, --region=europe-west1, --config=job.yaml]
substitutions:
  _ENV: infra/prod
"""
    trigger = """\
resource "google_cloudbuild_trigger" "release" {
  filename = "cloudbuild/release.yaml"
  github {
    push {
      branch = "^main$"
    }
  }
}
"""
    write_files(
        tmp_path,
        {
            "cloudbuild/release.yaml": config,
            "cloudbuild.yaml": config,
            "infra/triggers.tf": trigger,
            "train.py": "print(1)\n",
            "requirements.txt": "x\n",
        },
    )
    evidence = collect_ci(list_repo_files(tmp_path))
    triggers = {p.path: set(p.triggers) for p in evidence.pipelines}
    assert triggers == {"cloudbuild/release.yaml": {T.PUSH}, "cloudbuild.yaml": {T.MANUAL}}
    release = [a for a in evidence.actions if a.pipeline == "cloudbuild/release.yaml"]
    assert [(a.kind, a.files) for a in release] == [
        (K.INSTALL_DEPENDENCIES, ("requirements.txt",)),
        (K.RUN_PYTHON, ("train.py",)),
        (K.APPLY_IAC, ("infra/prod",)),
        (K.START_PLATFORM_JOB, ()),
    ]
    manual = next(a for a in evidence.actions if a.pipeline == "cloudbuild.yaml")
    assert manual.possible_triggers == {T.PUSH, T.PULL_REQUEST}
