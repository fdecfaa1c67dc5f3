"""Collect every repository fact once; checks then read them (never the files)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_ladder.assessment.evidence.common import Note, Resource
from mlops_ladder.assessment.evidence.repo import azureml, ci, iac, project, python_code
from mlops_ladder.assessment.evidence.repo.files import GitInfo, RepoFiles, list_repo_files


@dataclass
class RepoEvidence:
    root: Path
    files: RepoFiles
    ci: ci.CiEvidence
    iac: iac.IacEvidence
    azureml: azureml.AzureMLEvidence
    python: python_code.PythonEvidence
    project: project.ProjectEvidence

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
    return RepoEvidence(
        root=root,
        files=files,
        ci=ci.collect(files),
        iac=iac.collect(files),
        azureml=azureml.collect(files),
        python=python_code.collect(files),
        project=project.collect(files),
    )
