"""Checks of the project files: dependencies declared and pinned, lint and pre-commit configuration,
no committed secrets or large binaries, a dependency update bot, CODEOWNERS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, failed, not_applicable, passed, refs, unknown
from mlops_ladder.assessment.checks.text import name_list, plural

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

ENVIRONMENT_FILE_KINDS = ("requirements", "constraints", "conda")  # what an environment is built from
MIB = 1024 * 1024


def declares_dependencies(repo: RepoEvidence) -> CheckResult:
    """Are the packages the project needs written down (pinned or not; pinning is MLL-103)?"""
    project = repo.project
    listing = [f for f in project.dependency_files if f.total]
    if listing or project.lock_files:
        total = sum(f.total for f in listing)
        where = name_list([f.path for f in listing] + [f.path for f in project.lock_files], 4)
        what = f"{plural(total, 'dependency')} declared in {where}" if listing else f"lock file {where}"
        return passed(
            what,
            refs(
                [(f.path, f"{f.kind}: {f.total} dependencies") for f in listing]
                + [(f.path, f.kind) for f in project.lock_files]
            ),
        )
    if project.dependency_files:
        return failed(
            f"{name_list(f.path for f in project.dependency_files)} list no dependencies",
            refs([(f.path, "no dependencies") for f in project.dependency_files]),
        )
    return failed(
        "no requirements file, conda environment, pyproject.toml/setup.cfg dependencies, Pipfile or lock file"
    )


def has_pinned_environment(repo: RepoEvidence) -> CheckResult:
    project = repo.project
    if project.lock_files:
        lock = project.lock_files[0]
        return passed(
            f"lock file {lock.path} ({lock.kind})"
            + (f" and {plural(len(project.lock_files) - 1, 'more')}" if len(project.lock_files) > 1 else ""),
            refs([(f.path, f.kind) for f in project.lock_files]),
        )
    environment_files = [f for f in project.dependency_files if f.kind in ENVIRONMENT_FILE_KINDS]
    declared = [f for f in project.dependency_files if f.kind not in ENVIRONMENT_FILE_KINDS]
    considered = [f for f in (environment_files or declared) if f.total]
    if not considered:
        if project.dependency_files:
            return failed(
                f"{name_list(f.path for f in project.dependency_files)} list no dependencies; no lock file",
                refs([(f.path, "no dependencies") for f in project.dependency_files]),
            )
        return failed("no requirements, conda, pyproject.toml, setup.cfg, Pipfile or lock file found")
    total = sum(f.total for f in considered)
    unpinned = [(f, d) for f in considered for d in f.dependencies if not d.pinned]
    paths = name_list((f.path for f in considered), 4)
    if not unpinned:
        ranges = [f for f in declared if f.total and f.unpinned] if environment_files else []
        note = f"; {name_list(f.path for f in ranges)} declare ranges that these files pin" if ranges else ""
        every = "the only dependency is" if total == 1 else f"all {total} dependencies are"
        return passed(
            f"{every} pinned to exact versions in {paths}{note}",
            refs([(f.path, f"{f.pinned}/{f.total} pinned") for f in considered]),
        )
    return failed(
        f"{len(unpinned)} of {total} dependencies in {paths} have no exact version "
        f"({name_list((d.name for _, d in unpinned), 5)}) and there is no lock file",
        refs([(d.location, d.spec) for _, d in unpinned]),
    )


def has_lint_config(repo: RepoEvidence) -> CheckResult:
    configs = repo.project.lint_configs
    if configs:
        tools = name_list(f"{c.tool} ({c.detail})" for c in configs)
        return passed(f"lint/format configuration: {tools}", refs([(c.location, c.tool) for c in configs]))
    return failed(
        "no ruff, flake8, pylint or black configuration in pyproject.toml, setup.cfg, tox.ini, "
        "their own files or pre-commit hooks"
    )


def has_pre_commit_hooks(repo: RepoEvidence) -> CheckResult:
    config = repo.project.pre_commit
    if config is None:
        return failed("no .pre-commit-config.yaml at the repository root")
    if config.error:
        return failed(f"{config.path} is not usable: {config.error}", refs([(config.path, config.error)]))
    if not config.hooks:
        return failed(f"{config.path} defines no hooks", refs([(config.path, "no hooks")]))
    return passed(
        f"{config.path} runs {plural(len(config.hooks), 'hook')}: "
        f"{name_list((h.id for h in config.hooks), 5)}",
        refs([(h.location, h.id) for h in config.hooks]),
    )


def has_no_committed_secrets(repo: RepoEvidence) -> CheckResult:
    project = repo.project
    findings = project.secrets
    if findings:
        files = {f.location.path for f in findings}
        return failed(
            f"{plural(len(findings), 'possible credential')} committed in {plural(len(files), 'file')}: "
            f"{name_list(f.kind for f in findings)} (values redacted)",
            refs([(f.location, f"{f.kind}: {f.preview}") for f in findings], limit=20),
        )
    return passed(f"no credentials found in {plural(project.files_scanned_for_secrets, 'scanned file')}")


def has_no_large_binaries(repo: RepoEvidence, max_mb: float = 10) -> CheckResult:
    limit = max_mb * MIB
    candidates = repo.project.model_data_files
    large = sorted((f for f in candidates if f.size > limit), key=lambda f: -f.size)
    evidence = refs([(f.path, f"{f.size / MIB:.1f} MiB") for f in large])
    if not repo.git.is_repo:
        if large:
            return unknown(
                f"not a git repository: cannot tell whether {plural(len(large), 'model/data file')} over "
                f"{max_mb:g} MB ({name_list(f.path for f in large)}) would be committed",
                evidence,
            )
        return not_applicable(f"not a git repository, and no model/data file over {max_mb:g} MB")
    if large:
        return failed(
            f"{plural(len(large), 'model/data file')} over {max_mb:g} MB tracked by git: "
            f"{name_list(f'{f.path} ({f.size / MIB:.0f} MiB)' for f in large)}",
            evidence,
        )
    lfs = f"; Git LFS handles {name_list(repo.project.lfs_patterns)}" if repo.project.lfs_patterns else ""
    return passed(
        f"no tracked model/data file over {max_mb:g} MB ({plural(len(candidates), 'smaller one')}){lfs}"
    )


def has_dependency_update_bot(repo: RepoEvidence) -> CheckResult:
    bots = repo.project.dependency_bots
    working = [b for b in bots if b.error is None]
    if working:
        bot = working[0]
        ecosystems = f" for {name_list(bot.ecosystems, 5)}" if bot.ecosystems else ""
        evidence = refs([(b.path, b.tool) for b in working])
        return passed(f"{bot.tool} is configured in {bot.path}{ecosystems}", evidence)
    if bots:
        return failed(
            f"{bots[0].path} is not usable: {bots[0].error}", refs([(b.path, b.error or "") for b in bots])
        )
    return failed("no .github/dependabot.yml or Renovate configuration (renovate.json, .renovaterc, ...)")


def has_codeowners(repo: RepoEvidence) -> CheckResult:
    owners = repo.project.codeowners
    with_rules = [o for o in owners if o.rules]
    if with_rules:
        owner = with_rules[0]
        rules = plural(owner.rules, "rule")
        return passed(f"{owner.path} assigns owners ({rules})", refs([(owner.path, "CODEOWNERS")]))
    if owners:
        evidence = refs([(o.path, "no rules") for o in owners])
        return failed(f"{owners[0].path} exists but assigns no owners", evidence)
    # Without CODEOWNERS, reviews may still be required by branch protection, which no file shows:
    # unknown, so the questionnaire asks (a CODEOWNERS file without rules is a real failure).
    return unknown(
        "no CODEOWNERS file (looked at the root, .github/ and docs/); "
        "branch protection may still require reviews"
    )


CHECKS = (
    declares_dependencies,
    has_pinned_environment,
    has_lint_config,
    has_pre_commit_hooks,
    has_no_committed_secrets,
    has_no_large_binaries,
    has_dependency_update_bot,
    has_codeowners,
)
