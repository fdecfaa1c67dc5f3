"""What the CI checks share: how an action is named in a finding, where a script's module is (and the
repository modules it imports), and whether a condition runs a step on failure."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.text import plural
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, Trigger

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

K = ActionKind
T = Trigger

MAX_IMPORT_DEPTH = 3  # repository modules a script imports, followed this deep
_ON_FAILURE = re.compile(r"(?<![!(])\bfailure\(\)|(?<!not\()\bfailed\(\)|on_failure|^\|\|", re.I)


def where_of(action: CiAction) -> str:
    root = action.root_pipeline or action.pipeline
    job = f"job {action.job}" + ("" if root == action.pipeline else f" of {root}")
    return f"{action.pipeline} ({job})"


def trigger_names(triggers: Iterable[Trigger]) -> str:
    names = sorted(str(t) for t in triggers)
    return ", ".join(names) if names else "no trigger"


def action_ref(action: CiAction, detail: str | None = None) -> tuple[Location, str]:
    return action.location, detail or f"{action.kind}: {action.command}"


def looked_at(repo: RepoEvidence) -> str:
    pipelines = [p for p in repo.ci.pipelines if not p.is_template]
    if not pipelines:
        return "the repository has no CI pipeline (GitHub Actions, Azure DevOps or GitLab CI)"
    return f"looked at {plural(len(pipelines), 'CI pipeline')}"


def module_of(repo: RepoEvidence, action: CiAction) -> PythonModule | None:
    return repo.python.module_at(action.files[0]) if action.kind is K.RUN_PYTHON and action.files else None


def scripts_calling(repo: RepoEvidence, *suffixes: str) -> list[CiAction]:
    """RUN_PYTHON actions whose script, or a repository module it imports, calls one of *suffixes*
    (e.g. "jobs.create_or_update")."""
    found = []
    for action in repo.ci.of_kind(K.RUN_PYTHON):
        module = module_of(repo, action)
        if module is not None and calls_in(reachable_modules(repo, module), *suffixes):
            found.append(action)
    return found


def reachable_modules(repo: RepoEvidence, module: PythonModule) -> list[PythonModule]:
    """*module* and the repository modules it imports, transitively (MAX_IMPORT_DEPTH deep)."""
    if repo.python.module_at(module.path) is not module:  # not one of the evidence's: not shared
        return _reachable_modules(repo, module)
    # many checks ask about the scripts CI runs: each script's modules are found once
    key = f"reachable_modules {module.path}"
    found = repo.python.derived(key, lambda _: _reachable_modules(repo, module))
    return list(found)


def _reachable_modules(repo: RepoEvidence, module: PythonModule) -> list[PythonModule]:
    by_suffix = repo.python.modules_by_name_suffix()
    seen = {module.path: module}
    frontier = [module]
    for _ in range(MAX_IMPORT_DEPTH):
        following = []
        for current in frontier:
            for name in current.imports:
                candidates = by_suffix.get(name, ())
                # several modules end with the name: the one nearest the importing script
                nearest = sorted(candidates, key=lambda m: _distance(m.path, module.path))[:1]
                for imported in nearest:
                    if imported.path not in seen and not imported.is_test:
                        seen[imported.path] = imported
                        following.append(imported)
        frontier = following
    return list(seen.values())


def _distance(path: str, start: str) -> int:
    common = posixpath.commonpath([posixpath.dirname(path) or ".", posixpath.dirname(start) or "."])
    return path.count("/") + start.count("/") - 2 * (common.count("/") + (common not in ("", ".")))


def calls_in(modules: list[PythonModule], *suffixes: str) -> list[str]:
    return [call.name for m in modules for call in m.calls_ending(*suffixes)]


def runs_on_failure(condition: str | None) -> bool:
    """True for conditions that run a step only when something failed.

    failure() (GitHub), failed() (Azure DevOps), on_failure (GitLab), `a || b` in a script."""
    return bool(condition and _ON_FAILURE.search(condition))
