"""`upgrade`: lift a repository to a higher level by adding template layers, never losing a line.

plan: assess the repository -> the target (default: the next level) -> the layers to add.
- A project we generated (it has .mlops-ladder/level-N.answers.yml): every file of each new
  layer is added, and the layers already there are re-rendered with the new `level` answer by
  a 3-way update (update.layer_changes), which keeps the user's edits.
- A repository written by hand: it is *adopted*. Answers are pre-filled from the evidence
  (its package, CI system, environments, project name); every layer up to the target is
  rendered, and a template file is added only where the repository has no file at that path
  and the file is needed: a contract file other files rely on, or a file that helps meet a
  criterion the repository does not meet yet (templates/level-N/manifest.yml says which).
  Its own files are never touched; the plan lists what was not added and what to wire by hand.
Nothing is written in plan_upgrade; changes.apply() writes the plan as one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_ladder.errors import BadInputError, RefusedError, UsageError
from mlops_ladder.generator.adoption import adopt_answers, adoption_notes
from mlops_ladder.generator.adoption_files import AdoptionFiles, references_not_added
from mlops_ladder.generator.changes import FileChange, Plan
from mlops_ladder.generator.history import TemplateSource
from mlops_ladder.generator.imports import missing_modules, unresolved_imports
from mlops_ladder.generator.layers import MAX_TEMPLATE_LEVEL, Layer, layer
from mlops_ladder.generator.links import guard_writes
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.project_state import applied_layers, dirty_summary, is_git_repo, require_clean_git
from mlops_ladder.generator.questions import OMITTED_AT_DEFAULT, check_given, complete
from mlops_ladder.generator.render import answers_path, render_files, stamp_answers
from mlops_ladder.generator.update import NOTES, layer_changes, read_current

if TYPE_CHECKING:  # the assessment is imported when planning, not when the CLI starts
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.report import Report


@dataclass
class UpgradePlan:
    plan: Plan
    from_level: int
    to_level: int
    adopted: bool  # True: the repository was written by hand
    layers_added: list[str] = field(default_factory=list)
    layers_updated: list[str] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    git: bool = True
    dirty: str = ""  # a dry run on a dirty work tree: the paths that would make the real run refuse


def plan_upgrade(
    root: Path | str,
    to: int | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    source: TemplateSource | None = None,
    allow_non_git: bool = False,
    dry_run: bool = False,
) -> UpgradePlan:
    """The plan; *dry_run* plans on a dirty work tree too (it writes nothing) and says so."""
    from mlops_ladder.assessment.api import assess_with_evidence, resolve_repo_path

    root = resolve_repo_path(root)
    source = source or TemplateSource()
    git = is_git_repo(root)
    dirty = ""
    if git and dry_run:
        dirty = dirty_summary(root)
    elif git:
        require_clean_git(root, "upgrade")
    elif not allow_non_git:
        raise RefusedError(
            f"{root}: not the top folder of a git repository, so the upgrade could not be reviewed or undone",
            hint="run `git init && git add -A && git commit -m 'before upgrade'` first, or pass --no-git "
            "to add new files only (nothing existing is changed without git)",
        )
    report, repo = assess_with_evidence(root)
    applied = applied_layers(root)
    current = max([report.level, *(a.level for a in applied)])
    target = current + 1 if to is None else to
    data = check_given({k: v for k, v in (data or {}).items()}, "--data")
    _check_target(target, current, report.level, _changed_options(applied, data))
    if applied and not any(a.adopted for a in applied):
        planned = _plan_generated(root, applied, report, repo, target, data, source, git)
    else:
        planned = _plan_adopted(root, report, repo, applied, target, data, source, git)
    planned.dirty = dirty
    guard_writes(planned.plan)
    return planned


def _changed_options(applied: list, data: Mapping[str, Any]) -> list[str]:
    """The answers *data* changes in a generated project (say data_pipeline=adf): with these, `upgrade`
    may stay at the current level and re-render its layers (adding the option's files)."""
    if not applied:
        return []
    recorded = applied[-1].answers
    return sorted(k for k, v in data.items() if recorded.get(k, OMITTED_AT_DEFAULT.get(k)) != v)


def _check_target(target: int, current: int, assessed: int, changed: list[str] | None = None) -> None:
    if target > MAX_TEMPLATE_LEVEL:
        where = "--to" if target != current + 1 else f"the next level after {current}"
        raise UsageError(
            f"{where}: level {target} has no templates yet (this release has levels 1-{MAX_TEMPLATE_LEVEL})",
            hint=f"use --to 1 to {MAX_TEMPLATE_LEVEL}",
        )
    if target < 1:
        raise UsageError(f"--to {target}: not a target level", hint=f"use --to 1 to {MAX_TEMPLATE_LEVEL}")
    if changed and target < current:
        raise UsageError(
            f"--to {target}: the project is at level {current}; changing {', '.join(changed)} "
            "keeps its level",
            hint=f"use --to {current} (or a higher level)",
        )
    if target <= current and target <= assessed and not changed:
        raise BadInputError(
            f"the repository is already at level {assessed}; nothing to add for level {target}",
            hint="`mlops-ladder update` refreshes the layers it has",
        )


# -- a project we generated -----------------------------------------------------------------


def _plan_generated(root, applied, report, repo, target, data, source, git) -> UpgradePlan:
    newest = applied[-1]
    answers = complete({**newest.answers, **data, "level": target}, target)
    result = UpgradePlan(Plan(root), report.level, target, adopted=False, answers=answers, git=git)
    present = {a.level for a in applied}
    for n in range(1, target + 1):
        if n in present:
            continue
        lyr = layer(n)
        files = render_files(lyr.path, lyr.id, answers, source.version)
        changes = [_new_file(root, path, content, lyr.id) for path, content in files.items()]
        kept = [c.path for c in changes if c.action == Action.SKIP_OWN and c.previous != files[c.path]]
        if kept:  # the user's own files at this layer's paths: recorded so that updates never merge into them
            ours = answers_path(lyr.id)
            stamped = stamp_answers(files[ours], lyr.id, source.version, kept)
            changes = [c if c.path != ours else _new_file(root, ours, stamped, lyr.id) for c in changes]
        result.plan.changes.extend(changes)
        result.layers_added.append(lyr.id)
    if git:
        # Answers the layers recorded, plus those given now (an option a project never set, like
        # data_pipeline, is not in its answers files but must reach every layer).
        overrides = {k: v for k, v in answers.items() if k in newest.answers or k in data}
        for existing in applied:
            changes = layer_changes(root, existing, source, overrides)
            if changes:
                result.layers_updated.append(existing.id)
            result.plan.changes.extend(changes)
    else:
        result.plan.notes.append(
            "not a git repository: only new files are added; existing layers are not updated"
        )
    _warn_missing_modules(result, repo)
    return result


def _warn_missing_modules(result: UpgradePlan, repo: RepoEvidence) -> None:
    """Added files that import a module the project no longer has (its user deleted it, say train.py
    under a new train_job.py). They are still added, since the layer needs them, with a warning."""
    package = result.answers["package_name"]
    package_dir = f"src/{package}"
    adding = {c.path: c.content or b"" for c in result.plan.changes if c.action == Action.ADD}
    existing = {m.module: m.functions for m in repo.python.modules}
    missing = missing_modules(adding, package, package_dir, existing)
    for index, change in enumerate(result.plan.changes):
        if change.action != Action.ADD or change.path not in missing:
            continue
        files = ", ".join(_module_file(m, package, package_dir) for m in missing[change.path])
        what = f"imports {', '.join(missing[change.path])}, which the project does not have ({files})"
        result.plan.changes[index] = replace(change, note=f"wire by hand: it {what}; adapt it, or restore it")
        result.plan.warnings.append(
            f"{change.path} {what}: it fails on import until you adapt it or restore the module"
        )


def _module_file(module: str, package: str, package_dir: str) -> str:
    """Where a module of the package lives: churn_model.train -> src/churn_model/train.py."""
    inner = module.removeprefix(package).lstrip(".")
    return f"{package_dir}/{inner.replace('.', '/')}.py" if inner else f"{package_dir}/__init__.py"


def _new_file(root: Path, path: str, content: bytes, layer_id: str, note: str = "") -> FileChange:
    ours = read_current(root, path)
    if ours is None:
        return FileChange(path, Action.ADD, layer_id, content, None, note or NOTES[Action.ADD])
    if ours == content:
        return FileChange(path, Action.SKIP_OWN, layer_id, None, ours, "already there, identical")
    return FileChange(
        path,
        Action.SKIP_OWN,
        layer_id,
        None,
        ours,
        "the repository has its own file here; left alone" + (f" ({note})" if note else ""),
    )


# -- a repository written by hand -------------------------------------------------------------


def _plan_adopted(
    root: Path, report: Report, repo: RepoEvidence, applied, target: int, data, source, git: bool
) -> UpgradePlan:
    from mlops_ladder.generator.manifest import load_manifest

    guessed, why = (applied[-1].answers, []) if applied else adopt_answers(root, repo, target)
    answers = complete({**guessed, **data, "level": target}, target)
    result = UpgradePlan(Plan(root), report.level, target, adopted=True, answers=answers, git=git)
    met = {f.criterion.id for f in report.findings if f.outcome.is_met}
    package = answers["package_name"]
    package_dir = (
        (applied[-1].package_dir if applied else None) or _package_dir(repo, package) or f"src/{package}"
    )
    remap = package_dir if package_dir != f"src/{package}" else None
    present = {a.level for a in applied}
    rendered: list[tuple[Layer, dict[str, bytes]]] = []
    for n in range(1, target + 1):
        if n in present:
            continue  # already adopted: `update` keeps it current
        lyr = layer(n)
        rendered.append((lyr, render_files(lyr.path, lyr.id, answers, source.version, package_dir=remap)))
    manifests = {lyr.id: load_manifest(lyr.path, answers) for lyr, _ in rendered}

    def needed(lyr: Layer, path: str) -> bool:
        entry = manifests[lyr.id].entry_for(_unmap(path, package, package_dir))
        return entry is None or entry.contract or not entry.satisfies or not set(entry.satisfies) <= met

    candidates = {
        path: content
        for lyr, files in rendered
        for path, content in files.items()
        if needed(lyr, path) and read_current(root, path) is None
    }
    files_policy = AdoptionFiles(repo, report, package, package_dir)
    adding, not_added, extra = files_policy.decide(candidates)
    broken = unresolved_imports(
        adding, package, package_dir, {m.module: m.functions for m in repo.python.modules}
    )
    for path, reason in broken.items():
        not_added[path] = f"not added: it {reason} (adapt it to your code and add it by hand)"
    for path in not_added:
        adding.pop(path, None)
    rendered_paths = {path for _, files in rendered for path in files}
    absent = {p for p in rendered_paths - set(adding) if read_current(root, p) is None}
    for path, missing in references_not_added(adding, absent, package, package_dir).items():
        if path.startswith("tests/") or "/tests/" in path:  # it would fail in the user's CI
            not_added[path] = f"not added: it reads {missing}, which is not added (add both by hand)"
            del adding[path]
        else:
            extra[path] = (f"{extra[path]}; " if path in extra else "") + (
                f"it refers to {missing}, which was not added: point it at your own file"
            )
    for lyr, files in rendered:
        kept: list[str] = []
        changes: list[FileChange] = []
        for path, content in files.items():
            if path == answers_path(lyr.id):
                continue  # written last, with the paths that stayed the user's
            entry = manifests[lyr.id].entry_for(_unmap(path, package, package_dir))
            wire = entry.wire if entry is not None and entry.wire else ""
            ours = read_current(root, path)
            if ours is not None and ours != content:
                kept.append(path)
                note = "the repository has its own file here; left alone"
                note += f"; the template's version assumes: {wire}" if wire else ""
                changes.append(FileChange(path, Action.SKIP_OWN, lyr.id, None, ours, note))
            elif ours is None and path in not_added:
                changes.append(FileChange(path, Action.NOT_ADDED, lyr.id, None, None, not_added[path]))
            elif ours is None and path in adding:
                note = f"wire by hand: {wire}" if wire else NOTES[Action.ADD]
                if adding[path] != content:  # adapted to the repository: its own note replaces the template's
                    note = f"wire by hand: {extra[path]}"
                elif path in extra:
                    note = f"{note.rstrip('.')}; {extra[path]}"
                changes.append(FileChange(path, Action.ADD, lyr.id, adding[path], None, note))
        if any(c.action == Action.ADD for c in changes):
            stamped = stamp_answers(
                files[answers_path(lyr.id)], lyr.id, source.version, kept, adopted=True, package_dir=remap
            )
            note = "records the answers and the files that stay yours"
            changes.append(FileChange(answers_path(lyr.id), Action.ADD, lyr.id, stamped, None, note))
            result.layers_added.append(lyr.id)
        result.plan.changes.extend(changes)
    if git:
        for existing in applied:
            overrides = {k: v for k, v in answers.items() if k in existing.answers or k in data}
            changes = layer_changes(root, existing, source, overrides)
            if changes:
                result.layers_updated.append(existing.id)
            result.plan.changes.extend(changes)
    if why:  # a guess the user overrode is not explained: what they gave is shown instead
        why = [w for w in why if w.split("=", 1)[0] not in data]
        for key, value in data.items():
            why.append(f"{key}={','.join(value) if isinstance(value, list) else value} (given with --data)")
        result.plan.notes.extend(adoption_notes(repo, why))
    return result


def _package_dir(repo: RepoEvidence, package: str) -> str | None:
    """The folder of the user's package (`src/pkg`, `pkg`, `lib/pkg`...), from where its modules live."""
    for module in repo.python.code_modules:
        parts = module.path.split("/")
        if module.module.split(".")[0] == package and package in parts[:-1]:
            return "/".join(parts[: parts.index(package) + 1])
    return None


def _unmap(path: str, package: str, package_dir: str) -> str:
    prefix = package_dir + "/"
    return f"src/{package}/" + path[len(prefix) :] if path.startswith(prefix) else path


