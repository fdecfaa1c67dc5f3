"""Collect every repository fact once; checks then read them (never the files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlops_ladder.assessment.evidence.common import Note, Resource
from mlops_ladder.assessment.evidence.repo import project, python_code
from mlops_ladder.assessment.evidence.repo.azureml import collect as azureml
from mlops_ladder.assessment.evidence.repo.azureml.model import AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.ci import collect as ci
from mlops_ladder.assessment.evidence.repo.ci.model import CiEvidence
from mlops_ladder.assessment.evidence.repo.files import GitInfo, RepoFiles, list_repo_files
from mlops_ladder.assessment.evidence.repo.iac import collect as iac
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence
from mlops_ladder.assessment.evidence.repo.platforms import collect as platforms
from mlops_ladder.assessment.evidence.repo.platforms.model import PlatformEvidence


@dataclass
class RepoEvidence:
    root: Path
    files: RepoFiles
    ci: CiEvidence
    iac: IacEvidence
    azureml: AzureMLEvidence
    python: python_code.PythonEvidence
    project: project.ProjectEvidence
    # DVC, Databricks, SageMaker, Vertex AI / Kubeflow (empty when a test builds the evidence by hand)
    platforms: PlatformEvidence = field(default_factory=PlatformEvidence)

    @property
    def git(self) -> GitInfo:
        return self.files.git

    @property
    def resources(self) -> list[Resource]:
        """Azure resources declared by the repo's infrastructure code (Bicep, ARM, Terraform)."""
        return self.iac.resources

    @property
    def notes(self) -> list[Note]:
        return sorted(set(self.files.notes))


def collect_repo(root: Path) -> RepoEvidence:
    files = list_repo_files(root)
    # In a large repository, forked workers start parsing the Python files now and work while
    # this process collects the CI, IaC and Azure ML facts (None: parsed in python_code.collect).
    python_parse = python_code.start_parsing(files)
    try:
        ci_evidence = ci.collect(files)
        iac_evidence = iac.collect(files)
        azureml_evidence = azureml.collect(files)
        if python_parse is None:  # a small repository, one CPU or no fork: parsed here
            python_evidence = python_code.collect(files, processes=1)
        else:
            python_evidence = python_code.collect(files, started=python_parse)
    finally:
        if python_parse is not None:
            python_parse.close()
    return RepoEvidence(
        root=root,
        files=files,
        ci=ci_evidence,
        iac=iac_evidence,
        azureml=azureml_evidence,
        python=python_evidence,
        project=project.collect(files),
        platforms=platforms.collect(files, python_evidence, iac_evidence),
    )
