"""Every check is listed once in its module's CHECKS and used by the model, and nothing else is."""

from __future__ import annotations

import inspect

from mlops_ladder.assessment.checks import alternatives, registry
from mlops_ladder.assessment.checks.base import CheckResult
from mlops_ladder.levels import load_model


def _public_checks(module) -> set[str]:
    """Public functions of *module* that return a CheckResult."""
    names = set()
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ != module.__name__ or name.startswith("_"):
            continue
        if inspect.signature(function).return_annotation in (CheckResult, "CheckResult"):
            names.add(name)
    return names


def test_every_check_function_is_listed_in_its_module() -> None:
    for module in registry._MODULES:
        listed = {check.__name__ for check in module.CHECKS}
        # Building blocks that return a CheckResult but are not checks a criterion names.
        helpers = {"any_of", "no_scoring_script", "runs_on_pull_requests", "nothing_to_judge"}
        assert _public_checks(module) - helpers == listed, module.__name__


def test_check_names_are_unique_and_every_check_is_used() -> None:
    names = [check.__name__ for module in registry._MODULES for check in module.CHECKS]
    assert len(names) == len(set(names))
    used = {spec.check for c in load_model().criteria for spec in c.evidence}
    # a composed check (alternatives.py) uses the checks of its alternatives
    composed = used & set(alternatives.ALTERNATIVES)
    used |= {check for name in composed for _, check in alternatives.ALTERNATIVES[name]}
    assert set(names) == used, f"unused: {set(names) - used}, missing: {used - set(names)}"
