"""Checks over the repository's infrastructure: the ML platform in IaC, compute scaling,
per-environment configuration and the Azure ML registry.

Resources come from evidence/repo/iac/ (Bicep, ARM and Terraform, ARM-shaped); Azure ML
compute and registry YAML from evidence/repo/azureml/; CI steps from evidence/repo/ci/.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.checks.resources import describe_scope, label, show, values_at, values_equal
from mlops_ladder.assessment.evidence.common import Expr, Location
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import is_expression
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction
from mlops_ladder.assessment.evidence.repo.iac.common import ENVIRONMENT_ALIASES, environment_tokens

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

WORKSPACE = "microsoft.machinelearningservices/workspaces"
COMPUTE = "microsoft.machinelearningservices/workspaces/computes"
REGISTRY = "microsoft.machinelearningservices/registries"
_IAC_LANGUAGES = frozenset({"bicep", "arm", "terraform"})
_UNPARSED = ("Bicep not parsed", "Bicep resources not read", "malformed JSON", "ARM template",
             "Terraform not parsed", "Terraform resources not read", "not read", "binary")
_LANGUAGE_NAMES = {"bicep": "Bicep", "arm": "ARM", "terraform": "Terraform"}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _unparsed_iac_files(repo: RepoEvidence) -> list[str]:
    """IaC files whose resources could not be read (a Note says why)."""
    iac_paths = {f.path for f in repo.iac.files if f.language in _IAC_LANGUAGES}
    notes = repo.files.notes
    return sorted({n.path for n in notes if n.path in iac_paths and n.reason.startswith(_UNPARSED)})


# -- MLL-310 --------------------------------------------------------------------------------------
def iac_declares_ml_workspace(repo: RepoEvidence) -> CheckResult:
    """Does the infrastructure code (Bicep, ARM or Terraform) declare an Azure ML workspace?

    Any kind counts (Default, Hub, Project, FeatureStore); so does an Azure Verified Module of
    the workspace. A workspace that is only referenced (`existing`, Terraform `data`) does not:
    it is created somewhere else.
    """
    workspaces = [r for r in repo.resources if r.type_lower == WORKSPACE]
    declared = [r for r in workspaces if not r.existing]
    if declared:
        first = declared[0]
        language = _LANGUAGE_NAMES.get(first.source, first.source)
        more = f" (and {len(declared) - 1} more)" if len(declared) > 1 else ""
        return passed(
            f"{language} declares Azure ML workspace '{first.name}' at {first.location}{more}",
            refs((r.location, f"{r.type} '{r.name}'") for r in declared),
        )
    modules = [m for m in repo.iac.external_modules if m.resource_type == WORKSPACE]
    if modules:
        return passed(
            f"the workspace is declared with the module {modules[0].source} at {modules[0].location}",
            refs((m.location, m.source) for m in modules),
        )
    unparsed = _unparsed_iac_files(repo)
    if unparsed:
        files = _count(len(unparsed), "file")
        return unknown(
            f"no Azure ML workspace in the IaC that could be read; {files} could not be parsed: "
            + ", ".join(unparsed[:3]),
            refs((p, "not parsed (see notes)") for p in unparsed),
        )
    iac_files = [f for f in repo.iac.files if f.language in _IAC_LANGUAGES]
    if not iac_files:
        return failed("no infrastructure code (Bicep, ARM template or Terraform) in the repository")
    if workspaces:
        return failed(
            f"the IaC only references an existing Azure ML workspace ({workspaces[0].location}); "
            "it is created outside this repository",
            refs((r.location, f"existing {r.type} '{r.name}'") for r in workspaces),
        )
    return failed(
        f"{describe_scope(repo)}, none of them an Azure ML workspace",
        refs((f.path, f.language) for f in iac_files),
    )


# -- MLL-208 --------------------------------------------------------------------------------------
def training_compute_scales_to_zero(repo: RepoEvidence) -> CheckResult:
    """Do all Azure ML compute clusters defined in the repository scale down to zero nodes?

    Clusters: AmlCompute computes declared in IaC (minimum at
    properties.properties.scaleSettings.minNodeCount; ARM's default is 0 when scaleSettings
    are not written) and compute YAML files with `type: amlcompute` (`min_instances`, default
    0). PASS when every cluster found has a minimum of 0; FAIL when one keeps nodes running;
    UNKNOWN when a minimum is an unresolved expression, or no cluster is defined.
    """
    good: list[tuple[Location, str]] = []
    bad: list[tuple[Location, str]] = []
    unsure: list[tuple[Location, str]] = []
    for location, name, minimum, written in _clusters(repo):
        if isinstance(minimum, Expr) or (isinstance(minimum, str) and is_expression(minimum)):
            unsure.append((location, f"{name}: minimum nodes is {show(minimum)}"))
        elif values_equal(minimum, 0):
            good.append((location, f"{name}: minimum nodes {minimum}" + ("" if written else " (default)")))
        else:
            bad.append((location, f"{name}: minimum nodes {show(minimum)}"))
    if bad:
        location, detail = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        return failed(f"cluster {detail} at {location}, so it never scales to zero{more}", refs(bad))
    if unsure:
        location, detail = unsure[0]
        return unknown(f"cluster {detail} at {location}", refs(unsure + good))
    if good:
        clusters = _count(len(good), "compute cluster")
        return passed(f"{clusters} scale to zero: {good[0][1]} at {good[0][0]}", refs(good))
    return unknown("no Azure ML compute cluster is defined in IaC or compute YAML")


def _clusters(repo: RepoEvidence) -> Iterator[tuple[Location, str, Any, bool]]:
    """(where, name, minimum node count, whether it is written) of each compute cluster."""
    for resource in repo.resources:
        if resource.type_lower != COMPUTE or resource.existing:
            continue
        compute_type = values_at(resource.body, "properties.computeType")
        if not any(values_equal(v, "AmlCompute") for v in compute_type):
            continue
        found = values_at(resource.body, "properties.properties.scaleSettings.minNodeCount")
        yield resource.location, label(resource), found[0] if found else 0, bool(found)
    for asset in repo.azureml.of_kind(AmlKind.COMPUTE):
        if str(asset.data.get("type", "")).lower() != "amlcompute":
            continue
        written = "min_instances" in asset.data
        key_line = getattr(asset.data, "key_line", None)
        line = key_line("min_instances") if written and key_line else asset.line
        name = f"compute '{asset.name}'" if asset.name else "compute"
        yield Location(asset.path, line), name, asset.data.get("min_instances", 0), written


# -- MLL-318 --------------------------------------------------------------------------------------
# Suffixes of configuration files; words that make a file name a configuration file's.
_CONFIG_SUFFIXES = frozenset({
    ".yml", ".yaml", ".json", ".bicepparam", ".tfvars", ".env", ".ini", ".toml", ".cfg", ".conf",
    ".properties",
})
_CONFIG_WORDS = frozenset({
    "config", "configs", "configuration", "settings", "appsettings", "params", "parameters", "param", "vars",
    "variables", "env", "environment", "infra", "values", "tfvars",
})
_CONFIG_FOLDERS = frozenset({
    "config", "configs", "configuration", "env", "envs", "environment", "environments", "settings",
    "parameters", "params", "vars", "variables", "deploy", "deployment", "infra", "infrastructure", "iac",
    "bicep", "terraform", "tf",
})
_SKIPPED_FOLDERS = frozenset({
    "tests", "test_data", "testdata", "fixtures", "__tests__", "docs", "node_modules", ".github", ".vscode",
    ".devcontainer",
})
_WORD = re.compile(r"[^a-z0-9]+")


def defines_multiple_environments(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    """Do at least *min_environments* environments (dev, test, qa, uat, staging, preprod, prod)
    have their own configuration?

    Counted: IaC parameter files (.bicepparam, ARM parameters, .tfvars) whose name or folder
    names an environment, and configuration files (YAML, JSON, .env, .ini, .toml...) that are
    per environment by structure: the file is named after the environment (`dev.yml`), its
    name combines a configuration word with the environment (`config-infra-prod.yml`,
    `appsettings.Development.json`, `values-prod.yaml`), or it sits in an environment folder
    under a configuration or infrastructure folder (`environments/test/main.tfvars`). CI
    pipeline files and files under tests/, docs/ and .github/ are not configuration.
    """
    found: dict[str, list[str]] = {}
    for parameter_file in repo.iac.parameter_files:
        if parameter_file.environment:
            found.setdefault(parameter_file.environment, []).append(parameter_file.path)
    pipelines = {p.path for p in repo.ci.pipelines}
    for file in repo.files.files:
        if file.path in pipelines:
            continue
        environment = _config_environment(file.path)
        if environment and file.path not in found.get(environment, ()):
            found.setdefault(environment, []).append(file.path)
    ordered = sorted(found, key=_environment_order)
    listing = ", ".join(f"{env} ({found[env][0]})" for env in ordered)
    evidence = refs(((paths[0], f"{env} configuration") for env, paths in sorted(found.items())), limit=12)
    if len(found) >= min_environments:
        environments = _count(len(found), "environment")
        return passed(f"{environments} have their own configuration: {listing}", evidence)
    if found:
        return failed(
            f"only {_count(len(found), 'environment')} has its own configuration: {listing}; "
            f"at least {min_environments} expected",
            evidence,
        )
    looked = len(repo.iac.parameter_files)
    return failed(
        "no per-environment parameter or configuration files (dev, test, prod...) found"
        + (f"; the {_count(looked, 'parameter file')} name no environment" if looked else "")
    )


def _environment_order(environment: str) -> int:
    order = ["dev", "test", "qa", "uat", "staging", "preprod", "prod"]
    return order.index(environment) if environment in order else len(order)


def _config_environment(path: str) -> str | None:
    """The environment a configuration file is for, by its structure (see defines_multiple_environments)."""
    lowered = path.lower()
    name = lowered.rpartition("/")[2]
    stem, dot, suffix = name.rpartition(".")
    dotenv = name.startswith(".env.")
    if not dotenv and (not dot or "." + suffix not in _CONFIG_SUFFIXES):
        return None  # decided by the name alone: most files of a repository stop here
    parts = lowered.split("/")
    folders = parts[:-1]
    if any(folder in _SKIPPED_FOLDERS for folder in folders):
        return None
    if dotenv:
        return ENVIRONMENT_ALIASES.get(name[len(".env."):])
    words = [w for w in _WORD.split(stem) if w]
    if len(words) == 1 and words[0] in ENVIRONMENT_ALIASES:
        return ENVIRONMENT_ALIASES[words[0]]
    environments = environment_tokens(stem)
    if environments and _CONFIG_WORDS & set(words):
        return environments[0]
    if len(folders) >= 2 and folders[-1] in ENVIRONMENT_ALIASES and folders[-2] in _CONFIG_FOLDERS:
        return ENVIRONMENT_ALIASES[folders[-1]]
    return None


# -- MLL-508 --------------------------------------------------------------------------------------
_REGISTRY_URI = re.compile(r"azureml://registries/([^/\s'\"]+)", re.IGNORECASE)
# Registries Microsoft and partners publish to every workspace (curated environments, model catalog):
# using them does not mean the team promotes its own models through a registry.
_PUBLIC_REGISTRIES = frozenset({"azureml", "huggingface", "nvidia-ai", "azure-openai", "openai"})
_REFERENCING_KINDS = (
    AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT, AmlKind.PIPELINE_JOB, AmlKind.COMMAND_JOB,
    AmlKind.SWEEP_JOB, AmlKind.COMMAND_COMPONENT, AmlKind.PIPELINE_COMPONENT, AmlKind.JOB_SCHEDULE,
)


def _is_public_registry(name: str) -> bool:
    lowered = name.lower()
    return lowered in _PUBLIC_REGISTRIES or lowered.startswith("azureml-")


def uses_ml_registry(repo: RepoEvidence) -> CheckResult:
    """Does the project use its own Azure ML registry to share and promote models?

    Any of: IaC that declares or references a Microsoft.MachineLearningServices/registries
    resource (or an Azure Verified Module of it); a registry YAML (`az ml registry create`);
    a deployment, job, component or schedule YAML that references `azureml://registries/<name>/`;
    a CI step that shares a model to a registry (`az ml model share`, `--registry-name`) or
    passes an `azureml://registries/` reference; Python code that builds
    `MLClient(..., registry_name=...)`. Microsoft's public registries (azureml, azureml-*,
    HuggingFace, nvidia-ai...) hold curated environments and catalog models and do not count.
    """
    found: list[tuple[Location | str, str]] = []
    for resource in repo.resources:
        if resource.type_lower == REGISTRY:
            what = "references existing" if resource.existing else "declares"
            found.append((resource.location, f"IaC {what} Azure ML registry '{resource.name}'"))
    for module in repo.iac.external_modules:
        if module.resource_type == REGISTRY:
            found.append((module.location, f"IaC deploys a registry with {module.source}"))
    for asset in repo.azureml.of_kind(AmlKind.REGISTRY):
        found.append((asset.location, f"registry definition '{asset.name or asset.path}'"))
    public_only: list[tuple[Location, str]] = []
    for asset in repo.azureml.of_kind(*_REFERENCING_KINDS):
        for line, registry in _registry_references(asset):
            target = public_only if _is_public_registry(registry) else found
            target.append((Location(asset.path, line), f"{asset.kind.value} uses registry '{registry}'"))
    # Asked of each distinct command once (a helper script many steps run is one reading); a CiAction is
    # built only for the findings the result names.
    ci_found = repo.ci.select(lambda a: a.kind == ActionKind.SHARE_MODEL or bool(_own_registries(a)))
    code_found = [
        (Location(module.path, call.line), "MLClient(registry_name=...)")
        for module, call in repo.python.calls_ending("MLClient")
        if "registry_name" in call.keywords
    ]
    count = len(found) + len(ci_found) + len(code_found)
    if count:
        named = itertools.chain(found, (_ci_registry_use(action) for action in ci_found), code_found)
        first = list(itertools.islice(named, 10))
        location, detail = first[0]
        more = f" (and {count - 1} more)" if count > 1 else ""
        return passed(f"{detail} at {location}{more}", refs(first))
    looked = (
        f"looked at {_count(len(repo.resources), 'IaC resource')}, "
        f"{_count(len(repo.azureml.assets), 'Azure ML asset')} and {_count(len(repo.ci.actions), 'CI step')}"
    )
    if public_only:
        return failed(
            f"only Microsoft's public registries are referenced ({public_only[0][1]}); no registry of the "
            f"project's own is declared, deployed from or shared to; {looked}",
            refs(public_only),
        )
    return failed(f"no Azure ML registry is declared, deployed from or shared to; {looked}")


def _own_registries(action: Any) -> list[str]:
    """The registries of the project's own that a CI command passes (azureml://registries/NAME/...)."""
    text = _action_text(action)
    if "://" not in text:  # most commands: no URI at all
        return []
    return [m for m in _REGISTRY_URI.findall(text) if not _is_public_registry(m)]


