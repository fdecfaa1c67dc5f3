"""Every check, by name. Criteria in levels/criteria/*.yaml refer to checks by these names.

Checks are grouped by the evidence they read: code/ (Python code and project files),
ci/ (what CI pipelines do), azureml/ (Azure ML YAML), infra.py (infrastructure code),
resources.py (generic checks over Azure resources, declared or live), isolation.py (network
isolation, declared or live), azure/ (what only a live Azure estate shows), answers.py,
platforms/ (other ML platforms: DVC, Databricks, SageMaker, Vertex AI), and alternatives.py
(core capabilities the rubric states as alternatives: any of several checks).
A module lists its checks in a CHECKS tuple; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Callable

from mlops_ladder.assessment.checks import alternatives, answers, infra, isolation, resources
from mlops_ladder.assessment.checks.azure import automation as azure_automation
from mlops_ladder.assessment.checks.azure import jobs as azure_jobs
from mlops_ladder.assessment.checks.azure import release as azure_release
from mlops_ladder.assessment.checks.azureml import data as azureml_data
from mlops_ladder.assessment.checks.azureml import deployment as azureml_deployment
from mlops_ladder.assessment.checks.azureml import environment as azureml_environment
from mlops_ladder.assessment.checks.azureml import monitoring as azureml_monitoring
from mlops_ladder.assessment.checks.azureml import training as azureml_training
from mlops_ladder.assessment.checks.base import CheckResult
from mlops_ladder.assessment.checks.ci import assets as ci_assets
from mlops_ladder.assessment.checks.ci import deployment as ci_deployment
from mlops_ladder.assessment.checks.ci import infrastructure as ci_infrastructure
from mlops_ladder.assessment.checks.ci import security as ci_security
from mlops_ladder.assessment.checks.ci import tests_and_lint as ci_tests_and_lint
from mlops_ladder.assessment.checks.ci import training as ci_training
from mlops_ladder.assessment.checks.code import codebase as code_codebase
from mlops_ladder.assessment.checks.code import deployment as code_deployment
from mlops_ladder.assessment.checks.code import features as code_features
from mlops_ladder.assessment.checks.code import project as code_project
from mlops_ladder.assessment.checks.code import responsible_ai as code_responsible_ai
from mlops_ladder.assessment.checks.code import training as code_training
from mlops_ladder.assessment.checks.platforms import data_pipeline as platform_data_pipeline
from mlops_ladder.assessment.checks.platforms import monitoring as platform_monitoring
from mlops_ladder.assessment.checks.platforms import release as platform_release
from mlops_ladder.assessment.checks.platforms import training as platform_training

_MODULES = (
    # code/: Python code and project files
    code_codebase, code_project, code_training, code_deployment, code_features, code_responsible_ai,
    # ci/: what CI pipelines do
    ci_tests_and_lint, ci_training, ci_deployment, ci_infrastructure, ci_security, ci_assets,
    # azureml/: Azure ML YAML
    azureml_data, azureml_training, azureml_environment, azureml_deployment, azureml_monitoring,
    # platforms/: other ML platforms, judged by the same capabilities in their own idioms
    platform_training, platform_release, platform_monitoring, platform_data_pipeline,
    infra,
    resources,
    isolation,
    # azure/: what only a live estate shows (who made items, traffic, served models, jobs run)
    azure_jobs, azure_release, azure_automation,
    answers,
    alternatives,
)

CHECKS: dict[str, Callable[..., CheckResult]] = {
    check.__name__: check for module in _MODULES for check in module.CHECKS
}
