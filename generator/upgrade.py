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

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_ladder.errors import BadInputError, RefusedError
from mlops_ladder.generator.changes import FileChange, Plan
from mlops_ladder.generator.history import TemplateSource
from mlops_ladder.generator.imports import missing_modules, unresolved_imports
from mlops_ladder.generator.layers import MAX_TEMPLATE_LEVEL, Layer, layer
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.project_state import applied_layers, is_git_repo, require_clean_git
from mlops_ladder.generator.questions import coerce, complete
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


def plan_upgrade(
    root: Path,
    to: int | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    source: TemplateSource | None = None,
    allow_non_git: bool = False,
) -> UpgradePlan:
    from mlops_ladder.assessment.api import assess_with_evidence, resolve_repo_path

    root = resolve_repo_path(root)
    source = source or TemplateSource()
    git = is_git_repo(root)
    if git:
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
    _check_target(target, current, report.level)
    data = {k: coerce(k, v) for k, v in (data or {}).items()}
    if applied and not any(a.adopted for a in applied):
        return _plan_generated(root, applied, report, repo, target, data, source, git)
    return _plan_adopted(root, report, repo, applied, target, data, source, git)


def _check_target(target: int, current: int, assessed: int) -> None:
    if target > MAX_TEMPLATE_LEVEL:
        raise BadInputError(
            f"level {target} has no templates yet (available: 1-{MAX_TEMPLATE_LEVEL})",
            hint=f"use --to 1 to {MAX_TEMPLATE_LEVEL}",
        )
    if target < 1:
        raise BadInputError(f"level {target} is not a target level", hint="use --to 1 to 3")
    if target <= current and target <= assessed:
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
        overrides = {k: v for k, v in answers.items() if k in newest.answers}
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

    guessed = applied[-1].answers if applied else adopt_answers(root, repo, target)
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

    adding = {
        path: content
        for lyr, files in rendered
        for path, content in files.items()
        if needed(lyr, path) and read_current(root, path) is None
    }
    broken = unresolved_imports(
        adding, package, package_dir, {m.module: m.functions for m in repo.python.modules}
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
            elif ours is None and needed(lyr, path) and path in broken:
                note = f"not added: it {broken[path]} (adapt it to your code and add it by hand)"
                changes.append(FileChange(path, Action.NOT_ADDED, lyr.id, None, None, note))
            elif ours is None and needed(lyr, path):
                note = f"wire by hand: {wire}" if wire else NOTES[Action.ADD]
                changes.append(FileChange(path, Action.ADD, lyr.id, content, None, note))
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
            changes = layer_changes(
                root, existing, source, {k: v for k, v in answers.items() if k in existing.answers}
            )
            if changes:
                result.layers_updated.append(existing.id)
            result.plan.changes.extend(changes)
    result.plan.notes.extend(_adoption_notes(repo, answers))
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


def adopt_answers(root: Path, repo: RepoEvidence, target: int) -> dict[str, Any]:
    """Answers for a hand-written repository, guessed from its evidence (each can be overridden)."""
    answers: dict[str, Any] = {}
    package = _main_package(repo)
    if package:
        answers["package_name"] = package
    environments = _environments(repo)
    if environments and (target < 3 or len(environments) >= 2):
        answers["environments"] = environments
    answers["project_name"] = _project_name(root, repo, answers)
    return answers


def _main_package(repo) -> str | None:
    """The top-level package holding most of the non-test code (src/ layouts included)."""
    counts: Counter[str] = Counter()
    for module in repo.python.code_modules:
        top = module.module.split(".")[0]
        if top and re.fullmatch(r"[a-z][a-z0-9_]{0,39}", top) and "." in module.module:
            counts[top] += 1
    return counts.most_common(1)[0][0] if counts else None


def _environments(repo) -> list[str]:
    seen: list[str] = []
    names = [a.environment for a in repo.ci.actions if a.environment]
    names += [p.environment for p in getattr(repo.iac, "parameter_files", []) if p.environment]
    for name in names:
        name = str(name).lower()
        if re.fullmatch(r"[a-z][a-z0-9]{1,4}", name) and name not in seen:
            seen.append(name)
    return seen


def _project_name(root: Path, repo, answers: dict[str, Any]) -> str:
    raw = root.name
    pyproject = repo.files.read_text("pyproject.toml") if repo.files.exists("pyproject.toml") else None
    if pyproject:
        match = re.search(r'^\s*name\s*=\s*"([^"]+)"', pyproject, flags=re.M)
        if match:
            raw = match.group(1)
    name = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name) or "ml-project"
    for length in range(min(len(name), 16), 2, -1):
        candidate = name[:length].rstrip("-")
        try:  # the longest prefix whose derived Azure names all fit (suffix length is fixed)
            complete({**answers, "project_name": candidate, "name_suffix": "ab12"}, 1)
        except BadInputError:
            continue
        return candidate
    return "ml-project"


def _adoption_notes(repo: RepoEvidence, answers: Mapping[str, Any]) -> list[str]:
    notes = [
        "adopted a repository not generated by mlops-ladder; answers guessed from it: "
        f"project_name={answers['project_name']}, package_name={answers['package_name']}, "
        f"environments={','.join(answers['environments'])} (override with --data key=value)",
    ]
    other = sorted({p.system for p in repo.ci.pipelines} - {"github"})
    if other:
        notes.append(
            f"your CI runs on {', '.join(other)}; the added GitHub Actions workflows show what to port"
        )
    return notes
