"""Every check, by name. Criteria in levels/criteria/*.yaml refer to checks by these names.

Checks are grouped by the evidence they read: code.py (Python code and project files),
ci.py (what CI pipelines do), azureml.py (Azure ML YAML), infra.py (infrastructure code),
resources.py (generic checks over Azure resources, declared or live), answers.py,
platforms.py, platform_release.py and platform_monitoring.py (other ML platforms: DVC, Databricks,
SageMaker, Vertex AI),
and alternatives.py (core capabilities the rubric states as alternatives: any of several checks).
A module lists its checks in a CHECKS tuple; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Callable

from mlops_ladder.assessment.checks import (
    alternatives,
    answers,
    azureml,
    ci,
    code,
    infra,
    platform_monitoring,
    platform_release,
    platforms,
    resources,
)
from mlops_ladder.assessment.checks.base import CheckResult

_MODULES = (
    code, ci, azureml, infra, resources, answers,
    platforms, platform_release, platform_monitoring,  # other ML platforms
    alternatives,
)

CHECKS: dict[str, Callable[..., CheckResult]] = {
    check.__name__: check for module in _MODULES for check in module.CHECKS
}
