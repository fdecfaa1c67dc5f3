"""Checks before deployment: an evaluation gate, a tested scoring script, a model card, load tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.code.modules import (
    code_modules,
    loaded_by_path,
    module_index,
    project_tests,
)
from mlops_ladder.assessment.checks.code.training import registration_calls
from mlops_ladder.assessment.checks.text import name_list, plural, subject
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.assets import deployment_scoring_script
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

DEPLOYMENT_KINDS = (AmlKind.ONLINE_DEPLOYMENT, AmlKind.BATCH_DEPLOYMENT)


def deployment_assets(repo: RepoEvidence) -> list[AmlAsset]:
    return repo.azureml.of_kind(*DEPLOYMENT_KINDS)


def scoring_scripts(repo: RepoEvidence) -> list[PythonModule]:
    """Non-test modules with top-level init() and run() (the Azure ML scoring script contract)."""
    return [m for m in code_modules(repo) if {"init", "run"} <= m.functions]


def no_scoring_script(repo: RepoEvidence) -> CheckResult:
    """Outcome when no module has init()/run(): depends on how the deployments are written."""
    deployments = deployment_assets(repo)
    referenced = [(d, deployment_scoring_script(d)) for d in deployments]
    with_script = [(d, s) for d, s in referenced if s]
    if with_script:
        deployment, script = with_script[0]
        module = repo.python.module_at(script)
        what = "has no top-level init() and run()" if module else "is not a Python file of the repository"
        return failed(
            f"deployment {deployment.path} uses scoring script {script}, which {what}",
            refs([(deployment.location, f"code_configuration.scoring_script {script}")]),
        )
    if deployments:
        return not_applicable(
            f"{subject(len(deployments), 'deployment', 'serves', 'serve')} MLflow models without a scoring "
            "script "
            "(no-code deployment): there is no init()/run() to test",
            refs([(d.location, "no code_configuration") for d in deployments]),
        )
    return failed(
        "no scoring script with top-level init() and run() and no Azure ML deployment; "
        f"looked at {plural(len(code_modules(repo)), 'non-test module')}"
    )


def has_evaluation_gate(repo: RepoEvidence) -> CheckResult:
    code = code_modules(repo)
    gates = [g for m in code for g in m.gates]
    if gates:
        gate = gates[0]
        evidence = refs([(g.location, g.detail) for g in gates])
        return passed(f"evaluation gate at {gate.location}: {gate.detail}", evidence)
    candidates = [g for m in code for g in m.gate_candidates]
    registrations = registration_calls(repo)
    registration_refs = [(Location(m.path, c.line), f"registers ({c.name})") for m, c in registrations]
    if candidates:
        candidate = candidates[0]
        unread_flags = all(c.detail.startswith("writes ") for c in candidates)
        if unread_flags and not registrations and repo.ci.of_kind(ActionKind.REGISTER_MODEL):
            return unknown(
                f"{candidate.location} {candidate.detail}; models are registered by CI, which may read it",
                refs([(c.location, c.detail) for c in candidates]),
            )
        return failed(
            f"no working evaluation gate: {candidate.location} {candidate.detail}",
            refs([(c.location, c.detail) for c in candidates] + registration_refs),
        )
    if registrations:
        module, call = registrations[0]
        return failed(
            f"{module.path}:{call.line} registers every model it is given: no code compares the candidate "
            "with the current model from the registry, or its metrics with thresholds, before registration",
            refs(registration_refs),
        )
    return failed(
        "no code compares a candidate with the current model from the registry, or its metrics with "
        "thresholds, and blocks a worse one; "
        f"looked at {plural(len(code), 'non-test module')}"
    )


def scoring_script_is_tested(repo: RepoEvidence) -> CheckResult:
    scripts = scoring_scripts(repo)
    if not scripts:
        return no_scoring_script(repo)
    index = module_index(repo)
    tests = project_tests(repo)
    tested: list[tuple[PythonModule, PythonModule, str]] = []
    for test in tests:
        imported = {m.path for m in index.targets(test)}
        loaded = {m.path for m in loaded_by_path(test, code_modules(repo))}
        for script in scripts:
            if script.path in imported:
                tested.append((script, test, "imports"))
            elif script.path in loaded:
                tested.append((script, test, "loads"))
    if tested:
        script, test, how = tested[0]
        return passed(
            f"scoring script {script.path} (init/run) is tested: {test.path} {how} it",
            refs([(t.path, f"{how} {s.path}") for s, t, how in tested]),
        )
    return failed(
        f"{name_list(s.path for s in scripts)} define init() and run(), but none of the "
        f"{plural(len(tests), 'test module')} imports or loads them",
        refs([(s.path, "init() and run(), untested") for s in scripts]),
    )


def has_model_card(repo: RepoEvidence) -> CheckResult:
    cards = repo.project.model_cards
    complete = [c for c in cards if len(c.sections) >= 2]
    if complete:
        card = max(complete, key=lambda c: len(c.sections))
        return passed(
            f"model card {card.path} covers {name_list(sorted(card.sections), 4)}",
            refs([(c.path, name_list(sorted(c.sections), 4)) for c in complete]),
        )
    if cards:
        card = cards[0]
        has = name_list(sorted(card.sections), 4) if card.sections else "none"
        return failed(
            f"model card {card.path} has too few of the sections intended use, training data, metrics and "
            f"limitations (found: {has}; at least 2 needed)",
            refs([(c.path, f"sections: {name_list(sorted(c.sections), 4) or 'none'}") for c in cards]),
        )
    return failed("no model card (MODEL_CARD.md, model_card.md, docs/model-card.md, *modelcard*.md)")


def has_load_tests(repo: RepoEvidence) -> CheckResult:
    found = {t.path: t.tool for t in repo.project.load_tests}
    for module in repo.python.modules:
        if module.imports_any("locust"):
            found.setdefault(module.path, "locust")
    if found:
        path, tool = next(iter(found.items()))
        return passed(f"{tool} load test {path}", refs([(p, t) for p, t in found.items()]))
    online = repo.azureml.of_kind(AmlKind.ONLINE_ENDPOINT, AmlKind.ONLINE_DEPLOYMENT)
    batch = repo.azureml.of_kind(AmlKind.BATCH_ENDPOINT, AmlKind.BATCH_DEPLOYMENT)
    if batch and not online:
        return not_applicable(
            "batch scoring only: there is no online endpoint to load-test",
            refs([(a.location, a.kind.value) for a in batch]),
        )
    return failed(
        "no load test for the scoring endpoint (locustfile.py, a module importing locust, a k6 script, *.jmx)"
    )


CHECKS = (
    has_evaluation_gate,
    scoring_script_is_tested,
    has_model_card,
    has_load_tests,
)
