"""Is the data pipeline promoted through environments (MLL-321)?

A data pipeline is what the platform readers found (evidence/repo/platforms/): an Azure Data Factory or
Synapse pipeline that reads a dataset (data_factory.py), and a Databricks bundle holding a job or a
Lakeflow (DLT) pipeline that writes tables (databricks_data.py). It is environment-aware when CI deploys
the same definitions to two or more environments, so a change to the pipeline reaches production the way
a model does: through dev (and test) first.

* Databricks: `databricks bundle deploy -t <target>` of the bundle that holds the data pipeline, in CI,
  to two or more targets (the targets' `mode: development` / `production` are shown).
* Data Factory / Synapse: a CI step that deploys the factory's ARM export (`ARMTemplateForFactory.json`,
  Synapse `TemplateForWorkspace.json`, or a committed template with the pipelines): an ARM deployment
  (`az deployment group create`, azure/arm-deploy, the Azure DevOps ARM task) or a Python script that
  does it (the script names the export). Its environment is the CI job's (GitHub environment, Azure
  DevOps deployment environment), else an environment named in its command (`deploy.py prod`,
  `--parameters ARMTemplateParametersForFactory.prod.json`); a deployment whose parameters file is a
  variable counts the factory's per-environment parameter files of the repository.

Not applicable without a data pipeline; every data pipeline found must be promoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.platforms.training import where
from mlops_ladder.assessment.checks.platforms.wiring import bundle_deploys
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction
from mlops_ladder.assessment.evidence.repo.iac.common import environment_of, environment_tokens
from mlops_ladder.assessment.evidence.repo.platforms.model import FactKind, Platform

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

K = ActionKind
_EXPORT = re.compile(r"ARMTemplate(?:Parameters)?ForFactory|Template(?:Parameters)?ForWorkspace", re.I)
_FACTORY_WORDS = ("factory", "adf", "synapse", "templateparametersforworkspace")
_PARAMETERS = re.compile(r"ARMTemplateParametersForFactory|TemplateParametersForWorkspace|parameters", re.I)


@dataclass
class _Pipeline:
    """One data pipeline and the environments CI deploys it to."""

    name: str  # "Databricks bundle lake/databricks.yml (job refresh_orders)"
    location: Location
    environments: dict[str, tuple[Location, str]] = field(default_factory=dict)
    unresolved: list[tuple[Location, str]] = field(default_factory=list)
    configured: list[str] = field(default_factory=list)  # environments it has configuration for

    def add(self, environment: str, location: Location, what: str) -> None:
        self.environments.setdefault(environment, (location, what))


def _bundles(repo: RepoEvidence) -> list[_Pipeline]:
    found = []
    deploys = bundle_deploys(repo)
    for bundle in repo.platforms.bundles:
        if not bundle.data_pipelines:
            continue
        pipeline = _Pipeline(
            f"Databricks bundle {bundle.config} ({', '.join(bundle.data_pipelines)})",
            Location(bundle.config, 1),
            configured=list(bundle.targets),
        )
        modes = dict(bundle.modes)
        for action in deploys:
            if action.files[0] != bundle.config:
                continue
            target = action.options.get("--target", "")
            if not target or is_unresolved(target):
                pipeline.unresolved.append((action.location, f"{where(action)} deploys to target {target!r}"))
                continue
            mode = f", mode {modes[target]}" if target in modes else ""
            what = f"{where(action)} deploys the bundle to target {target}{mode}"
            pipeline.add(target, action.location, what)
        found.append(pipeline)
    return found


def _factory(repo: RepoEvidence) -> _Pipeline | None:
    facts = [f for f in repo.platforms.of_kind(FactKind.DATA_SOURCE) if f.platform is Platform.DATA_FACTORY]
    if not facts:
        return None
    templates = {f.location.path for f in facts if "/pipeline/" not in f"/{f.location.path}"}
    names = sorted({f.detail.split(" reads ")[0] for f in facts})
    pipeline = _Pipeline(f"{Platform.DATA_FACTORY.value} {', '.join(names[:3])}", facts[0].location)
    parameter_files = _parameter_files(repo)
    pipeline.configured = sorted(parameter_files)
    for action in repo.ci.of_kind(K.APPLY_IAC, K.RUN_PYTHON):
        if not _deploys_factory(repo, action, templates):
            continue
        environment = _environment(action)
        what = f"{where(action)} deploys the factory ({action.command[:80]})"
        if environment:
            pipeline.add(environment, action.location, what)
        elif any(is_unresolved(v) and _PARAMETERS.search(k + v) for k, v in action.options.items()):
            for name, path in parameter_files.items():  # --parameters params/$(env).json
                pipeline.add(name, action.location, f"{what} with the parameters file {path}")
        else:
            pipeline.unresolved.append((action.location, f"{what} to no named environment"))
    return pipeline


def _deploys_factory(repo: RepoEvidence, action: CiAction, templates: set[str]) -> bool:
    text = " ".join([action.command, *action.files, *action.options.values()])
    if _EXPORT.search(text) or templates & set(action.files):
        return True
    if action.kind is K.RUN_PYTHON and action.files:  # a deployment script that names the export
        script = repo.files.read_text(action.files[0]) or ""
        return bool(_EXPORT.search(script)) and "deploy" in script.lower()
    return False


def _environment(action: CiAction) -> str | None:
    if action.environment and not is_unresolved(action.environment):
        tokens = environment_tokens(action.environment)
        return tokens[0] if tokens else action.environment
    tokens = environment_tokens(" ".join([*action.options.values(), action.command]))
    return tokens[0] if len(set(tokens)) == 1 else None


def _parameter_files(repo: RepoEvidence) -> dict[str, str]:
    """environment -> a parameters file of the factory's export for it (`ARMTemplateParametersForFactory
    .prod.json`, `adf/parameters/prod.json`)."""
    found: dict[str, str] = {}
    for file in repo.files.with_suffix(".json"):
        lowered = file.path.lower()
        if any(w in lowered for w in _FACTORY_WORDS) and "param" in lowered:
            environment = environment_of(file.path)
            if environment:
                found.setdefault(environment, file.path)
    return found


def data_pipeline_is_promoted(repo: RepoEvidence, min_environments: int = 2) -> CheckResult:
    """Does CI deploy every data pipeline (Data Factory / Synapse, a Databricks bundle's data jobs and
    DLT pipelines) to at least *min_environments* environments?"""
    pipelines = _bundles(repo)
    factory = _factory(repo)
    if factory is not None:
        pipelines.append(factory)
    if not pipelines:
        return not_applicable(
            "no data pipeline: no Data Factory / Synapse pipeline that reads a dataset, no Databricks "
            "bundle job or DLT pipeline that writes tables"
        )
    promoted = [p for p in pipelines if len(p.environments) >= min_environments]
    evidence = refs(
        [(location, f"{env}: {what}") for p in pipelines for env, (location, what) in p.environments.items()]
        + [r for p in pipelines for r in p.unresolved],
    )
    if len(promoted) == len(pipelines):
        return passed(
            "; ".join(f"CI deploys {p.name} to {', '.join(p.environments)}" for p in pipelines), evidence
        )
    short = [p for p in pipelines if p not in promoted]
    if any(p.unresolved for p in short):
        return unknown(
            "; ".join(f"{p.name}: {_status(p)}" for p in short)
            + "; an environment CI deploys to is a variable that cannot be resolved",
            evidence,
        )
    return failed(
        "; ".join(f"{p.name}: {_status(p)}" for p in short)
        + f"; at least {min_environments} environments expected (dev, test, prod), each deployed by CI",
        evidence or refs([(p.location, p.name) for p in short]),
    )


def _status(pipeline: _Pipeline) -> str:
    configured = f" (configured for {', '.join(pipeline.configured)})" if pipeline.configured else ""
    if pipeline.environments:
        return f"CI deploys it to {', '.join(pipeline.environments)} only{configured}"
    return f"no CI step deploys it{configured}"


CHECKS = (data_pipeline_is_promoted,)
