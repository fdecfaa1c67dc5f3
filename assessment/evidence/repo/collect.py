"""Collect every repository fact once; checks then read them (never the files).

The facts come from one sub-package per source: files.py (the listing, read once), ci/ (CI
pipelines), iac/ (Bicep, ARM, Terraform), azureml/ (Azure ML YAML), python/ (Python code and
notebooks), project/ (dependencies, tooling, documents, committed binaries and secrets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlops_ladder.assessment.evidence.common import Note, Resource
from mlops_ladder.assessment.evidence.repo.azureml.collect import collect as collect_azureml
from mlops_ladder.assessment.evidence.repo.azureml.conda_refs import referenced_conda_files
from mlops_ladder.assessment.evidence.repo.azureml.model import AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.ci.collect import collect as collect_ci
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.model import CiEvidence
from mlops_ladder.assessment.evidence.repo.files import GitInfo, RepoFiles, list_repo_files
from mlops_ladder.assessment.evidence.repo.iac.collect import collect as collect_iac
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence
from mlops_ladder.assessment.evidence.repo.platforms.collect import collect as collect_platforms
from mlops_ladder.assessment.evidence.repo.platforms.model import PlatformEvidence
from mlops_ladder.assessment.evidence.repo.project.collect import collect as collect_project
from mlops_ladder.assessment.evidence.repo.project.model import ProjectEvidence
from mlops_ladder.assessment.evidence.repo.python.collect import collect as collect_python
from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence
from mlops_ladder.assessment.evidence.repo.python.parallel import start_parsing
from mlops_ladder.assessment.evidence.repo.python.run_arguments import DataArgument, collect_run_arguments


@dataclass
class RepoEvidence:
    root: Path
    files: RepoFiles
    ci: CiEvidence
    iac: IacEvidence
    azureml: AzureMLEvidence
    python: PythonEvidence
    project: ProjectEvidence
    # DVC, Databricks, SageMaker, Vertex AI / Kubeflow (empty when a test builds the evidence by hand)
    platforms: PlatformEvidence = field(default_factory=PlatformEvidence)
    # URIs that scripts, CI steps and job commands pass to the modules they run (python/run_arguments.py)
    run_arguments: list[DataArgument] = field(default_factory=list)

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


def collect_repo(root: Path, on_stage: Callable[[str], None] | None = None) -> RepoEvidence:
    """Every fact of the repository at *root*; *on_stage* hears the name of each stage (progress)."""
    stage = on_stage or (lambda name: None)
    stage("listing files")
    files = list_repo_files(root)
    # In a large repository, forked workers start parsing the Python files now and work while
    # this process collects the CI, IaC and Azure ML facts (None: parsed in collect_python).
    python_parse = start_parsing(files)
    try:
        stage(f"reading CI pipelines ({len(files.files)} files)")
        # one script reader: a script the CI runs and the run-arguments collector reads is split once
        scripts = ScriptReader(files)
        ci_evidence = collect_ci(files, scripts)
        stage("reading infrastructure code")
        iac_evidence = collect_iac(files)
        stage("reading Azure ML definitions")
        azureml_evidence = collect_azureml(files)
        stage("reading Python code")
        # The texts read so far (workflows, templates, notebooks, JSON) are not kept while the Python
        # facts fill the memory: a later reader reads a file again (a large tree: 10 MiB of JSON)
        files.forget_texts()
        if python_parse is None:  # a small repository, one CPU or no fork: parsed here
            python_evidence = collect_python(files, processes=1)
        else:
            python_evidence = collect_python(files, started=python_parse)
    finally:
        if python_parse is not None:
            python_parse.close()
    stage("reading project files")
    return RepoEvidence(
        root=root,
        files=files,
        ci=ci_evidence,
        iac=iac_evidence,
        azureml=azureml_evidence,
        python=python_evidence,
        project=collect_project(files, referenced_conda_files(azureml_evidence, python_evidence)),
        platforms=collect_platforms(files, python_evidence, iac_evidence),
        run_arguments=collect_run_arguments(files, ci_evidence, azureml_evidence, scripts),
    )
