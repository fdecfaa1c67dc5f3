"""What a repository holds of ours: the applied layers (one answers file each) and its git state."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlops_ladder.errors import BadInputError, RefusedError
from mlops_ladder.generator.links import readable
from mlops_ladder.generator.questions import check_given

ANSWERS_DIR = ".mlops-ladder"
_LAYER_FILE = re.compile(r"level-(\d+)\.answers\.yml")
USER_FILES_KEY = "_mlops_ladder_user_files"  # paths an adopted repo already had: never ours to merge
ADOPTED_KEY = "_mlops_ladder_adopted"  # the layer was added to a repository written by hand
PACKAGE_DIR_KEY = "_mlops_ladder_package_dir"  # where an adopted repository keeps its package


@dataclass
class AppliedLayer:
    id: str
    level: int
    version: str  # the template version that last rendered it, e.g. "v0.1.0"
    answers: dict[str, Any]
    user_files: list[str] = field(default_factory=list)
    path: str = ""  # the answers file, repo-relative
    adopted: bool = False
    package_dir: str | None = None  # set when template package files live in the user's own folder


def applied_layers(root: Path) -> list[AppliedLayer]:
    """The layers recorded in .mlops-ladder/, lowest first. A damaged answers file is a one-line error."""
    from mlops_ladder.generator.layers import MAX_TEMPLATE_LEVEL  # layers imports this module

    folder = root / ANSWERS_DIR
    if not readable(root, ANSWERS_DIR):  # where the answers are recorded: never outside the repository
        raise RefusedError(
            f"{ANSWERS_DIR} is a symbolic link to {os.path.realpath(folder)}, outside the repository",
            hint="replace the link with a folder holding its answers files, then run it again",
        )
    if not folder.is_dir():
        return []
    layers = []
    for path in sorted(folder.iterdir()):
        match = _LAYER_FILE.fullmatch(path.name)
        if not match:
            continue
        rel = path.relative_to(root).as_posix()
        if not readable(root, rel):
            raise BadInputError(
                f"{rel}: a symbolic link to {os.path.realpath(path)}, outside the repository; not read",
                hint="replace the link with the answers file itself, or remove it",
            )
        level = int(match.group(1))
        if not 1 <= level <= MAX_TEMPLATE_LEVEL:  # a stray or hand-made file: say so, never guess
            raise BadInputError(
                f"{rel}: level {level} has no template layer "
                f"(this release has levels 1-{MAX_TEMPLATE_LEVEL})",
                hint="remove the file, or restore it from git history",
            )
        data = _read_answers(path, rel)
        version = str(data.get("_commit") or "")
        if not version.startswith("v"):
            raise BadInputError(
                f"{rel}: no template version (_commit)", hint="restore the file from git history"
            )
        answers = {str(k): v for k, v in data.items() if not str(k).startswith("_")}
        recorded = answers.pop("level", None)
        if recorded is not None and (
            type(recorded) is not int or not level <= recorded <= MAX_TEMPLATE_LEVEL  # not a bool
        ):
            raise BadInputError(  # the project's level when the layer was rendered: never a template error
                f"{rel}: level: {recorded!r} is not a level this layer can be rendered at "
                f"({level} to {MAX_TEMPLATE_LEVEL})",
                hint="restore the file from git history (`mlops-ladder upgrade --to N` changes the level)",
            )
        answers = {**check_given(answers, rel), **({"level": recorded} if recorded is not None else {})}
        user_files = list(data.get(USER_FILES_KEY) or [])
        adopted = bool(data.get(ADOPTED_KEY))
        package_dir = data.get(PACKAGE_DIR_KEY)
        layers.append(
            AppliedLayer(f"level-{level}", level, version, answers, user_files, rel, adopted, package_dir)
        )
    return sorted(layers, key=lambda layer: layer.level)


def _read_answers(path: Path, rel: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{rel}: cannot read: {exc}", hint="restore the file from git history") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise BadInputError(
            f"{rel}: not valid YAML{where}", hint="fix or restore the answers file (git checkout -- FILE)"
        ) from None
    if not isinstance(data, dict):
        raise BadInputError(f"{rel}: expected a mapping of answers", hint="restore the file from git history")
    return data


def is_git_repo(root: Path) -> bool:
    if shutil.which("git") is None:
        return False
    proc = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True
    )
    return proc.returncode == 0 and Path(proc.stdout.strip()).resolve() == root.resolve()


def dirty_paths(root: Path) -> list[str]:
    """Changed, staged or untracked (not ignored) paths; empty for a clean work tree."""
    proc = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "-z", "--untracked-files=normal"],
        capture_output=True,
    )
    if proc.returncode != 0:
        raise RefusedError(f"{root}: git status failed: {proc.stderr.decode(errors='replace').strip()}")
    entries = [e for e in proc.stdout.decode("utf-8", errors="replace").split("\0") if e]
    return [e[3:] for e in entries if len(e) > 3]


def dirty_summary(root: Path) -> str:
    """The uncommitted paths, shortened for one line ("" for a clean work tree)."""
    dirty = dirty_paths(root)
    return ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")


def require_clean_git(root: Path, command: str) -> None:
    shown = dirty_summary(root)
    if shown:
        raise RefusedError(
            f"{root}: the work tree has uncommitted changes ({shown}); {command} needs a clean tree so that "
            "every change it makes can be reviewed and undone",
            hint="commit or stash your changes (git stash -u), then run it again",
        )
