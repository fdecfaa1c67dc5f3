"""GitLab CI (.gitlab-ci.yml with its local includes and child pipelines) as CI facts.

The configuration is merged from `.gitlab-ci.yml` and the files it includes with
`include: local` (paths from the repository root, wildcards allowed). Jobs are the top-level
mappings that are not keywords or hidden (`.name`); `extends:` and `!reference` are
resolved. A job runs its `before_script`, `script` and `after_script` (the defaults apply
when it has none).

When a job runs: `rules:` are read first-match-wins for `$CI_PIPELINE_SOURCE` tests
(merge_request_event -> pull request, schedule, push, web -> manual, api / trigger /
pipeline -> event), merge request variables (pull request) and branch tests (branch
pipelines only); `only:` / `except:` keywords likewise; a job with neither follows
`workflow: rules`, else branch pipelines (push). Branch pipelines also run for the source
branch of a merge request, so they carry pull request as a *possible* trigger: whether
they gate the merge request is a project setting the YAML does not show.
`when: on_failure` is the job's condition, `allow_failure` its continue-on-error,
`id_tokens` gives it an OIDC token.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand
from mlops_ladder.assessment.evidence.repo.ci.model import CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, first_line, literal_env, text_of
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import YamlError, load_yaml_all

MAIN = ".gitlab-ci.yml"
T = Trigger

_KEYWORDS = frozenset(
    {
        "default",
        "include",
        "stages",
        "variables",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
        "after_script",
        "spec",
    }
)
_DEFAULT_STAGES = (".pre", "build", "test", "deploy", ".post")
_SOURCES: dict[str, Trigger] = {
    "merge_request_event": T.PULL_REQUEST,
    "external_pull_request_event": T.PULL_REQUEST,
    "push": T.PUSH,
    "schedule": T.SCHEDULE,
    "web": T.MANUAL,
    "webide": T.MANUAL,
    "api": T.EVENT,
    "trigger": T.EVENT,
    "pipeline": T.EVENT,
    "parent_pipeline": T.EVENT,
    "chat": T.EVENT,
}
_ONLY_KEYWORDS: dict[str, Trigger] = {
    "merge_requests": T.PULL_REQUEST,
    "external_pull_requests": T.PULL_REQUEST,
    "schedules": T.SCHEDULE,
    "web": T.MANUAL,
    "api": T.EVENT,
    "triggers": T.EVENT,
    "pipelines": T.EVENT,
    "chat": T.EVENT,
    "pushes": T.PUSH,
    "branches": T.PUSH,
    "tags": T.PUSH,
}
_SOURCE_TEST = re.compile(r"\$CI_PIPELINE_SOURCE\s*(==|!=)\s*[\"']?([\w-]+)[\"']?")
_SOURCE_PATTERN = re.compile(r"\$CI_PIPELINE_SOURCE\s*(=~|!~)\s*/([^/]*)/")
_MERGE_REQUEST_VARIABLE = re.compile(r"\$CI_MERGE_REQUEST_\w+")
_BRANCH_VARIABLE = re.compile(r"\$CI_COMMIT_(BRANCH|TAG|REF_NAME)\b")
_REFERENCE_TAG = re.compile(r"!reference\s*\[")
_BRANCH_PIPELINES = (frozenset({T.PUSH}), frozenset({T.PULL_REQUEST}))


@dataclass(frozen=True)
class _Entry:
    value: object
    path: str
    line: int


def collect(files: RepoFiles, builder: Builder) -> frozenset[str]:
    """Read the GitLab configuration; return the files it read (no other reader should)."""
    if not files.exists(MAIN):
        return frozenset()
    reader = _Reader(files, builder)
    try:
        reader.run(MAIN)
    except Exception as exc:  # one odd configuration must not stop the scan
        files.note(MAIN, f"GitLab CI not fully read: {type(exc).__name__}: {exc}")
    return frozenset(reader.read)


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder) -> None:
        self.files = files
        self.builder = builder
        self.read: set[str] = set()
        self._documents: dict[str, dict | None] = {}

    # -- loading --------------------------------------------------------------------------
    def _load(self, path: str) -> dict | None:
        if path in self._documents:
            return self._documents[path]
        self.read.add(path)
        text = self.files.read_text(path)
        data: dict | None = None
        if text is not None:
            try:
                # `!reference [job, key]` becomes a plain list, resolved when scripts are read.
                documents = load_yaml_all(_REFERENCE_TAG.sub("[", text))
            except YamlError as exc:
                self.files.note(path, f"malformed YAML: {exc}")
                documents = []
            # A `spec:` header (CI/CD inputs) comes first; the configuration follows it.
            if len(documents) > 1 and isinstance(documents[0], dict) and set(documents[0]) == {"spec"}:
                documents = documents[1:]
            if documents and isinstance(documents[0], dict):
                data = documents[0]
            elif documents:
                self.files.note(path, "malformed YAML: the document is not a mapping")
        self._documents[path] = data
        return data

    def _config(self, path: str, stack: tuple[str, ...] = ()) -> dict[str, _Entry]:
        """The configuration of *path* merged with the files it includes (its own keys win)."""
        data = self._load(path)
        if data is None:
            return {}
        merged: dict[str, _Entry] = {}
        for target in self._includes(data.get("include")):
            if target not in stack and target != path and len(stack) < MAX_TEMPLATE_DEPTH:
                for key, entry in self._config(target, (*stack, path)).items():
                    merged[key] = _merge_entry(merged.get(key), entry)
        for key, value in data.items():
            if key != "include":
                merged[str(key)] = _merge_entry(merged.get(str(key)), _Entry(value, path, data.key_line(key)))
        return merged

    def _includes(self, include: object) -> Iterator[str]:
        for item in as_list(include):
            local = item if isinstance(item, str) else item.get("local") if isinstance(item, dict) else None
            if not isinstance(local, str) or "://" in local or "$" in local:
                continue
            pattern = posixpath.normpath(local.lstrip("/"))
            if "*" in pattern:
                yield from sorted(
                    f.path
                    for f in self.files.with_suffix(".yml", ".yaml")
                    if fnmatch.fnmatch(f.path, pattern)
                )
            elif self.files.exists(pattern):
                yield pattern

    # -- jobs -----------------------------------------------------------------------------
    def run(self, path: str) -> None:
        config = self._config(path)
        if not config:
            return
        base = _workflow_triggers(_value(config, "workflow"))
        self._pipeline(path, config, base, root=path, prefix="", outer_needs=(), stack=(path,))

    def _pipeline(
        self,
        path: str,
        config: dict[str, _Entry],
        base: tuple[frozenset, frozenset],
        *,
        root: str,
        prefix: str,
        outer_needs: tuple[str, ...],
        stack: tuple[str, ...],
    ) -> None:
        jobs = {name: _resolved(name, config) for name, entry in config.items() if _is_job(name, entry.value)}
        jobs = {name: job for name, job in jobs.items() if "script" in job or "trigger" in job}
        stages = [str(s) for s in as_list(_value(config, "stages"))] or list(_DEFAULT_STAGES)
        by_stage: dict[str, list[str]] = {}
        for name, job in jobs.items():
            by_stage.setdefault(str(job.get("stage", "test")), []).append(name)
        variables = literal_env(_value(config, "variables"))
        default = _value(config, "default") if isinstance(_value(config, "default"), dict) else {}
        described: dict[str, list[CiJob]] = {}
        declared: dict[Trigger, Location] = {}
        for name, job in jobs.items():
            entry = config[name]
            triggers, possible = _job_triggers(job, base)
            for trigger in triggers:
                declared.setdefault(trigger, Location(entry.path, entry.line))
            needs = outer_needs + tuple(prefix + n for n in self._needs(job, stages, by_stage))
            environment = _environment(
                job.get("environment"), {**variables, **literal_env(job.get("variables"))}
            )
            condition = _condition(job)
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
        self, ctx: JobContext, job: dict, entry: _Entry, config: dict[str, _Entry], default: dict
    ) -> None:
        own = entry.value if isinstance(entry.value, dict) else {}
        for section in ("before_script", "script", "after_script"):
            items = job.get(section) if section in job else default.get(section, _value(config, section))
            condition = (
                "always() (after_script runs whatever the job's result)"
                if section == "after_script"
                else None
            )
            # Lines are only meaningful for what the job writes itself; inherited scripts point at the job.
            written_here = section in own and entry.path == ctx.pipeline
            section_line = own.key_line(section) if written_here and hasattr(own, "key_line") else entry.line
            for text, line in _script_lines(items, config):
                at = line if written_here and line else section_line
                self.builder.script(ctx, Step(first_line(text), at, condition), text, line=at)

    def _child(self, job: dict, ctx: JobContext, stack: tuple[str, ...]) -> None:
        """A child pipeline (`trigger: include:` a local file) runs within the parent's run."""
        trigger = job.get("trigger")
        include = trigger.get("include") if isinstance(trigger, dict) else None
        for target in self._includes(include):
            if target in stack or len(stack) >= MAX_TEMPLATE_DEPTH:
                continue
            config = self._config(target, stack)
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


