"""Check that the training environment is defined as code, and say so when jobs only name one.

An environment is defined as code when the repository holds what it is built from: an Azure ML
environment YAML (image + conda file, or a Docker build context), an environment written in place
in a job or component, an SDK v1 environment folder (`azureml_environment.json` with its
`conda_dependencies.yml` or Dockerfile), a run configuration whose environment has a conda file
or Dockerfile, or Python code that builds one (azure-ai-ml `Environment(conda_file=...|build=...)`, or
a `BuildContext(path=...)`, which only an environment's build takes: `Environment(**settings)` with
`settings["build"] = BuildContext(...)`;
SDK v1 `Environment.from_conda_specification`, `from_pip_requirements`, `from_dockerfile`,
`load_from_directory`, `CondaDependencies.create`).

A curated environment referenced by name (`azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest`,
`azureml://registries/azureml/environments/...`) is not: its image and packages are Microsoft's
and the repository controls none of them. Neither is a registered environment that only its name
refers to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.azureml.common import label_of, listed, looked_at
from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import inline_environment, inline_environments
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.v1files import run_config_environment, v1_environment_files
from mlops_ladder.assessment.evidence.repo.azureml.values import node_line

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonModule

_USING_KINDS = (AmlKind.COMMAND_JOB, AmlKind.COMMAND_COMPONENT, AmlKind.SWEEP_JOB, AmlKind.PIPELINE_JOB,
                AmlKind.PIPELINE_COMPONENT)
_CURATED = re.compile(r"^azureml:(?://registries/azureml/environments/|AzureML-)", re.IGNORECASE)
_BUILT_FROM = frozenset({"conda_file", "build"})  # azure-ai-ml Environment keywords that define its packages
_V1_BUILDERS = ("Environment.from_conda_specification", "Environment.from_pip_requirements",
                "Environment.from_dockerfile", "Environment.load_from_directory", "CondaDependencies.create")


def defines_training_environment(repo: RepoEvidence) -> CheckResult:
    """Is the training environment defined as code (environment YAML, an inline job environment, an SDK
    v1 environment folder or run configuration, or SDK code that builds one)?"""
    for how in (_environment_yaml, _inline, _v1_files, _sdk_code):
        found = how(repo)
        if found is not None:
            return found
    return _not_defined(repo)


def _environment_yaml(repo: RepoEvidence) -> CheckResult | None:
    environments = repo.azureml.of_kind(AmlKind.ENVIRONMENT)
    defined = [(e, how) for e in environments if (how := inline_environment(e.data))]
    if not defined:
        return None
    env, how = defined[0]
    return passed(
        f"environment {label_of(env)} is built from {how}"
        + (f"; {len(defined) - 1} more environment(s)" if len(defined) > 1 else ""),
        refs((e.location, how) for e, how in defined),
    )


def _inline(repo: RepoEvidence) -> CheckResult | None:
    inline = [(a, *found) for a in repo.azureml.of_kind(*_USING_KINDS) for found in inline_environments(a)]
    if not inline:
        return None
    asset, where, how, _ = inline[0]
    return passed(
        f"{asset.path} defines its environment in place ({where}: {how})",
        refs((Location(a.path, line), f"{where}: {how}") for a, where, how, line in inline),
    )


def _v1_files(repo: RepoEvidence) -> CheckResult | None:
    found: list[tuple[Location, str]] = []
    for folder in repo.azureml.of_kind(AmlKind.V1_ENVIRONMENT):
        conda, dockerfiles = v1_environment_files(folder)
        built_from = [p for p in (*conda, *dockerfiles) if p == folder.path or repo.files.exists(p)]
        if built_from:
            found.append((folder.location, f"SDK v1 environment folder built from {built_from[0]}"))
    for config in repo.azureml.of_kind(AmlKind.RUN_CONFIG):
        environment = run_config_environment(config)
        if environment is None:
            continue
        conda = next((p for p in environment.conda_files if repo.files.exists(p)), None)
        if conda or environment.dockerfile:
            how = f"conda file {conda}" if conda else "an inline Dockerfile"
            where = Location(config.path, environment.line)
            found.append((where, f"run configuration environment from {how}"))
    if not found:
        return None
    where, how = found[0]
    more = f"; {len(found) - 1} more" if len(found) > 1 else ""
    return passed(f"{where.path}: {how}{more}", refs(found))


def _sdk_code(repo: RepoEvidence) -> CheckResult | None:
    found = []
    for module, call in repo.python.calls_ending("Environment", "BuildContext", *_V1_BUILDERS,
                                                 include_tests=False):
        v2 = call.name.startswith("azure.ai.ml")
        if v2 and call.name.endswith(".Environment") and _BUILT_FROM & call.keywords:
            how = "a build context" if "build" in call.keywords else "a conda file"
            found.append((Location(module.path, call.line), f"azure-ai-ml Environment from {how}"))
        elif v2 and call.name.endswith(".BuildContext") and not _built_in_place(module, call):
            found.append((Location(module.path, call.line), "azure-ai-ml BuildContext (a Docker build)"))
        elif call.name.startswith("azureml.") and any(call.endswith(b) for b in _V1_BUILDERS):
            found.append((Location(module.path, call.line), f"SDK v1 {call.name.split('.', 2)[-1]}"))
    if not found:
        return None
    where, how = found[0]
    more = f"; {len(found) - 1} more" if len(found) > 1 else ""
    return passed(f"{where}: {how}{more}", refs(found))


def _built_in_place(module: PythonModule, context: Call) -> bool:
    """Is *context* the `build=` of an Environment(...) call on its line (found as that call already)?"""
    return any(c.line == context.line and c.name.startswith("azure.ai.ml") and "build" in c.keywords
               for c in module.calls_ending("Environment"))


def _referenced_environments(repo: RepoEvidence) -> list[tuple[str, str, int]]:
    """(path, reference, line) for every environment a job, component, step, run configuration or SDK
    call names as a string."""
    found = []
    for asset in repo.azureml.of_kind(*_USING_KINDS):
        nodes: list[Any] = [asset.data, asset.data.get("trial")]
        jobs = asset.data.get("jobs")
        nodes += list(jobs.values()) if isinstance(jobs, dict) else []
        for node in nodes:
            if isinstance(node, dict) and isinstance(node.get("environment"), str):
                found.append((asset.path, node["environment"].strip(), node_line(node, "environment")))
    for config in repo.azureml.of_kind(AmlKind.RUN_CONFIG):
        environment = run_config_environment(config)
        if environment is not None and environment.name:
            found.append((config.path, f"azureml:{environment.name}", environment.line))
    # Environment.get(ws, "AzureML-Minimal") (SDK v1), ml_client.environments.get("name") (SDK v2)
    for module, call in repo.python.calls_ending("Environment.get", "environments.get", include_tests=False):
        name = call.keyword("name") or next(iter(call.string_args), None)
        if name:
            found.append((module.path, f"azureml:{name}", call.line))
    return found


def _image_only_code(repo: RepoEvidence) -> list[tuple[Location, str]]:
    """azure-ai-ml Environment(image=...) without a conda file or build context."""
    return [
        (Location(m.path, c.line), f"Environment({c.keyword('image') or 'image=...'})")
        for m, c in repo.python.calls_ending("Environment", include_tests=False)
        if c.name.startswith("azure.ai.ml") and "image" in c.keywords and not _BUILT_FROM & c.keywords
    ]


def _not_defined(repo: RepoEvidence) -> CheckResult:
    image_only = [(e.location, label_of(e)) for e in repo.azureml.of_kind(AmlKind.ENVIRONMENT)]
    image_only += _image_only_code(repo)
    if image_only:
        return failed(
            "environments name only an image, with no conda file or build context: "
            + listed(what for _, what in image_only),
            refs((where, "image only") for where, _ in image_only),
        )
    referenced = _referenced_environments(repo)
    curated = [(path, ref, line) for path, ref, line in referenced if _CURATED.match(ref)]
    if curated:
        return failed(
            "jobs use curated Azure ML environments referenced by name ("
            + listed(dict.fromkeys(ref for _, ref, _ in curated))
            + "): their image and packages are Microsoft's, and no environment is defined in the repository",
            refs((Location(path, line), f"curated environment {ref}") for path, ref, line in curated),
        )
    if referenced:
        return failed(
            "jobs reference registered environments by name ("
            + listed(dict.fromkeys(ref for _, ref, _ in referenced))
            + ") that no file of the repository defines",
            refs((Location(path, line), f"{ref}, defined elsewhere") for path, ref, line in referenced),
        )
    return failed(
        "no Azure ML environment YAML, inline job environment, SDK v1 environment folder or run "
        f"configuration environment, and no code that builds an environment; {looked_at(repo)}"
    )


CHECKS = (defines_training_environment,)
