"""Project hygiene facts: dependencies and their pins, lock files, test / lint / pre-commit
configuration, dependency bots, CODEOWNERS, model cards, load tests, committed model and data
files, and committed secrets.

collect() assembles ProjectEvidence (model.py) from one module per concern: dependencies.py
and requirements.py, tooling.py, documents.py, binaries.py and secret_scan.py.

Only files whose path says what they are get read (requirements*.txt, pyproject.toml,
conda environment files...), and the conda files that Azure ML environment definitions name.
Model and data files are judged by their listed size, never read. The secret scan
(secret_scan.py) reads small configuration-like files and runs precise patterns only on files
where a cheap trigger search hits; findings are kept redacted (the first characters and the
length), never the value.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.project.binaries import collect_model_data_files
from mlops_ladder.assessment.evidence.repo.project.common import load_toml
from mlops_ladder.assessment.evidence.repo.project.dependencies import (
    collect_dependencies,
    collect_lock_files,
)
from mlops_ladder.assessment.evidence.repo.project.documents import collect_load_tests, collect_model_cards
from mlops_ladder.assessment.evidence.repo.project.model import ProjectEvidence
from mlops_ladder.assessment.evidence.repo.project.secret_scan import scan_secrets
from mlops_ladder.assessment.evidence.repo.project.tooling import (
    collect_codeowners,
    collect_dependency_bots,
    collect_tool_configs,
)


def collect(files: RepoFiles, referenced_conda: Iterable[str] = ()) -> ProjectEvidence:
    """*referenced_conda*: conda files that environment definitions name, read whatever their name."""
    evidence = ProjectEvidence()
    pyproject = load_toml(files, "pyproject.toml")
    collect_dependencies(files, evidence, pyproject, referenced_conda)
    collect_lock_files(files, evidence)
    collect_tool_configs(files, evidence, pyproject)
    collect_dependency_bots(files, evidence)
    collect_codeowners(files, evidence)
    collect_model_cards(files, evidence)
    collect_load_tests(files, evidence)
    collect_model_data_files(files, evidence)
    scan_secrets(files, evidence)
    return evidence