def _merge_entry(old: _Entry | None, new: _Entry) -> _Entry:
    if old is not None and isinstance(old.value, dict) and isinstance(new.value, dict):
        return _Entry(_deep_merge(old.value, new.value), new.path, new.line)
    return new


def _deep_merge(base: Mapping, override: Mapping) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _value(config: dict[str, _Entry], key: str) -> object:
    entry = config.get(key)
    return entry.value if entry else None


def _is_job(name: str, value: object) -> bool:
    return isinstance(value, dict) and name not in _KEYWORDS and not name.startswith(".")


def _resolved(name: str, config: dict[str, _Entry], depth: int = 0) -> dict:
    """A job with what it `extends:` merged in (its own keys win)."""
    job = config[name].value
    if not isinstance(job, dict):
        return {}
    merged: dict = {}
    for base in as_list(job.get("extends")):
        base = str(base)
        if base in config and base != name and depth < 10:
            merged = _deep_merge(merged, _resolved(base, config, depth + 1))
    return _deep_merge(merged, job)


def _script_lines(items: object, config: dict[str, _Entry], depth: int = 0) -> Iterator[tuple[str, int]]:
    """(command text, line) of a script section; nested lists and `!reference [job, key]` flattened."""
    if isinstance(items, str):
        yield items, 0
        return
    if not isinstance(items, list) or depth > 10:
        return
    for index, item in enumerate(items):
        line = items.item_line(index) if hasattr(items, "item_line") else 0
        if isinstance(item, str):
            yield item, line
        elif isinstance(item, list):
            target = _reference_target(item, config)
            inner = target if target is not None else item
            for text, _ in _script_lines(inner, config, depth + 1):
                yield text, line


