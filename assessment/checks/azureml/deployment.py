"""Checks of model deployments as code: endpoint and model named, safe rollout, pinned model version."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.azureml.common import (
    DEPLOY_ACTIONS,
    DEPLOYMENT_CLASSES,
    KIND_LABELS,
    ONLINE_CLASSES,
    call_refs,
    label_of,
    listed,
    location_at,
    looked_at,
    python_calls,
    unquoted,
    values_at_deploy,
)
from mlops_ladder.assessment.checks.azureml.deployment_code import code_deployments
from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.repo.azureml.assets import (
    deployment_endpoint,
    deployment_model_ref,
    endpoint_mirror_traffic,
    endpoint_traffic,
)
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import is_expression, parse_asset_ref
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

def _deployments(repo: RepoEvidence) -> list[AmlAsset]:
    return repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)


def defines_model_deployment(repo: RepoEvidence) -> CheckResult:
    """Is there a deployment defined as code that names its model: online or batch deployment YAML, SDK
    code that creates one (azure-ai-ml, SDK v1 Model.deploy, MLflow's deploy client) or CLI v1
    deployment and inference configurations?"""
    complete, incomplete = [], []
    for deployment in _deployments(repo):
        models = [v for v, _, _ in values_at_deploy(repo, deployment, "model", DEPLOY_ACTIONS)]
        has_model = all(v is not None for v in models) or (
            deployment.kind is AmlKind.BATCH_DEPLOYMENT and "component" in deployment.data
        )
        (complete if has_model else incomplete).append(deployment)
    if complete:
        deployment = complete[0]
        return passed(
            f"{KIND_LABELS[deployment.kind]} {label_of(deployment)} deploys "
            f"{_describe_model(deployment)} to {_describe_endpoint(deployment)}"
            + (f"; {len(complete) - 1} more deployment(s)" if len(complete) > 1 else ""),
            refs((d.location, f"{KIND_LABELS[d.kind]} -> {_describe_endpoint(d)}") for d in complete),
        )
    defined, unused = code_deployments(repo)
    if defined:
        where, what = defined[0]
        more = f"; {len(defined) - 1} more" if len(defined) > 1 else ""
        return passed(f"{what} at {where}{more}", refs(defined))
    if incomplete or unused:
        gaps = [(d.location, f"{d.path} names no model") for d in incomplete] + unused
        return failed("deployments that are not complete: " + listed(what for _, what in gaps), refs(gaps))
    return failed(
        "no online or batch deployment YAML, no code that creates a deployment (azure-ai-ml, SDK v1 "
        f"Model.deploy, MLflow deploy client) and no CLI v1 deployment configuration; {looked_at(repo)}"
    )


def _describe_endpoint(deployment: AmlAsset) -> str:
    endpoint = deployment_endpoint(deployment)
    return f"endpoint {endpoint}" if endpoint else "the endpoint given when it is created (--endpoint-name)"


def _describe_model(deployment: AmlAsset) -> str:
    model = deployment_model_ref(deployment)
    if isinstance(model, str):
        return model
    if isinstance(model, dict):
        return "an inline model"
    return "a pipeline component" if "component" in deployment.data else "its model"


def _traffic_entries(action: CiAction) -> list[str]:
    """Deployment names in a `--traffic "blue=90 green=10"` option (names may be expressions)."""
    value = action.options.get("--traffic", "")
    value = re.sub(r"\$\{\{.*?\}\}", lambda m: m.group(0).replace(" ", ""), value)
    entries = []
    for token in re.split(r"[\s,]+", unquoted(value)):
        name, sep, _ = unquoted(token).partition("=")
        if sep and name:
            entries.append(name)
    return entries


def _shifts_traffic_of(action: CiAction, endpoint: str, deployments: set[str]) -> bool:
    """Does a traffic-shifting step target *endpoint*? A computed name (expression) is taken to match."""
    options = ("--name", "-n", "--endpoint-name", "-e")
    name = unquoted(next((action.options[o] for o in options if action.options.get(o)), ""))
    if name and not is_expression(name):
        return name == endpoint
    entries = set(_traffic_entries(action))
    return not entries or bool(entries & deployments) or any(is_expression(e) for e in entries)


def _shifts_traffic(action: Any) -> bool:
    """A CI command that sets traffic; a batch endpoint's `--set defaults.deployment_name=...` switches
    deployments, not traffic."""
    return "--traffic" in action.options or (
        action.kind is ActionKind.SHIFT_TRAFFIC and "batch-endpoint" not in action.command
    )


def uses_safe_rollout(repo: RepoEvidence) -> CheckResult:
    """Does online rollout shift traffic between deployments (blue/green split, or CI traffic shifts)?"""
    online = repo.azureml.of_kind(AmlKind.ONLINE_DEPLOYMENT)
    endpoints = repo.azureml.of_kind(AmlKind.ONLINE_ENDPOINT)
    shifts = repo.ci.select(_shifts_traffic)
    for endpoint in endpoints:
        split = {**endpoint_mirror_traffic(endpoint), **endpoint_traffic(endpoint)}
        if len(split) >= 2:
            shares = " ".join(f"{k}={v}" for k, v in endpoint_traffic(endpoint).items())
            mirror = " ".join(f"{k}={v}" for k, v in endpoint_mirror_traffic(endpoint).items())
            return passed(
                f"online endpoint {label_of(endpoint)} splits traffic across {len(split)} deployments"
                f" ({shares}{'; mirror ' + mirror if mirror else ''})",
                refs([(location_at(endpoint, "traffic"), f"traffic: {shares}")]),
            )
    by_endpoint: dict[str, list[AmlAsset]] = defaultdict(list)
    for deployment in online:
        by_endpoint[deployment_endpoint(deployment) or "?"].append(deployment)
    for endpoint_name, deployments in by_endpoint.items():
        names = {d.name for d in deployments if d.name}
        related = [s for s in shifts if _shifts_traffic_of(s, endpoint_name, names)]
        if len(deployments) >= 2 and related:
            return passed(
                f"{len(deployments)} deployments ({listed(sorted(names))}) of endpoint {endpoint_name}, "
                f"and CI shifts traffic between them at {related[0].location}",
                refs([(d.location, f"deployment {d.name}") for d in deployments]
                     + [(s.location, s.command or s.step) for s in related]),
            )
    for shift in shifts:
        entries = _traffic_entries(shift)
        if len(entries) >= 2:
            return passed(
                f"CI shifts traffic across {len(entries)} deployments ({' '.join(entries)}) "
                f"at {shift.location}",
                refs([(shift.location, shift.command or shift.step)]),
            )
    if not online and not endpoints:
        python = python_calls(repo, *ONLINE_CLASSES)
        if python:
            return unknown("online endpoints are built in Python code; their traffic split cannot be read",
                           call_refs(python))
        return not_applicable("no online endpoint or deployment (batch-only or nothing deployed online)")
    return failed(_rollout_gap(endpoints, by_endpoint, shifts), _rollout_refs(endpoints, online, shifts))


def _rollout_gap(endpoints: list[AmlAsset], by_endpoint: dict[str, list[AmlAsset]], shifts: Sequence) -> str:
    parts = []
    for endpoint in endpoints:
        traffic = endpoint_traffic(endpoint)
        parts.append(
            f"endpoint {label_of(endpoint)} sends all traffic to {next(iter(traffic))}" if len(traffic) == 1
            else f"endpoint {label_of(endpoint)} declares no traffic split"
        )
    for endpoint_name, deployments in by_endpoint.items():
        parts.append(f"endpoint {endpoint_name} has {plural(len(deployments), 'deployment')} "
                     f"({listed(d.name or d.path for d in deployments)})")
    ci = (f"{plural(len(shifts), 'CI traffic shift')} with fewer than two deployments or another endpoint"
          if shifts else "no CI step shifts traffic (az ml online-endpoint update --traffic)")
    return "; ".join([*parts, ci])


def _rollout_refs(endpoints: list[AmlAsset], online: list[AmlAsset], shifts: Sequence[CiAction]) -> tuple:
    return refs(
        [(location_at(e, "traffic"), "online endpoint traffic") for e in endpoints]
        + [(d.location, f"online deployment {d.name or ''}".strip()) for d in online]
        + [(s.location, s.command or s.step) for s in shifts]
    )


def _model_pin(value: Any) -> tuple[bool, str]:
    """Whether a deployment's model value names one registered version, and why not."""
    if value is None:
        return False, "no model"
    if isinstance(value, dict):
        return False, "an inline model from a local path" if value.get("path") else "an inline model"
    ref = parse_asset_ref(value)
    if ref is None:
        return False, f"{value} (a local path, not a registered model)"
    if ref.label:
        return False, f"{value} (label @{ref.label}, not a version)"
    if not ref.is_pinned:
        return False, f"{value} (no version)"
    return True, f"{value}" + (" (version supplied at deploy time)" if ref.version_is_expression else "")


def deployments_pin_model_version(repo: RepoEvidence) -> CheckResult:
    """Does every deployment reference a registered model version (azureml:<name>:<version>)?"""
    pinned, loose = [], []
    for deployment in _deployments(repo):
        if deployment_model_ref(deployment) is None and "component" in deployment.data:
            continue  # a pipeline-component batch deployment: no model to pin
        for value, where, how in values_at_deploy(repo, deployment, "model", DEPLOY_ACTIONS):
            ok, detail = _model_pin(value)
            (pinned if ok else loose).append((deployment, detail, where, how))
    if loose:
        return failed(
            "deployments that do not pin a model version: "
            + listed(f"{d.path} uses {detail}" for d, detail, _, _ in loose),
            refs((where, f"{detail}; {how}") for _, detail, where, how in loose),
        )
    if pinned:
        return passed(
            "every deployment pins a registered model version: "
            + listed(f"{d.name or d.path} -> {detail}" for d, detail, _, _ in pinned),
            refs((where, f"{detail}; {how}") for _, detail, where, how in pinned),
        )
    python = python_calls(repo, *DEPLOYMENT_CLASSES)
    if python:
        return unknown("deployments are built in Python code; their model references cannot be read",
                       call_refs(python))
    return not_applicable(f"no deployment YAML with a model; {looked_at(repo)}")


CHECKS = (
    defines_model_deployment,
    uses_safe_rollout,
    deployments_pin_model_version,
)
