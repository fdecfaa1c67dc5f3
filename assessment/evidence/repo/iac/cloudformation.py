"""AWS CloudFormation templates (YAML or JSON, SAM included) as resources.

A template is a `.yaml`, `.yml`, `.json` or `.template` file with a top-level `Resources`
mapping whose entries have a `Type` such as `AWS::SageMaker::Endpoint` (a cheap text test
runs before any parse). Each entry becomes a Resource: its CloudFormation type, its logical id
as the name, `body = {"name": id, "properties": Properties, "condition": Condition}` and the
file:line of the logical id; source "cloudformation". Short-form intrinsic functions (`!Ref X`,
`!Sub ...`, `!GetAtt A.B`) load as their long form (`{"Ref": "X"}`, `{"Fn::Sub": ...}`), as
in JSON templates, and stay unresolved.

Nested stacks (`AWS::CloudFormation::Stack`, `AWS::CloudFormation::StackSet`,
`AWS::Serverless::Application`) whose template is a relative path are module references
(`module_refs`), so a deployment of the parent reaches them. A file that does not parse gets
a Note.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from typing import Any

import yaml

from mlops_ladder.assessment.evidence import yamlfile
from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.jsonfile import load_json
from mlops_ladder.assessment.evidence.repo.files import MAX_READ_BYTES, RepoFiles
from mlops_ladder.assessment.evidence.repo.iac.common import short_error
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence, IacFile

SUFFIXES = (".yaml", ".yml", ".json", ".template")
_RESOURCE_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?(AWS|Alexa|Custom)::""")
_NESTED_TEMPLATE = {
    "AWS::CloudFormation::Stack": "TemplateURL",
    "AWS::CloudFormation::StackSet": "TemplateURL",
    "AWS::Serverless::Application": "Location",
}


class _TemplateLoader(yamlfile._LineLoader):  # line numbers as in every other YAML reader
    pass


def _intrinsic(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict:
    """`!Ref X` -> {"Ref": "X"}; `!GetAtt A.B` -> {"Fn::GetAtt": ["A", "B"]}; `!Sub s` -> {"Fn::Sub": s}."""
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


@functools.lru_cache(maxsize=128)  # the CI reader asks for the templates that the IaC reader parsed
def load_template(text: str, json_text: bool = False) -> dict | None:
    """The template in *text*, or None when it is not a CloudFormation template.

    Raises ValueError (with a one-line message) when it looks like one but does not parse."""
    if not _RESOURCE_TYPE.search(text) and "AWSTemplateFormatVersion" not in text:
        return None
    try:
        # YAML through the one loader, so its bounds (depth, aliases) hold for templates too
        data = load_json(text) if json_text else yamlfile.load_yaml(text, loader_class=_TemplateLoader)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return data if is_template(data) else None


def is_template(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return False
    resources = [r for r in data["Resources"].values() if isinstance(r, dict)]
    return bool(resources) and all(isinstance(r.get("Type"), str) and "::" in r["Type"] for r in resources)


def template_files(files: RepoFiles, declaring: tuple[str, ...] = ()) -> list[tuple[str, dict]]:
    """(path, template) for every CloudFormation template of the repository (parse errors are noted);
    with *declaring*, only templates whose text names one of those resource types."""
    found = []
    for repo_file in files.files:
        path = repo_file.path
        if not path.lower().endswith(SUFFIXES) or not 0 < repo_file.size <= MAX_READ_BYTES:
            continue
        if posixpath.basename(path).startswith(("package", "tsconfig")):
            continue
        text = files.read_text(path)
        if text is None or "Resources" not in text or (declaring and not any(t in text for t in declaring)):
            continue
        try:
            template = load_template(text, path.lower().endswith(".json"))
        except ValueError as exc:
            if "AWSTemplateFormatVersion" in text:
                files.note(path, f"CloudFormation template not parsed: {short_error(exc)}")
            continue
        if template is not None:
            found.append((path, template))
    return found


def collect(files: RepoFiles, evidence: IacEvidence) -> None:
    """Add the CloudFormation templates' files, resources and nested-stack references to *evidence*."""
    for path, template in template_files(files):
        evidence.files.append(IacFile(path, "cloudformation"))
        try:
            resources, nested = read_resources(path, template)
        except Exception as exc:  # an odd value shape must not stop the scan
            files.note(path, f"CloudFormation resources not read: {short_error(exc)}")
            continue
        evidence.resources.extend(resources)
        local = [ref for ref in nested if files.exists(ref)]
        if local:
            evidence.module_refs.setdefault(path, []).extend(local)


def read_resources(path: str, template: dict) -> tuple[list[Resource], list[str]]:
    """The resources of *template* (in *path*) and the repo paths of the nested templates it names."""
    section = template["Resources"]
    resources, nested = [], []
    for logical_id, declaration in section.items():
        if not isinstance(declaration, dict):
            continue
        kind = str(declaration.get("Type", ""))
        properties = declaration.get("Properties") if isinstance(declaration.get("Properties"), dict) else {}
        body = {"name": str(logical_id), "properties": properties}
        if "Condition" in declaration:
            body["condition"] = declaration["Condition"]
        line = section.key_line(logical_id) if isinstance(section, yamlfile.LineDict) else 0
        resources.append(
            Resource(
                type=kind,
                name=str(logical_id),
                body=body,
                location=Location(path, line or None),
                source="cloudformation",
            )
        )
        url = properties.get(_NESTED_TEMPLATE.get(kind, ""))
        if isinstance(url, str) and "://" not in url and not url.startswith("/"):
            nested.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), url)))
    return resources, nested
