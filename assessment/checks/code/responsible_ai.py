"""Checks for Responsible AI analysis: fairness and explainability libraries, or Azure ML's rai_*
components."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs
from mlops_ladder.assessment.checks.code.modules import code_modules, imported_roots
from mlops_ladder.assessment.checks.text import name_list, plural
from mlops_ladder.assessment.evidence.common import Location

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

RESPONSIBLE_AI_LIBRARIES = (
    "fairlearn", "shap", "interpret", "interpret_community", "responsibleai", "raiwidgets", "dice_ml",
    "erroranalysis",
)
# Azure ML's Responsible AI components, from the azureml registry or registered in the workspace:
# azureml://registries/azureml/components/rai_tabular_insight_constructor/...,
# azureml:rai_insights_causal@latest
RAI_COMPONENT = re.compile(r"(?:^azureml:|/components/)(?:microsoft_azureml_)?rai_\w+")


def _strings_in(value: Any, line: int, depth: int = 0) -> Iterator[tuple[str, int]]:
    """Every string in a loaded YAML document with the line of its key or list item."""
    if depth > 30:
        return
    if isinstance(value, str):
        yield value, line
    elif isinstance(value, dict):
        key_line = getattr(value, "key_line", None)
        for key, item in value.items():
            yield from _strings_in(item, key_line(key) if key_line else line, depth + 1)
    elif isinstance(value, list):
        item_line = getattr(value, "item_line", None)
        for index, item in enumerate(value):
            yield from _strings_in(item, item_line(index) if item_line else line, depth + 1)


def runs_responsible_ai_analysis(repo: RepoEvidence) -> CheckResult:
    code = code_modules(repo)
    analysing = [(m, imported_roots(m, RESPONSIBLE_AI_LIBRARIES)) for m in code]
    analysing = [(m, libs) for m, libs in analysing if libs]
    components = [
        (Location(asset.path, line), value)
        for asset in repo.azureml.assets for value, line in _strings_in(asset.data, asset.line)
        if "rai_" in value and RAI_COMPONENT.search(value)
    ]
    evidence = [(m.path, f"imports {name_list(libs)}") for m, libs in analysing]
    evidence += components
    if analysing:
        module, libs = analysing[0]
        return passed(f"{module.path} runs Responsible AI analysis with {name_list(libs)}", refs(evidence))
    if components:
        location, value = components[0]
        return passed(f"{location} uses the Responsible AI component {value}", refs(evidence))
    return failed(
        f"no fairness or explainability analysis ({name_list(RESPONSIBLE_AI_LIBRARIES[:4], 4)}, or Azure ML "
        f"rai_* components); looked at {plural(len(code), 'non-test module')} and "
        f"{plural(len(repo.azureml.assets), 'Azure ML YAML file')}"
    )


CHECKS = (
    runs_responsible_ai_analysis,
)
