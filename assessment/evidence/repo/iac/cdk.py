"""AWS CDK apps (Python or TypeScript) as resources with their CloudFormation type.

An app is the folder of a `cdk.json`; its `.py`, `.ts` and `.js` files (not tests, `cdk.out`
or `node_modules`) are scanned for construct instantiations, resolved through the module
aliases the file imports:

    from aws_cdk import aws_sagemaker as sagemaker     sagemaker.CfnEndpoint(self, "Endpoint", ...)
    import * as s3 from "aws-cdk-lib/aws-s3"           new s3.Bucket(this, "Data", {...})

A `Cfn<Name>` class of `aws_<service>` is `AWS::<Service>::<Name>`; a higher-level construct
is its main resource (`s3.Bucket` -> `AWS::S3::Bucket`, `codebuild.PipelineProject` ->
`AWS::CodeBuild::Project`). Each becomes a Resource named by its construct id, with body
`{"name": id, "construct": class}`, source "cdk". The code is not executed: properties are not
read, and constructs built in loops or from variables count once.
"""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence, IacFile

_SOURCE_SUFFIXES = (".py", ".ts", ".js")
_SKIPPED = ("cdk.out/", "node_modules/", "tests/", "test/")
_PY_ALIAS = re.compile(r"\b(aws_[a-z0-9_]+)\s+as\s+(\w+)")  # from aws_cdk import (aws_s3 as s3, ...)
_PY_IMPORT = re.compile(r"from\s+aws_cdk\s+import\s+\(?([\w\s,]+)\)?")
_PY_FROM = re.compile(r"from\s+aws_cdk\.(aws_\w+)\s+import\s+\(?([\w\s,]+)\)?")
_TS_IMPORT = re.compile(r"""import\s+\*\s+as\s+(\w+)\s+from\s+['"](?:aws-cdk-lib/|@aws-cdk/)(aws-[\w-]+)""")
_SCOPE_AND_ID = r"""\(\s*(?:self|this|scope)\s*,\s*["'`]([^"'`]+)["'`]"""  # (self, "Endpoint"
_CONSTRUCT = re.compile(r"\b(\w+)\.([A-Z]\w*)" + _SCOPE_AND_ID)
_BARE_CONSTRUCT = re.compile(r"\b([A-Z]\w*)" + _SCOPE_AND_ID)
_SERVICE_NAMES = {
    "sagemaker": "SageMaker",
    "s3": "S3",
    "iam": "IAM",
    "kms": "KMS",
    "ec2": "EC2",
    "sns": "SNS",
    "sqs": "SQS",
    "ecr": "ECR",
    "ecs": "ECS",
    "codebuild": "CodeBuild",
    "codepipeline": "CodePipeline",
    "codecommit": "CodeCommit",
    "cloudwatch": "CloudWatch",
    "events": "Events",
    "lambda": "Lambda",
    "stepfunctions": "StepFunctions",
    "scheduler": "Scheduler",
    "apigateway": "ApiGateway",
    "logs": "Logs",
    "ssm": "SSM",
    "dynamodb": "DynamoDB",
    "glue": "Glue",
    "athena": "Athena",
}
_MAIN_RESOURCE = {  # higher-level constructs whose resource type is not their class name
    ("CodeBuild", "PipelineProject"): "Project",
    ("EC2", "Vpc"): "VPC",
    ("Lambda", "DockerImageFunction"): "Function",
    ("StepFunctions", "StateMachine"): "StateMachine",
}


def collect(files: RepoFiles, evidence: IacEvidence) -> None:
    """Add the resources of every CDK app (a folder with cdk.json) to *evidence*."""
    for manifest in files.named("cdk.json"):
        app = posixpath.dirname(manifest.path)
        for repo_file in files.under(app) if app else files.files:
            relative = repo_file.path[len(app) + 1 :] if app else repo_file.path
            if not repo_file.path.endswith(_SOURCE_SUFFIXES) or relative.startswith(_SKIPPED):
                continue
            if repo_file.path.endswith((".d.ts", "_test.py")) or "/test_" in "/" + relative:
                continue
            text = files.read_text(repo_file.path)
            resources = read_constructs(repo_file.path, text or "")
            if resources:
                evidence.files.append(IacFile(repo_file.path, "cdk"))
                evidence.resources.extend(resources)


def read_constructs(path: str, text: str) -> list[Resource]:
    services = _imported_services(text)
    if not services:
        return []
    found = []
    for match in _CONSTRUCT.finditer(text):
        service = services.get(match.group(1))
        if service:
            found.append(_resource(path, text, match.start(), service, match.group(2), match.group(3)))
    classes = _imported_classes(text)
    for match in _BARE_CONSTRUCT.finditer(text):
        service = classes.get(match.group(1))
        if service and (match.start() == 0 or text[match.start() - 1] != "."):
            found.append(_resource(path, text, match.start(), service, match.group(1), match.group(2)))
    return sorted(found, key=lambda r: r.location.line or 0)


def _imported_services(text: str) -> dict[str, str]:
    """Module alias -> CloudFormation service name (`sagemaker` -> `SageMaker`)."""
    aliases = {}
    for names in _PY_IMPORT.findall(text):
        for module in re.findall(r"\baws_[a-z0-9_]+\b", names):
            aliases[module] = _service(module.removeprefix("aws_"))
    for module, alias in _PY_ALIAS.findall(text):
        aliases[alias] = _service(module.removeprefix("aws_"))
    for alias, module in _TS_IMPORT.findall(text):
        aliases[alias] = _service(module.removeprefix("aws-").replace("-", ""))
    return aliases


def _imported_classes(text: str) -> dict[str, str]:
    """Class name -> service, for `from aws_cdk.aws_s3 import Bucket, CfnBucket`."""
    classes = {}
    for module, names in _PY_FROM.findall(text):
        for name in re.split(r"[\s,]+", names):
            if name and name[0].isupper():
                classes[name] = _service(module.removeprefix("aws_"))
    return classes


def _service(name: str) -> str:
    return _SERVICE_NAMES.get(name, name[:1].upper() + name[1:])


def _resource(path: str, text: str, offset: int, service: str, construct: str, construct_id: str) -> Resource:
    name = _MAIN_RESOURCE.get((service, construct), construct)
    if construct.startswith("Cfn"):
        name = construct[3:]
    return Resource(
        type=f"AWS::{service}::{name}",
        name=construct_id,
        body={"name": construct_id, "construct": construct},
        location=Location(path, text.count("\n", 0, offset) + 1),
        source="cdk",
    )
