"""`new`: create a project at a target level from the template layers, all or nothing.

plan (layers 1..N) -> render each layer with copier into a staging folder beside DEST ->
check that no layer rewrote a lower layer's file -> git init + first commit -> move the
staging folder into place. DEST is never half-written: any failure removes the staging
folder and leaves DEST as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_ladder import __version__
from mlops_ladder.errors import BadInputError, RefusedError, UsageError
from mlops_ladder.generator.history import CURRENT_VERSION
from mlops_ladder.generator.layers import MAX_TEMPLATE_LEVEL, Layer, plan
from mlops_ladder.generator.render import TemplateError, render_files
from mlops_ladder.generator.transaction import current_umask


@dataclass(frozen=True)
class NewResult:
    dest: Path
    level: int
    layers: tuple[str, ...]
    files: tuple[str, ...]
    answers: Mapping[str, Any]
    committed: bool


def check_destination(dest: Path) -> None:
    """Refuse a DEST that holds anything or cannot be created, before any question is asked."""
    if dest.is_symlink():  # the project would land wherever the link points, not at DEST
        raise RefusedError(
            f"{dest}: is a symbolic link (to {os.path.realpath(dest)}); not writing through it",
            hint="give the folder itself as DEST",
        )
    try:
        if dest.exists() and not dest.is_dir():
            raise BadInputError(f"{dest}: exists and is a file", hint="choose a new folder for the project")
        if dest.is_dir() and any(dest.iterdir()):
            raise RefusedError(
                f"{dest}: folder is not empty; not writing into it",
                hint="choose a new or empty folder, or run `mlops-ladder upgrade` on an existing project",
            )
    except OSError as exc:  # a DEST (or a folder above it) that cannot be listed
        raise _cannot_write(dest, exc) from None
    # The project is staged beside DEST: the nearest existing folder above it must take new entries.
    ancestor = dest.expanduser().absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise BadInputError(
            f"{dest}: cannot create the project there: {ancestor} is a file",
            hint="choose a folder whose parent folders can be created",
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise BadInputError(
            f"{dest}: cannot create the project there: {ancestor} is not writable",
            hint="choose a folder you can write to",
        )


def _cannot_write(dest: Path, exc: OSError) -> BadInputError:
    reason = exc.strerror or type(exc).__name__
    return BadInputError(
        f"{dest}: cannot create the project there: {reason}", hint="choose a folder you can write to"
    )


def check_level(level: int) -> None:
    if not 1 <= level <= MAX_TEMPLATE_LEVEL:
        raise UsageError(
            f"--level {level}: "
            + (f"level {level} has no templates yet" if level > MAX_TEMPLATE_LEVEL else "not a level")
            + f" (this release has levels 1-{MAX_TEMPLATE_LEVEL})",
            hint=f"use --level 1 to {MAX_TEMPLATE_LEVEL}",
        )


def new_project(dest: Path, level: int, answers: Mapping[str, Any], *, git: bool = True) -> NewResult:
    """Create the project. *answers* must be complete and validated (questions.complete)."""
    check_level(level)
    dest = dest.expanduser().absolute()
    check_destination(dest)
    parent = dest.parent
    layers = plan(0, level)
    created = _missing_folders(parent)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.mlops-ladder-", dir=parent))
    except OSError as exc:  # read-only file system, a folder that vanished, ...
        _remove_folders(created)
        raise _cannot_write(dest, exc) from None
    try:
        # mkdtemp makes the folder private (0700); the project folder it becomes follows the umask.
        staging.chmod(0o777 & ~current_umask())
        for layer in layers:
            render_layer(layer, staging, answers)
        files = tuple(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()))
        committed = git and _git_init_and_commit(staging, level)
        _move_into_place(staging, dest)
    except OSError as exc:  # a full disk, a quota: said of DEST, never of the staging folder
        shutil.rmtree(staging, ignore_errors=True)
        _remove_folders(created)
        raise _cannot_write(dest, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_folders(created)
        raise
    return NewResult(dest, level, tuple(layer.id for layer in layers), files, dict(answers), committed)


def _missing_folders(folder: Path) -> list[Path]:
    """The folders `mkdir(parents=True)` would create for *folder*, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:  # deepest first; only those this run created, and only when empty
        try:
            folder.rmdir()
        except OSError:
            return


def render_layer(layer: Layer, dest: Path, answers: Mapping[str, Any]) -> None:
    """Render one layer into *dest* (which may hold lower layers), refusing to touch their files."""
    files = render_files(layer.path, layer.id, answers, CURRENT_VERSION)
    clashes = sorted(path for path in files if (dest / path).exists())
    if clashes:
        raise TemplateError(
            f"template layer {layer.id} would rewrite lower-layer files: {', '.join(clashes)}"
        )
    for path, content in files.items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _git_init_and_commit(root: Path, level: int) -> bool:
    if shutil.which("git") is None:
        return False
    identity: list[str] = []
    configured = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, cwd=root)
    if configured.returncode != 0 or not configured.stdout.strip():
        identity = ["-c", "user.name=mlops-ladder", "-c", "user.email=mlops-ladder@localhost"]
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        [
            *identity,
            "commit",
            "-q",
            "-m",
            f"Create project at MLOps level {level} (mlops-ladder {__version__})",
        ],
    ):
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BadInputError(
                f"git {args[-1] if args else ''} failed in the new project: {proc.stderr.strip()}",
                hint="check your git installation, or pass --no-git",
            )
    return True


def _move_into_place(staging: Path, dest: Path) -> None:
    if not dest.exists():
        os.replace(staging, dest)
        return
    for entry in staging.iterdir():  # dest is an existing empty folder: keep it, fill it
        os.replace(entry, dest / entry.name)
    staging.rmdir()


__all__ = ["NewResult", "TemplateError", "check_destination", "new_project", "render_layer"]
