"""Facts about the other ML platforms a repository uses (see model.py), from its files, Python
facts and infrastructure code. Each platform module reads only the files whose name or imports
say they belong to it: dvc.yaml / .dvc files, databricks.yml bundles, modules that import
`sagemaker`, `kfp` or `google.cloud.aiplatform`, and the IaC resources already read."""

from __future__ import annotations

from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence
from mlops_ladder.assessment.evidence.repo.platforms import databricks, dvc, sagemaker, vertex
from mlops_ladder.assessment.evidence.repo.platforms.model import PlatformEvidence
from mlops_ladder.assessment.evidence.repo.python_model import PythonEvidence


def collect(files: RepoFiles, python: PythonEvidence, iac: IacEvidence) -> PlatformEvidence:
    evidence = PlatformEvidence()
    dvc.collect(files, evidence)
    databricks.collect(files, python, evidence)
    sagemaker.collect(python, iac.resources, evidence)
    vertex.collect(files, python, iac.resources, evidence)
    return evidence
