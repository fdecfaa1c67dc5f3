"""`update`: bring every layer of a generated project to the current template version.

For each applied layer: base = the layer rendered at the version recorded in its answers file
(from the shipped template history) with the recorded answers; theirs = the layer at the
current version with the same answers (plus any overrides); ours = the work tree. Each file
is decided by merge.decide (add, update, 3-way merge, conflict with both sides kept, ...).
The same machinery re-renders lower layers when `upgrade` changes an answer (the level).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_ladder.errors import BadInputError, RefusedError
from mlops_ladder.generator.changes import FileChange, Plan
from mlops_ladder.generator.history import TemplateSource
from mlops_ladder.generator.links import guard_writes, readable
from mlops_ladder.generator.merge import Action, decide, has_our_markers
from mlops_ladder.generator.project_state import (
    AppliedLayer,
    applied_layers,
    dirty_summary,
    is_git_repo,
    require_clean_git,
)
from mlops_ladder.generator.render import render_files

NOTES = {
    Action.SKIP_OWN: "the repository has its own file here; left alone",
    Action.SKIP_DELETED: "you deleted this template file; not restored",
    Action.KEEP_EDITED: "no longer part of the template, but you changed it: kept",
    Action.REMOVE: "no longer part of the template and never changed: removed",
    Action.CONFLICT: "you and the template changed the same lines: both kept between conflict markers",
    Action.MERGE: "your changes and the template's merged",
    Action.UPDATE: "template changed, you had not: updated",
    Action.ADD: "new in the template",
}


@dataclass
class UpdateResult:
    plan: Plan
    layers: list[tuple[str, str, str]] = field(default_factory=list)  # (layer, from version, to version)
    dirty: str = ""  # a dry run on a dirty work tree: the paths that would make the real run refuse


def read_current(root: Path, path: str) -> bytes | None:
    """The bytes at *path* now, or None when absent or behind a link out of the repository (never read;
    links.guard_writes then turns any write there into a skip with a note)."""
    if not readable(root, path):
        return None
    target = root / path
    try:
        return target.read_bytes() if target.is_file() else None
    except OSError as exc:
        raise BadInputError(
            f"{path}: cannot read: {exc.strerror}", hint="check the file's permissions"
        ) from None


def layer_changes(
    root: Path,
    layer: AppliedLayer,
    source: TemplateSource,
    overrides: Mapping[str, Any] | None = None,
) -> list[FileChange]:
    """The changes that bring one applied layer to the current template version and answers."""
    extra = {"user_files": layer.user_files, "adopted": layer.adopted, "package_dir": layer.package_dir}
    base = render_files(
        source.layer_dir(layer.id, layer.version), layer.id, layer.answers, layer.version, **extra
    )
    answers = {**layer.answers, **(overrides or {})}
    theirs = render_files(
        source.layer_dir(layer.id, source.version), layer.id, answers, source.version, **extra
    )
    changes = []
    for path in sorted(set(base) | set(theirs)):
        if path in layer.user_files:
            continue  # an adopted repository's own file: never ours to merge
        ours = read_current(root, path)
        decision = decide(base.get(path), ours, theirs.get(path), path)
        if decision.action in (Action.MERGE, Action.CONFLICT) and has_our_markers(ours or b"", path):
            raise RefusedError(  # merging again would nest new markers in the old ones
                f"{path}: still holds the conflict markers of an earlier upgrade or update "
                f"(<<<<<<< {path} (yours))",
                hint="resolve them (keep the lines you want, delete the markers), commit, then run it again",
            )
        if decision.action is not None:
            changes.append(
                FileChange(path, decision.action, layer.id, decision.content, ours, NOTES[decision.action])
            )
    return changes


def plan_update(root: Path, source: TemplateSource | None = None, *, dry_run: bool = False) -> UpdateResult:
    """The plan; *dry_run* plans on a dirty work tree too (it writes nothing) and says so."""
    source = source or TemplateSource()
    if not is_git_repo(root):
        raise RefusedError(
            f"{root}: not the top folder of a git repository; update merges into your files and needs git "
            "to show and undo what it changed",
            hint="run it in the repository's top folder "
            "(or make one first: git init && git add -A && git commit -m 'before update')",
        )
    dirty = dirty_summary(root) if dry_run else ""
    if not dry_run:
        require_clean_git(root, "update")
    layers = applied_layers(root)
    if not layers:
        raise BadInputError(
            f"{root}: not generated by mlops-ladder (no .mlops-ladder/level-N.answers.yml)",
            hint="use `mlops-ladder upgrade` to adopt a repository written by hand",
        )
    result = UpdateResult(Plan(root), dirty=dirty)
    for layer in layers:
        if not source.knows(layer.version):
            source.layer_dir(layer.id, layer.version)  # raises the one-line "release too old" error
        result.plan.changes.extend(layer_changes(root, layer, source))
        result.layers.append((layer.id, layer.version, source.version))
    guard_writes(result.plan)
    return result
