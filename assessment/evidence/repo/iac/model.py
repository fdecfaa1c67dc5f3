"""Infrastructure code as facts (filled by collect.py): Azure resources declared in Bicep, ARM
and Terraform (ARM-shaped, see common.Resource), resources of other clouds (Terraform types as
written, CloudFormation and CDK with their CloudFormation type), the IaC files, the modules they
use and the parameter files per environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mlops_ladder.assessment.evidence.common import Location, Resource

Language = Literal[
    "bicep", "arm", "terraform", "bicepparam", "arm-parameters", "tfvars", "cloudformation", "cdk"
]


@dataclass(frozen=True)
class IacFile:
    path: str
    language: Language


@dataclass(frozen=True)
class ParameterFile:
    """Values for a template, usually one file per environment.

    `template`: the repo path of the template the file is for: the `using` target of a
    .bicepparam, the template next to an ARM parameters file with the same base name (or the
    only template in its folder or the folder above), the folder of the Terraform root module
    for a .tfvars; None when it cannot be told. `environment`: dev, test, qa, uat, staging,
    preprod or prod, from the file name, else from the nearest folder name that is one.
    """

    path: str
    template: str | None
    environment: str | None


@dataclass
class IacEvidence:
    resources: list[Resource] = field(default_factory=list)
    files: list[IacFile] = field(default_factory=list)
    # IaC file -> local module / linked template files it references (repo paths, normalised).
    module_refs: dict[str, list[str]] = field(default_factory=dict)
    parameter_files: list[ParameterFile] = field(default_factory=list)
    # Modules taken from registries (Bicep `br:`, Terraform registry / git): not read, but named.
    external_modules: list[ExternalModule] = field(default_factory=list)

    @property
    def declared(self) -> list[Resource]:
        """Resources the code creates or updates (not `existing` references)."""
        return [r for r in self.resources if not r.existing]

    def of_type(self, *types: str) -> list[Resource]:
        wanted = {t.lower() for t in types}
        return [r for r in self.resources if r.type_lower in wanted]

    @property
    def environments(self) -> set[str]:
        return {p.environment for p in self.parameter_files if p.environment}


@dataclass(frozen=True)
class ExternalModule:
    """A module the IaC takes from outside the repository: a Bicep registry (`br/public:avm/res/...`),
    a template spec, or a Terraform registry / git module. `resource_type` is the resource type
    that an Azure Verified Module (AVM) of that name deploys, lower-case (types compare
    case-insensitively), e.g. "microsoft.machinelearningservices/workspaces"; None otherwise."""

    location: Location
    source: str
    resource_type: str | None = None
