"""GitLab CI (.gitlab-ci.yml with its local includes and child pipelines) as CI facts.

The configuration is merged from its files (config.py); a job's triggers and condition come
from its rules (rules.py). A job runs its `before_script`, `script` and `after_script` (the
defaults apply when it has none); a job someone must start (`when: manual`) is an approval step.
`allow_failure` is the job's continue-on-error, `id_tokens`
gives it an OIDC token; a child pipeline (`trigger: include:`) runs within the parent's run.
"""

from __future__ import annotations

from collections.abc import Mapping

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand
from mlops_ladder.assessment.evidence.repo.ci.gitlab.config import (
    ConfigFiles,
    Entry,
    is_job,
    resolved_job,
    script_lines,
    value_of,
)
from mlops_ladder.assessment.evidence.repo.ci.gitlab.rules import (
    job_condition,
    job_triggers,
    workflow_triggers,
)
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, first_line, literal_env, text_of
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

MAIN = ".gitlab-ci.yml"
_DEFAULT_STAGES = (".pre", "build", "test", "deploy", ".post")


def collect(files: RepoFiles, builder: Builder) -> frozenset[str]:
    """Read the GitLab configuration; return the files it read (no other reader should)."""
    if not files.exists(MAIN):
        return frozenset()
    reader = _Reader(files, builder)
    try:
        reader.run(MAIN)
    except Exception as exc:  # one odd configuration must not stop the scan
        files.note(MAIN, f"GitLab CI not fully read: {type(exc).__name__}: {exc}")
    return frozenset(reader.configs.read)


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder) -> None:
        self.files = files
        self.builder = builder
        self.configs = ConfigFiles(files)

    def run(self, path: str) -> None:
        config = self.configs.load_config(path)
        if not config:
            return
        base = workflow_triggers(value_of(config, "workflow"))
        self._pipeline(path, config, base, root=path, prefix="", outer_needs=(), stack=(path,))

    def _pipeline(
        self,
        path: str,
        config: dict[str, Entry],
        base: tuple[frozenset, frozenset],
        *,
        root: str,
        prefix: str,
        outer_needs: tuple[str, ...],
        stack: tuple[str, ...],
    ) -> None:
        jobs = {
            name: resolved_job(name, config) for name, entry in config.items() if is_job(name, entry.value)
        }
        jobs = {name: job for name, job in jobs.items() if "script" in job or "trigger" in job}
        stages = [str(s) for s in as_list(value_of(config, "stages"))] or list(_DEFAULT_STAGES)
        by_stage: dict[str, list[str]] = {}
        for name, job in jobs.items():
            by_stage.setdefault(str(job.get("stage", "test")), []).append(name)
        variables = literal_env(value_of(config, "variables"))
        default = value_of(config, "default") if isinstance(value_of(config, "default"), dict) else {}
        described: dict[str, list[CiJob]] = {}
        declared: dict[Trigger, Location] = {}
        for name, job in jobs.items():
            entry = config[name]
            triggers, possible = job_triggers(job, base)
            for trigger in triggers:
                declared.setdefault(trigger, Location(entry.path, entry.line))
            needs = outer_needs + tuple(prefix + n for n in self._needs(job, stages, by_stage))
            environment = _environment(
                job.get("environment"), {**variables, **literal_env(job.get("variables"))}
            )
            condition = job_condition(job)
            described.setdefault(entry.path, []).append(
                CiJob(
                    id=name,
                    name=name,
                    location=Location(entry.path, entry.line),
                    environment=environment,
                    needs=tuple(self._needs(job, stages, by_stage)),
                    condition=condition,
                    calls=_child_reference(job.get("trigger")),
                )
            )
            ctx = JobContext(
                root=root,
                pipeline=entry.path,
                job=prefix + name,
                triggers=triggers,
                possible_triggers=possible,
                environment=environment,
                condition=condition,
                continue_on_error=bool(job.get("allow_failure")),
                needs=needs,
                env=literal_env(job.get("variables"), variables),
                oidc_token=bool(job.get("id_tokens")),
                skipped_with_needs=False,  # a job left out of a pipeline does not hold back the jobs after it
            )
            self.builder.job(ctx)
            if _waits_for_a_person(job):  # `when: manual`: someone starts the job (an approval)
                self.builder.action(
                    ctx, Step("when: manual", entry.line), ActionKind.APPROVAL, command="when: manual"
                )
            self._scripts(ctx, job, entry, config, default)
            self._child(job, ctx, stack)
        for file_path, file_jobs in described.items():
            main = not prefix and file_path == path  # included files and child pipelines run inside it
            triggers = declared if main else {}
            self.builder.pipeline(CiPipeline("gitlab", file_path, triggers, tuple(file_jobs), None, not main))

    @staticmethod
    def _needs(job: dict, stages: list[str], by_stage: dict[str, list[str]]) -> list[str]:
        if "needs" in job:
            return [str(n.get("job")) if isinstance(n, dict) else str(n) for n in as_list(job["needs"])]
        stage = str(job.get("stage", "test"))
        earlier = stages[: stages.index(stage)] if stage in stages else []
        return [name for s in earlier for name in by_stage.get(s, [])]

    def _scripts(
        self, ctx: JobContext, job: dict, entry: Entry, config: dict[str, Entry], default: dict
    ) -> None:
        own = entry.value if isinstance(entry.value, dict) else {}
        for section in ("before_script", "script", "after_script"):
            items = job.get(section) if section in job else default.get(section, value_of(config, section))
            condition = (
                "always() (after_script runs whatever the job's result)"
                if section == "after_script"
                else None
            )
            # Lines are only meaningful for what the job writes itself; inherited scripts point at the job.
            written_here = section in own and entry.path == ctx.pipeline
            section_line = own.key_line(section) if written_here and hasattr(own, "key_line") else entry.line
            for text, line in script_lines(items, config):
                at = line if written_here and line else section_line
                self.builder.script(ctx, Step(first_line(text), at, condition), text, line=at)

    def _child(self, job: dict, ctx: JobContext, stack: tuple[str, ...]) -> None:
        """A child pipeline (`trigger: include:` a local file) runs within the parent's run."""
        trigger = job.get("trigger")
        include = trigger.get("include") if isinstance(trigger, dict) else None
        for target in self.configs.includes(include):
            if target in stack or len(stack) >= MAX_TEMPLATE_DEPTH:
                continue
            config = self.configs.load_config(target, stack)
            base = (ctx.triggers, ctx.possible_triggers)
            self._pipeline(
                target,
                config,
                base,
                root=ctx.root,
                prefix=ctx.job + "/",
                outer_needs=ctx.needs,
                stack=(*stack, target),
            )


def _waits_for_a_person(job: dict) -> bool:
    """A job that runs only when someone starts it: `when: manual` (on the job or a rule) and not
    `allow_failure: true` (a manual job that may be skipped blocks nothing)."""
    rules = [rule for rule in as_list(job.get("rules")) if isinstance(rule, dict)]
    manual = job.get("when") == "manual" or any(rule.get("when") == "manual" for rule in rules)
    return manual and job.get("allow_failure") is not True


def _environment(value: object, variables: Mapping[str, str]) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else expand(str(value), variables)


def _child_reference(trigger: object) -> str | None:
    if isinstance(trigger, str):
        return trigger  # a downstream project
    if isinstance(trigger, dict):
        include = trigger.get("include")
        first = as_list(include)[0] if include else trigger.get("project")
        if isinstance(first, dict):
            first = first.get("local") or first.get("project") or first.get("file")
        return text_of(first)
    return None
