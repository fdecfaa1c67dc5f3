"""Model and data files committed to the repository (not in Git LFS), judged by their listed size,
never read."""

from __future__ import annotations

import fnmatch
import posixpath

from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.project.model import ProjectEvidence

MODEL_DATA_SUFFIXES = (
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".onnx", ".h5", ".hdf5", ".pb", ".ckpt", ".safetensors",
    ".parquet", ".csv", ".tsv", ".feather", ".npy", ".npz", ".zip", ".tar.gz",
)


def _lfs_patterns(files: RepoFiles) -> tuple[str, ...]:
    if not files.exists(".gitattributes"):
        return ()
    text = files.read_text(".gitattributes") or ""
    return tuple(
        parts[0] for parts in (line.split() for line in text.splitlines())
        if len(parts) >= 2 and not parts[0].startswith("#") and "filter=lfs" in parts[1:]
    )


def _in_lfs(path: str, patterns: tuple[str, ...]) -> bool:
    name = posixpath.basename(path)
    for pattern in patterns:
        if "/" in pattern.strip("/"):
            if fnmatch.fnmatch(path, pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatch(name, pattern.strip("/")) or fnmatch.fnmatch(path, pattern.strip("/") + "/*"):
            return True
    return False


def collect_model_data_files(files: RepoFiles, evidence: ProjectEvidence) -> None:
    evidence.lfs_patterns = _lfs_patterns(files)
    for repo_file in files.files:
        if not repo_file.path.lower().endswith(MODEL_DATA_SUFFIXES):
            continue
        if evidence.lfs_patterns and _in_lfs(repo_file.path, evidence.lfs_patterns):
            continue
        if repo_file.tracked or not files.git.is_repo:
            evidence.model_data_files.append(repo_file)
