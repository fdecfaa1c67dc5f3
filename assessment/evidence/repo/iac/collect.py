"""Infrastructure code of the repository: Bicep, ARM JSON and Terraform, read as Azure resources.

Every resource comes out ARM-shaped (see common.Resource), whatever language declared it,
so the checks in checks/resources.py run unchanged on code and on live Azure (the facts:
model.py). The readers:

* bicep/: `.bicep` files (pycep-parser), values resolved through parameters,
  variables and module calls; `.bicepparam` files are read here for their `using` line.
* arm.py: `.json` files with a deploymentTemplate / deploymentParameters `$schema`.
* terraform/: `.tf` files (python-hcl2), azurerm resources mapped to ARM types;
  `.tfvars` files are parameter files.
* cloudformation.py and cdk.py: AWS CloudFormation templates and CDK apps, with their
  CloudFormation types (not ARM-shaped: the platform checks read them).

Parsers are imported only when a file of their language exists. A file that does not parse
gets a Note ("Bicep not parsed: line 3, column 5: ...") and the scan goes on.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.jsonfile import load_json
from mlops_ladder.assessment.evidence.repo.files import MAX_READ_BYTES, RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.iac import arm, cdk, cloudformation
from mlops_ladder.assessment.evidence.repo.iac.bicep.params import agreed_values, parameter_values
from mlops_ladder.assessment.evidence.repo.iac.bicep.parse import BicepReader
from mlops_ladder.assessment.evidence.repo.iac.bicep.resources import build_resources as build_bicep_resources
from mlops_ladder.assessment.evidence.repo.iac.common import (
    ENVIRONMENT_ALIASES,
    environment_of,
    join_repo_path,
    short_error,
)
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence, IacFile, ParameterFile
from mlops_ladder.assessment.evidence.repo.iac.terraform.hcl import (
    TerraformFile,
    TerraformReader,
    auto_tfvars_values,
)
from mlops_ladder.assessment.evidence.repo.iac.terraform.resources import (
    build_resources as build_terraform_resources,
)

# JSON files that are never ARM templates: skipped without being read.
_NOT_ARM_JSON = frozenset({
    "package.json", "package-lock.json", "tsconfig.json", "jsconfig.json", "composer.json", "composer.lock",
    "launch.json", "settings.json", "extensions.json", "tasks.json", "devcontainer.json", ".eslintrc.json",
    "renovate.json", "app.json", "manifest.json", "bicepconfig.json", "pyrightconfig.json", "cspell.json",
})
_USING = re.compile(r"^\s*using\s+'([^']*)'", re.MULTILINE)
_AUTO_TFVARS = re.compile(r"(^|/)(terraform\.tfvars|[^/]+\.auto\.tfvars)$")
_PARAMETER_WORDS = frozenset({"parameters", "parameter", "params", "param"})


@dataclass
class _Found:
    bicep: list[RepoFile] = field(default_factory=list)
    bicepparam: list[RepoFile] = field(default_factory=list)
    json: list[RepoFile] = field(default_factory=list)
    terraform: list[RepoFile] = field(default_factory=list)
    tfvars: list[RepoFile] = field(default_factory=list)


def collect(files: RepoFiles) -> IacEvidence:
    found = _classify(files)
    evidence = IacEvidence()
    _collect_bicep(files, found, evidence)
    templates = {f.path for f in found.bicep}
    arm_parameter_paths = _collect_arm(files, found, evidence, templates)
    _collect_terraform(files, found, evidence)
    cloudformation.collect(files, evidence)
    cdk.collect(files, evidence)
    for path in arm_parameter_paths:
        evidence.parameter_files.append(
            ParameterFile(path, _template_for_json_parameters(path, templates), environment_of(path))
        )
    evidence.files.sort(key=lambda f: f.path)
    evidence.parameter_files.sort(key=lambda p: p.path)
    return evidence


def _classify(files: RepoFiles) -> _Found:
    found = _Found()
    for file in files.files:
        # Plain string operations: RepoFile.name / .suffix build a PurePosixPath per call, which
        # costs a third of a second over 20,000 files.
        name = file.path.rpartition("/")[2].lower()
        suffix = name[name.rfind("."):] if "." in name else ""
        if suffix == ".bicep":
            found.bicep.append(file)
        elif suffix == ".bicepparam":
            found.bicepparam.append(file)
        elif suffix == ".tf":
            found.terraform.append(file)
        elif suffix == ".tfvars" or name.endswith(".tfvars.json"):
            found.tfvars.append(file)
        elif suffix == ".json" and 0 < file.size <= MAX_READ_BYTES and name not in _NOT_ARM_JSON:
            found.json.append(file)
    return found


# -- Bicep ----------------------------------------------------------------------------------------
@functools.cache
def _bicep_reader() -> BicepReader:
    """One parser per process: importing pycep and loading its grammar is the slow part."""
    return BicepReader()


@functools.cache
def _terraform_reader() -> TerraformReader:
    return TerraformReader()


def _collect_bicep(files: RepoFiles, found: _Found, evidence: IacEvidence) -> None:
    values_by_template: dict[str, list[dict]] = {}
    for file in found.bicepparam:
        evidence.files.append(IacFile(file.path, "bicepparam"))
        text = files.read_text(file.path)
        template = None
        if text is not None:
            using = _USING.search(text)
            if using and not using.group(1).startswith(("br:", "br/", "ts:", "ts/")):
                template = join_repo_path(file.path, using.group(1))
            if template is not None:
                values_by_template.setdefault(template, []).append(parameter_values(text))
        evidence.parameter_files.append(ParameterFile(file.path, template, environment_of(file.path)))
    agreed = {template: agreed_values(values) for template, values in values_by_template.items()}
    if not found.bicep:
        return
    try:
        reader = _bicep_reader()
    except Exception as exc:  # pycep missing or broken: say so on every file rather than fail the scan
        for file in found.bicep:
            evidence.files.append(IacFile(file.path, "bicep"))
            files.note(file.path, f"Bicep not parsed: parser unavailable ({short_error(exc)})")
        return
    parsed = []
    for file in found.bicep:
        evidence.files.append(IacFile(file.path, "bicep"))
        text = files.read_text(file.path)
        if text is None:
            continue
        try:
            parsed.append(reader.parse(file.path, text))
        except Exception as exc:  # pycep raises lark errors, ValueError, and worse on odd input
            files.note(file.path, f"Bicep not parsed: {short_error(exc)}")
    try:
        result = build_bicep_resources(parsed, agreed)
    except Exception as exc:  # a value shape the resolver does not expect must not stop the scan
        for file in parsed:
            files.note(file.path, f"Bicep resources not read: {short_error(exc)}")
        return
    evidence.resources.extend(result.resources)
    evidence.module_refs.update(result.module_refs)
    evidence.external_modules.extend(result.external_modules)


# -- ARM JSON -------------------------------------------------------------------------------------
def _collect_arm(files: RepoFiles, found: _Found, evidence: IacEvidence, templates: set[str]) -> list[str]:
    """Read ARM templates; add their paths to *templates*; return the ARM parameter file paths."""
    parameter_paths = []
    bicep_paths = {f.path for f in found.bicep}
    for file in found.json:
        text = files.read_text(file.path)
        if text is None:
            continue
        kind = arm.json_kind(text)
        if kind == "parameters":
            evidence.files.append(IacFile(file.path, "arm-parameters"))
            parameter_paths.append(file.path)
            continue
        if kind != "template":
            continue
        evidence.files.append(IacFile(file.path, "arm"))
        templates.add(file.path)
        try:
            data = load_json(text)
        except json.JSONDecodeError as exc:
            files.note(file.path, arm.malformed_json_reason(exc))
            continue
        if not isinstance(data, dict):
            files.note(file.path, "ARM template is not a JSON object")
            continue
        if arm.compiled_from_bicep(data) and file.path[: -len(".json")] + ".bicep" in bicep_paths:
            continue  # Bicep build output: its resources are read from the .bicep source
        try:
            result = arm.read_template(file.path, text, data)
        except Exception as exc:
            files.note(file.path, f"ARM template not read: {short_error(exc)}")
            continue
        evidence.resources.extend(result.resources)
        if result.module_refs:
            evidence.module_refs[file.path] = result.module_refs
    return parameter_paths


def _template_for_json_parameters(path: str, templates: set[str]) -> str | None:
    """The template an ARM-style parameters file belongs to (see ParameterFile.template)."""
    folder, name = posixpath.split(path)
    words = [w for w in name[: -len(".json")].split(".") if w]
    base = ".".join(
        w for w in words if w.lower() not in _PARAMETER_WORDS and w.lower() not in ENVIRONMENT_ALIASES
    )
    parent = posixpath.dirname(folder)
    search = [folder] if folder == parent else [folder, parent]
    if base:
        for where in search:
            for extension in (".bicep", ".json"):
                candidate = posixpath.join(where, base + extension)
                if candidate in templates:
                    return candidate
    for where in search:
        nearby = [t for t in templates if posixpath.dirname(t) == where]
        if len(nearby) == 1:
            return nearby[0]
    return None


# -- Terraform ------------------------------------------------------------------------------------
def _collect_terraform(files: RepoFiles, found: _Found, evidence: IacEvidence) -> None:
    tf_folders = {posixpath.dirname(f.path) for f in found.terraform}
    for file in found.tfvars:
        evidence.files.append(IacFile(file.path, "tfvars"))
        template = _var_file_module(file.path, tf_folders)
        evidence.parameter_files.append(ParameterFile(file.path, template, environment_of(file.path)))
    if not found.terraform:
        return
    try:
        reader = _terraform_reader()
    except Exception as exc:
        for file in found.terraform:
            evidence.files.append(IacFile(file.path, "terraform"))
            files.note(file.path, f"Terraform not parsed: parser unavailable ({short_error(exc)})")
        return
    parsed = []
    for file in found.terraform:
        evidence.files.append(IacFile(file.path, "terraform"))
        text = files.read_text(file.path)
        if text is None:
            continue
        try:
            data = reader.loads(text)
        except Exception as exc:  # lark errors, and python-hcl2's own on odd input
            files.note(file.path, f"Terraform not parsed: {short_error(exc)}")
            continue
        if isinstance(data, dict):
            parsed.append(TerraformFile(file.path, text, data))
    auto_values: dict[str, list[dict]] = {}
    var_files: dict[str, list[dict]] = {}  # module folder -> its per-environment var files' values
    for file in found.tfvars:
        auto = bool(_AUTO_TFVARS.search(file.path))
        module = _var_file_module(file.path, tf_folders)
        if not auto and (module is None or environment_of(file.path) is None):
            continue
        text = files.read_text(file.path)
        if text is None:
            continue
        try:
            values = auto_tfvars_values(reader.loads(text))
        except Exception as exc:
            files.note(file.path, f"Terraform variables not parsed: {short_error(exc)}")
            continue
        if auto:
            auto_values.setdefault(posixpath.dirname(file.path), []).append(values)
        else:
            var_files.setdefault(module, []).append(values)
    agreed = {module: agreed_values(values) for module, values in var_files.items()}
    try:
        result = build_terraform_resources(parsed, auto_values, {f.path for f in found.terraform}, reader,
                                           agreed)
    except Exception as exc:
        for file in parsed:
            files.note(file.path, f"Terraform resources not read: {short_error(exc)}")
        return
    evidence.resources.extend(result.resources)
    for path, refs in result.module_refs.items():
        evidence.module_refs.setdefault(path, []).extend(refs)
    evidence.external_modules.extend(result.external_modules)


def _var_file_module(path: str, tf_folders: set[str]) -> str | None:
    """The Terraform module a .tfvars file is for: its own folder, or the parent of a folder of var
    files (`infra/terraform/env/dev.tfvars` -> infra/terraform); None when neither holds .tf files."""
    folder = posixpath.dirname(path)
    if folder in tf_folders:
        return folder
    parent = posixpath.dirname(folder)
    return parent if folder and parent in tf_folders else None
