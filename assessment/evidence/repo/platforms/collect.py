"""Facts about the other ML platforms a repository uses (see model.py), from its files, Python
facts and infrastructure code. Each platform module reads only the files whose name or imports
say they belong to it: dvc.yaml / .dvc files, databricks.yml bundles, modules that import
`sagemaker`, `kfp` or `google.cloud.aiplatform`, Data Factory / Synapse JSON (a `pipeline/` folder
or an ARM template with their pipelines), and the IaC resources already read. A shape a
reader does not expect is a note on the files it was reading, never a failed scan."""

from __future__ import annotations

from collections.abc import Callable

from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence
from mlops_ladder.assessment.evidence.repo.platforms import data_factory, databricks, dvc, sagemaker, vertex
from mlops_ladder.assessment.evidence.repo.platforms.model import PlatformEvidence
from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence


def collect(files: RepoFiles, python: PythonEvidence, iac: IacEvidence) -> PlatformEvidence:
    evidence = PlatformEvidence()
    readers: list[tuple[str, str, Callable[[], None]]] = [
        ("DVC", "dvc.yaml", lambda: dvc.collect(files, evidence)),
        ("Databricks", "databricks.yml", lambda: databricks.collect(files, python, evidence)),
        ("SageMaker", ".", lambda: sagemaker.collect(python, iac.resources, evidence)),
        ("Vertex AI / Kubeflow", ".", lambda: vertex.collect(files, python, iac.resources, evidence)),
        ("Data Factory / Synapse", ".", lambda: data_factory.collect(files, evidence)),
    ]
    for platform, where, read in readers:
        try:
            read()
        except Exception as exc:  # one odd file must not stop the scan
            files.note(where, f"{platform} facts not fully read: {type(exc).__name__}: {exc}")
    return evidence
