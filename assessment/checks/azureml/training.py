"""Checks that training is an Azure ML pipeline with an environment defined as code, reading
versioned data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.azureml.common import (
    call_refs,
    label_of,
    listed,
    location_at,
    looked_at,
    python_calls,
    set_values,
)
from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import (
    inline_environment,
    inline_environments,
    pipeline_data_inputs,
    pipeline_steps,
    step_components,
)
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import parse_asset_ref
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

def _step_count(repo: RepoEvidence, asset: AmlAsset, seen: frozenset[str] = frozenset()) -> int:
    """Steps of a pipeline, counting the steps of local pipeline components it calls."""
    components = step_components(asset)
    total = 0
    for step in pipeline_steps(asset):
        target = repo.azureml.at(components.get(step, ""))
        nested = target is not None and target.kind in (AmlKind.PIPELINE_COMPONENT, AmlKind.PIPELINE_JOB)
        if nested and target.path not in seen and target.path != asset.path:
            total += max(1, _step_count(repo, target, seen | {asset.path}))
        else:
            total += 1
    return total


def defines_training_pipeline(repo: RepoEvidence, min_steps: int = 2) -> CheckResult:
    """Is training an Azure ML pipeline (YAML with >= min_steps steps, or an azure-ai-ml @pipeline)?"""
    pipelines = repo.azureml.of_kind(AmlKind.PIPELINE_JOB)
    counted = [(p, _step_count(repo, p)) for p in pipelines]
    good = [(p, n) for p, n in counted if n >= min_steps]
    if good:
        pipeline, steps = good[0]
        found = f"pipeline job {pipeline.path} has {steps} steps ({listed(pipeline_steps(pipeline), 5)})"
        if len(good) > 1:
            found += f"; {len(good) - 1} more pipeline job(s)"
        return passed(found, refs((location_at(p, "jobs"), f"{n} steps") for p, n in good))
    dsl = python_calls(repo, "dsl.pipeline")
    if dsl:
        module, call = dsl[0]
        return passed(f"azure-ai-ml @pipeline function in {module.path}:{call.line}", call_refs(dsl))
    if pipelines:
        return failed(
            "pipeline job(s) with fewer than "
            f"{min_steps} steps: " + listed(f"{p.path} ({plural(n, 'step')})" for p, n in counted),
            refs((location_at(p, "jobs"), plural(n, "step")) for p, n in counted),
        )
    return failed(
        f"no pipeline job YAML and no azure-ai-ml @pipeline function; {looked_at(repo)} "
        f"and {plural(len(repo.python.code_modules), 'Python module')}"
    )


def defines_training_environment(repo: RepoEvidence) -> CheckResult:
    """Is the training environment defined as code (environment YAML or an inline job environment)?"""
    environments = repo.azureml.of_kind(AmlKind.ENVIRONMENT)
    defined = [(e, how) for e in environments if (how := inline_environment(e.data))]
    if defined:
        env, how = defined[0]
        return passed(
            f"environment {label_of(env)} is built from {how}"
            + (f"; {len(defined) - 1} more environment(s)" if len(defined) > 1 else ""),
            refs((e.location, how) for e, how in defined),
        )
    kinds = (AmlKind.COMMAND_JOB, AmlKind.COMMAND_COMPONENT, AmlKind.SWEEP_JOB, AmlKind.PIPELINE_JOB,
             AmlKind.PIPELINE_COMPONENT)
    inline = [(a, *found) for a in repo.azureml.of_kind(*kinds) for found in inline_environments(a)]
    if inline:
        asset, where, how, _ = inline[0]
        return passed(
            f"{asset.path} defines its environment in place ({where}: {how})",
            refs((Location(a.path, line), f"{where}: {how}") for a, where, how, line in inline),
        )
    if environments:
        return failed(
            "environment YAML names only an image, with no conda file or build context: "
            + listed(label_of(e) for e in environments),
            refs((e.location, "image only") for e in environments),
        )
    return failed(
        "no Azure ML environment YAML and no job or component with an inline environment (image + conda file "
        f"or build context); {looked_at(repo)}"
    )


def pipeline_uses_versioned_data(repo: RepoEvidence) -> CheckResult:
    """Do pipeline jobs read data assets by explicit version (azureml:<name>:<version>)?"""
    pipelines = repo.azureml.of_kind(AmlKind.PIPELINE_JOB)
    if not pipelines:
        return not_applicable(f"no pipeline job YAML; {looked_at(repo)}")
    pinned, unpinned, by_path = [], [], []
    for pipeline in pipelines:
        for data_input in pipeline_data_inputs(pipeline):
            if data_input.asset is None:
                by_path.append((pipeline, data_input))
                continue
            for value, where, how in _input_values(repo, pipeline, data_input.name, data_input.path,
                                                   Location(pipeline.path, data_input.line)):
                ref = parse_asset_ref(value)
                entry = (pipeline, data_input.name, str(value), where, how)
                (pinned if ref is not None and ref.is_pinned else unpinned).append(entry)
    if unpinned:
        return failed(
            "pipeline inputs read data assets without a version: "
            + listed(f"{name} = {value} in {p.path}" for p, name, value, _, _ in unpinned),
            refs((where, f"{name}: {value}") for _, name, value, where, _ in unpinned),
        )
    if pinned:
        return passed(
            "pipeline inputs read versioned data assets: "
            + listed(f"{name} = {value}" for _, name, value, _, _ in pinned),
            refs((where, f"{name}: {value} ({how})") for _, name, value, where, how in pinned),
        )
    if by_path:
        return unknown(
            "pipelines read data by path, not through data assets, so the data version cannot be told: "
            + listed(f"{d.name} = {d.path}" for _, d in by_path),
            refs((Location(p.path, d.line), d.path) for p, d in by_path),
        )
    return unknown(
        "no pipeline job declares a data input with a path: "
        + listed(p.path for p in pipelines),
        refs((p.location, "pipeline job") for p in pipelines),
    )


def _input_values(
    repo: RepoEvidence, pipeline: AmlAsset, name: str, path: str, where: Location
) -> list[tuple[str, Location, str]]:
    """The data path an input has at each CI submission (`--set inputs.x.path=...`), or as written."""
    actions = [a for a in repo.ci.of_kind(ActionKind.SUBMIT_JOB) if pipeline.path in a.files]
    values = []
    for action in actions:
        override = set_values(action).get(f"{name}.path")
        if override is not None:
            values.append((override, action.location, f"set by CI in {action.pipeline}"))
        else:
            values.append((path, where, "as written"))
    return values or [(path, where, "as written")]


CHECKS = (
    defines_training_pipeline,
    defines_training_environment,
    pipeline_uses_versioned_data,
)
