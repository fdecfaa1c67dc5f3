"""DVC: pipelines in dvc.yaml, tracked data (*.dvc) and remotes (.dvc/config).

* Each dvc.yaml with stages is a PlatformJob; its code is what the stages' `cmd` run (read with
  the CI command reader: `python train.py`, `python -m pkg.train`, `make train`), from the
  stage's folder (`wdir`).
* Stage `metrics:` and `plots:` files (and the top-level ones of DVC 3) are tracked metrics.
* Data tracked by DVC (`*.dvc` files, stage `deps` that are not code) with a remote in
  `.dvc/config` (`url = s3://...`) is a declared data source: the remote says where it lives.
  Without a remote, the data lives only on someone's disk, so it is not counted.
"""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.platforms.model import (
    FactKind,
    Platform,
    PlatformEvidence,
    PlatformFact,
    PlatformJob,
)
from mlops_ladder.assessment.evidence.yamlfile import LineDict, YamlError, line_of, load_yaml

_REMOTE_SECTION = re.compile(r"""^\s*\[\s*'?\s*remote\s+"([^"]+)"\s*'?\s*\]\s*$""")
_URL = re.compile(r"^\s*url\s*=\s*(\S+)")
_CODE_SUFFIXES = (".py", ".ipynb", ".sh", ".r", ".R", ".yaml", ".yml", ".json", ".toml")


def collect(files: RepoFiles, evidence: PlatformEvidence) -> None:
    tracked = [f.path for f in files.with_suffix(".dvc")]
    data_deps: list[str] = []
    for repo_file in files.named("dvc.yaml"):
        data_deps.extend(_pipeline(files, repo_file.path, evidence))
    remotes = _remotes(files)
    if remotes and (tracked or data_deps):
        name, url, line = remotes[0]
        what = _names(tracked or data_deps)
        evidence.facts.append(
            PlatformFact(
                Platform.DVC,
                FactKind.DATA_SOURCE,
                Location(".dvc/config", line),
                f"DVC tracks {what}, stored in the remote {name} ({url})",
                tuple(tracked or data_deps),
            )
        )


def _names(paths: list[str], limit: int = 3) -> str:
    shown = ", ".join(paths[:limit])
    return f"{shown} and {len(paths) - limit} more" if len(paths) > limit else shown


def _remotes(files: RepoFiles) -> list[tuple[str, str, int]]:
    """(name, url, line) of the remotes in .dvc/config."""
    text = files.read_text(".dvc/config") if files.exists(".dvc/config") else None
    found, current = [], None
    for number, line in enumerate((text or "").splitlines(), start=1):
        section = _REMOTE_SECTION.match(line)
        if section:
            current = section.group(1)
            continue
        if line.strip().startswith("["):
            current = None
        url = _URL.match(line)
        if current and url:
            found.append((current, url.group(1), number))
    return found


def _pipeline(files: RepoFiles, path: str, evidence: PlatformEvidence) -> list[str]:
    """Record the pipeline in *path*; return the data files its stages depend on."""
    text = files.read_text(path)
    try:
        data = load_yaml(text) if text else None
    except YamlError as exc:
        files.note(path, f"malformed YAML: {exc}")
        return []
    if not isinstance(data, dict):
        return []
    stages = data.get("stages") if isinstance(data.get("stages"), dict) else {}
    folder = posixpath.dirname(path)
    reader = ScriptReader(files)
    code: list[str] = []
    data_deps: list[str] = []
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        stage = stage.get("do", stage) if isinstance(stage.get("do"), dict) else stage  # foreach / do
        where = posixpath.normpath(posixpath.join(folder, str(stage.get("wdir", "."))))
        where = "" if where == "." else where
        commands = stage.get("cmd")
        for command in commands if isinstance(commands, list) else [commands]:
            if isinstance(command, str):
                for found in reader.scan(command, cwd=where).actions:
                    if found.kind is ActionKind.RUN_PYTHON and found.files:
                        code.append(found.files[0])
        for dependency in stage.get("deps") or []:
            if isinstance(dependency, str) and not dependency.endswith(_CODE_SUFFIXES):
                data_deps.append(posixpath.normpath(posixpath.join(where, dependency)))
        for key in ("metrics", "plots"):
            for output in _outputs(stage.get(key)):
                evidence.facts.append(
                    PlatformFact(
                        Platform.DVC,
                        FactKind.TRACKING,
                        Location(path, line_of(stage, key)),
                        f"DVC stage {name} tracks {key} in {output}",
                        (path,),
                    )
                )
    for key in ("metrics", "plots"):
        for output in _outputs(data.get(key)):
            evidence.facts.append(
                PlatformFact(
                    Platform.DVC,
                    FactKind.TRACKING,
                    Location(path, line_of(data, key)),
                    f"dvc.yaml tracks {key} in {output}",
                    (path,),
                )
            )
    if stages:
        line = data.key_line("stages") if isinstance(data, LineDict) else 1
        evidence.jobs.append(
            PlatformJob(
                Platform.DVC,
                f"{path} ({len(stages)} stages)",
                Location(path, line),
                path,
                tuple(dict.fromkeys(code)),
            )
        )
    return data_deps


def _outputs(value: object) -> list[str]:
    """Output paths of a `metrics:` / `plots:` list (strings, or one-key mappings with options)."""
    found = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(str(key) for key in item)
    return found