def _reference_target(item: list, config: dict[str, _Entry]) -> object:
    """What `!reference [job, key, ...]` points at, or None when the list is not a reference."""
    if not item or not all(isinstance(part, str) for part in item) or item[0] not in config or len(item) < 2:
        return None
    value: object = config[item[0]].value
    for part in item[1:]:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _environment(value: object, variables: Mapping[str, str]) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else expand(str(value), variables)


def _condition(job: dict) -> str | None:
    when = text_of(job.get("when"))
    if when in ("on_failure", "always"):
        return f"when: {when}"
    for rule in as_list(job.get("rules")):
        if isinstance(rule, dict) and rule.get("when") == "on_failure":
            return "when: on_failure"
    return None


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


# -- triggers -------------------------------------------------------------------------------


def _sources(condition: str) -> tuple[set[Trigger], set[Trigger]]:
    """(sources a rule condition asks for, sources it rules out)."""
    wanted: set[Trigger] = set()
    unwanted: set[Trigger] = set()
    for operator, source in _SOURCE_TEST.findall(condition):
        trigger = _SOURCES.get(source.lower())
        if trigger:
            (wanted if operator == "==" else unwanted).add(trigger)
    for operator, pattern in _SOURCE_PATTERN.findall(condition):
        matched = {t for name, t in _SOURCES.items() if re.search(pattern, name)}
        (wanted if operator == "=~" else unwanted).update(matched)
    return wanted, unwanted


def _rules(rules: list, base: tuple[frozenset, frozenset]) -> tuple[frozenset[Trigger], frozenset[Trigger]]:
    triggers: set[Trigger] = set()
    possible: set[Trigger] = set()
    excluded: set[Trigger] = set()
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        condition = str(rule.get("if") or "")
        wanted, unwanted = _sources(condition)
        if wanted:
            matched, maybe = set(wanted), set()
        elif _MERGE_REQUEST_VARIABLE.search(condition):
            matched, maybe = {T.PULL_REQUEST}, set()
        elif _BRANCH_VARIABLE.search(condition):
            matched, maybe = set(base[0]) - {T.PULL_REQUEST}, set()  # branch pipelines, not merge requests
        else:
            matched, maybe = set(base[0]), set(base[1])
        matched -= unwanted
        if str(rule.get("when", "")).lower() == "never":
            if condition and "&&" not in condition:  # a partial test excludes only some runs
                excluded |= matched
            elif not condition:
                break  # `- when: never`: nothing after it matches
            continue
        triggers |= matched - excluded
        possible |= maybe - excluded
    return frozenset(triggers), frozenset(possible - triggers)


def _only(only: object, excepted: object, base: tuple[frozenset, frozenset]) -> tuple[frozenset, frozenset]:
    refs = only.get("refs") if isinstance(only, dict) else only
    if refs is None:
        triggers, possible = set(base[0]), set(base[1])
    else:
        triggers, possible = set(), set()
        for ref in as_list(refs):
            keyword = str(ref).lower()
            triggers.add(_ONLY_KEYWORDS.get(keyword, T.PUSH))  # other entries name branches
            if keyword in ("branches", "pushes"):
                possible.add(T.PULL_REQUEST)
    except_refs = excepted.get("refs") if isinstance(excepted, dict) else excepted
    for ref in as_list(except_refs):
        trigger = _ONLY_KEYWORDS.get(str(ref).lower())
        if trigger and str(ref).lower() not in ("branches", "tags", "pushes"):
            triggers.discard(trigger)
            possible.discard(trigger)
    return frozenset(triggers), frozenset(possible - triggers)


def _job_triggers(job: dict, base: tuple[frozenset, frozenset]) -> tuple[frozenset, frozenset]:
    if isinstance(job.get("rules"), list):
        return _rules(job["rules"], base)
    if "only" in job or "except" in job:
        return _only(job.get("only"), job.get("except"), base)
    return base


def _workflow_triggers(workflow: object) -> tuple[frozenset, frozenset]:
    rules = workflow.get("rules") if isinstance(workflow, dict) else None
    if isinstance(rules, list):
        return _rules(rules, _BRANCH_PIPELINES)
    return _BRANCH_PIPELINES
