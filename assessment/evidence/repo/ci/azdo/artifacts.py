"""Repository files that reach a job through pipeline artifacts.

A build job publishes a folder of the repository as an artifact (`PublishPipelineArtifact`,
`PublishBuildArtifacts`, the `publish:` shortcut), often after copying it to the staging folder
(`CopyFiles`); a later job downloads it (`DownloadPipelineArtifact`, `DownloadBuildArtifacts`,
`download: current`) and runs what it holds (`python $(System.ArtifactsDirectory)/code/train.py`,
`csmFile: $(Pipeline.Workspace)/templates/main.json`). The download folder is then an alias of the
repository folder: a path under it names a file of this repository.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from mlops_ladder.assessment.evidence.repo.ci.commands.variables import (
    dealias,
    expand,
    is_unresolved,
    resolve_path,
)

Alias = tuple[str, str]  # (folder as written in the pipeline, the repository folder it holds)

_PUBLISH_TASKS = frozenset({"publishpipelineartifact", "publishbuildartifacts"})
_DOWNLOAD_TASKS = frozenset({"downloadpipelineartifact", "downloadbuildartifacts"})


class Artifacts:
    """Artifacts published from repository folders, by name (for one pipeline walk)."""

    def __init__(self) -> None:
        self.published: dict[str, str] = {}

    def aliases_after(
        self, item: dict, inputs: Mapping[str, str], env: Mapping[str, str], aliases: tuple[Alias, ...]
    ) -> tuple[Alias, ...]:
        """The path aliases of the job after the step *item* (a task with *inputs*, or a shortcut)."""
        task = str(item.get("task", "")).split("@")[0].rsplit(".", 1)[-1].lower()
        if task == "copyfiles":
            source, target = inputs.get("sourcefolder"), inputs.get("targetfolder")
            folder = _repo_folder(source, env, aliases)
            if folder is not None and target:
                return (*aliases, (_written(target), folder))
        elif task in _PUBLISH_TASKS or "publish" in item:
            path = (
                item.get("publish")
                or inputs.get("targetpath")
                or inputs.get("path")
                or inputs.get("pathtopublish")
            )
            name = item.get("artifact") or inputs.get("artifactname") or inputs.get("artifact") or "drop"
            folder = _repo_folder(str(path) if path else None, env, aliases)
            if folder is not None:
                self.published[str(name)] = folder
        elif task in _DOWNLOAD_TASKS or item.get("download") == "current":
            name = item.get("artifact") or inputs.get("artifact") or inputs.get("artifactname")
            folder = self.published.get(str(name)) if name else None
            if folder is not None:
                written = (
                    inputs.get("path")
                    or inputs.get("targetpath")
                    or (
                        posixpath.join(inputs["downloadpath"], str(name))
                        if inputs.get("downloadpath")
                        else None
                    )
                    or f"$(Pipeline.Workspace)/{name}"
                )
                return (*aliases, (_written(written), folder))
        return aliases


def _written(path: str) -> str:
    return path.strip().strip("'\"").rstrip("/\\")


def _repo_folder(path: str | None, env: Mapping[str, str], aliases: tuple[Alias, ...]) -> str | None:
    if not path:
        return None
    resolved = resolve_path(expand(dealias(_written(path), aliases), env))
    return None if is_unresolved(resolved) or resolved.startswith(("/", "..")) else resolved
