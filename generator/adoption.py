"""Adopting a repository written by hand: the answers guessed from its evidence, each explained.

Every guess is printed with where it came from, so the user can see it and override it with
`--data key=value`: the package is the one that holds the ML code (not the folder with the most
modules, which may be CI helpers), the environments come from CI and parameter files, and a project
name too long for Azure's derived names is shortened on a word boundary where possible and said so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_ladder.errors import BadInputError
from mlops_ladder.generator.questions import complete, derived_names

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

_PACKAGE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def adopt_answers(root: Path, repo: RepoEvidence, target: int) -> tuple[dict[str, Any], list[str]]:
    """Answers for a hand-written repository, and one sentence per guess saying where it came from."""
    answers: dict[str, Any] = {}
    why: list[str] = []
    package, reason = main_package(repo)
    if package:
        answers["package_name"] = package
        why.append(f"package_name={package}: {reason}")
    environments, source = _environments(repo)
    if environments and (target < 3 or len(environments) >= 2):
        answers["environments"] = environments
        why.append(f"environments={','.join(environments)}: {source}")
    name, reason = project_name(root, repo, answers)
    answers["project_name"] = name
    why.append(f"project_name={name}: {reason}")
    systems = {p.system for p in repo.ci.pipelines}
    if "azure-devops" in systems and "github" not in systems:
        answers["ci_system"] = "azure-devops"
        first = next(p for p in repo.ci.pipelines if p.system == "azure-devops")
        why.append(f"ci_system=azure-devops: your CI is Azure Pipelines ({first.path})")
    return answers, why


def main_package(repo: RepoEvidence) -> tuple[str | None, str]:
    """The top-level package that holds the ML code (modules importing a data/ML library), or else
    the one holding most of the non-test code; with the reason, naming the packages passed over."""
    from mlops_ladder.assessment.checks.code.codebase import ML_LIBRARIES
    from mlops_ladder.assessment.checks.code.modules import code_modules, imported_roots

    modules: Counter[str] = Counter()
    with_ml: Counter[str] = Counter()
    example: dict[str, str] = {}
    for module in code_modules(repo):
        top = module.module.split(".")[0]
        if not (top and _PACKAGE.fullmatch(top) and "." in module.module):
            continue  # a lone script is not a package
        modules[top] += 1
        roots = imported_roots(module, ML_LIBRARIES)
        if roots:
            with_ml[top] += 1
            example.setdefault(top, f"{module.path} imports {roots[0]}")
    if not modules:
        return None, ""
    if with_ml:
        package = with_ml.most_common(1)[0][0]
        reason = f"the package with the ML code ({example[package]})"
    else:
        package = modules.most_common(1)[0][0]
        reason = f"the package with the most modules ({modules[package]}); none imports a data/ML library"
    others = [f"{name} ({count} module{'s' if count > 1 else ''})" for name, count in modules.items()]
    others = [o for o in others if not o.startswith(f"{package} (")]
    return package, reason + (f"; not {', '.join(sorted(others))}" if others else "")


def _environments(repo: RepoEvidence) -> tuple[list[str], str]:
    seen: list[str] = []
    sources: list[str] = []
    named = [(a.environment, "CI environments") for a in repo.ci.actions if a.environment]
    named += [
        (p.environment, "parameter files") for p in getattr(repo.iac, "parameter_files", []) if p.environment
    ]
    for name, source in named:
        name = str(name).lower()
        if re.fullmatch(r"[a-z][a-z0-9]{1,4}", name) and name not in seen:
            seen.append(name)
            if source not in sources:
                sources.append(source)
    return seen, "named by your " + " and ".join(sources) if seen else ""


def project_name(root: Path, repo: RepoEvidence, answers: Mapping[str, Any]) -> tuple[str, str]:
    """The repository's name (pyproject.toml's, else its folder's) as a valid project name, with why.
    A name whose derived Azure names would be too long is shortened, dropping whole words first."""
    raw, where = root.name, "the repository folder's name"
    if repo.files.exists("pyproject.toml"):
        match = re.search(
            r'^\s*name\s*=\s*"([^"]+)"', repo.files.read_text("pyproject.toml") or "", flags=re.M
        )
        if match:
            raw, where = match.group(1), "the name in pyproject.toml"
    name = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)
    if not name:
        return "ml-project", f"{where} ({raw!r}) has no usable letters; a placeholder"
    if _fits(name, answers):
        return name, where + ("" if name == raw else f" ({raw!r}) in lowercase letters, digits and hyphens")
    words = name.split("-")
    candidates = ["-".join(words[:n]) for n in range(len(words) - 1, 0, -1)]  # whole words first
    candidates += [name[:length].rstrip("-") for length in range(min(len(name), 16), 2, -1)]
    for candidate in candidates:
        if len(candidate) >= 3 and _fits(candidate, answers):
            limit = _first_limit_broken(name, answers)
            return candidate, (
                f"{where} ({raw!r}) shortened to {len(candidate)} characters because {limit}; "
                "choose another with --data project_name=..."
            )
    return "ml-project", f"{where} ({raw!r}) cannot be made to fit Azure's name limits; a placeholder"


def _fits(name: str, answers: Mapping[str, Any]) -> bool:
    try:  # every derived Azure name fits (the 4-character suffix has a fixed length)
        complete({**answers, "project_name": name, "name_suffix": "ab12"}, 1)
    except BadInputError:
        return False
    return True


def _first_limit_broken(name: str, answers: Mapping[str, Any]) -> str:
    full = {"environments": ["dev", "test", "prod"], **answers, "project_name": name, "name_suffix": "ab12"}
    if len(name) > 16:
        return f"a project name has at most 16 characters and {name!r} has {len(name)}"
    for kind, derived, limit in derived_names(full):
        if len(derived) > limit:
            return f"the {kind} name {derived} would be {len(derived)} characters and Azure allows {limit}"
    return "a derived Azure name would be too long"


def adoption_notes(repo: RepoEvidence, why: list[str]) -> list[str]:
    notes = [
        "adopted a repository not generated by mlops-ladder; answers guessed from it (override any with "
        "--data key=value): " + "; ".join(why)
    ]
    other = sorted({p.system for p in repo.ci.pipelines} - {"github", "azure-devops"})
    if other:
        notes.append(
            f"your CI runs on {', '.join(other)}; the added GitHub Actions (or Azure Pipelines) files show "
            "what to port"
        )
    return notes