def _ci_registry_use(action: CiAction) -> tuple[Location, str]:
    if action.kind == ActionKind.SHARE_MODEL:
        return action.location, f"CI shares to a registry: {action.command or action.step}"
    return action.location, f"CI passes a model from registry '{_own_registries(action)[0]}'"


def _action_text(action: Any) -> str:
    options = getattr(action, "options", {}) or {}
    return " ".join([action.command, *(str(v) for v in options.values())])


def _registry_references(asset: AmlAsset) -> Iterator[tuple[int, str]]:
    """(line, registry name) of every `azureml://registries/<name>` string in the asset's YAML."""
    stack: list[tuple[Any, int]] = [(asset.data, asset.line)]
    while stack:
        node, line = stack.pop()
        if isinstance(node, str):
            for match in _REGISTRY_URI.finditer(node):
                yield line, match.group(1)
        elif isinstance(node, dict):
            key_line = getattr(node, "key_line", None)
            for key, value in node.items():
                stack.append((value, key_line(key) if key_line else line))
        elif isinstance(node, list):
            item_line = getattr(node, "item_line", None)
            for index, value in enumerate(node):
                stack.append((value, item_line(index) if item_line else line))


CHECKS = (iac_declares_ml_workspace, training_compute_scales_to_zero, defines_multiple_environments,
          uses_ml_registry)
