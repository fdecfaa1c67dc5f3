"""Azure DevOps YAML pipelines as CI facts: the walk over stages, jobs, templates and steps.

The pipeline files are found and their triggers read in pipeline.py; tasks are read in tasks.py.

Templates (`template:` at stage, job, step and variable level, and `extends:`) are local
files, read relative to the file that names them (`/path` from the repository root); they
run inside the including pipeline, with its triggers, the including job and the template's
parameters (`${{ parameters.x }}`, `${{ each x in parameters.y }}` over literal lists).
Files that some pipeline includes are templates and are not reported on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace

from mlops_ladder.assessment.evidence.repo.ci.azdo.pipeline import (
    describe_jobs,
    environment_name,
    find_pipelines,
    looks_like_template,
    pipeline_triggers,
)
from mlops_ladder.assessment.evidence.repo.ci.azdo.tasks import read_task
from mlops_ladder.assessment.evidence.repo.ci.azdo.templates import (
    EACH,
    lookup,
    parameter_defaults,
    resolve_value,
    substitute,
    template_path,
    template_references,
)
from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.conditions import narrow
from mlops_ladder.assessment.evidence.repo.ci.model import CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, first_line, truthy
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import yaml_key

_SCRIPT_KEYS = (("script", "bash"), ("bash", "bash"), ("pwsh", "pwsh"), ("powershell", "powershell"))


def collect(files: RepoFiles, builder: Builder, skip: frozenset[str] = frozenset()) -> None:
    documents = find_pipelines(files, builder, skip)
    reader = _Reader(files, builder)
    included = reader.included(documents)
    for path, data in documents.items():
        template = path in included or looks_like_template(data)
        triggers, _ = ({}, frozenset()) if template else pipeline_triggers(path, data)
        builder.pipeline(
            CiPipeline("azure-devops", path, triggers, describe_jobs(path, data), None, template)
        )
        if not template:
            reader.run_guarded(path, data)
    for path, data in documents.items():
        if path not in reader.expanded:  # a template no pipeline of this repo includes
            reader.run_guarded(path, data, as_template=True)


def _script_env(variables: Mapping[str, str]) -> dict[str, str]:
    """Variables as a script sees them: by name, and as environment variables (a.b -> A_B)."""
    env = dict(variables)
    env.update({name.upper().replace(".", "_"): value for name, value in variables.items()})
    return env


@dataclass(frozen=True)
class _Scope:
    root: str
    file: str
    triggers: frozenset[Trigger]
    possible: frozenset[Trigger]
    params: Mapping[str, object]
    variables: Mapping[str, str]
    condition: str | None = None
    stack: tuple[str, ...] = ()

    def with_condition(self, condition: str | None) -> _Scope:
        if not condition:
            return self
        return replace(
            self,
            condition=condition,
            triggers=narrow(self.triggers, condition),
            possible=narrow(self.possible, condition),
        )


@dataclass
class _Stages:
    """Jobs of the stages seen so far, for `dependsOn` (the previous stage by default)."""

    jobs: dict[str, list[str]]
    previous: str | None = None


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder) -> None:
        self.files = files
        self.builder = builder
        self.expanded: set[str] = set()

    # -- which files are templates --------------------------------------------------------
    def included(self, documents: dict[str, dict]) -> set[str]:
        """Files named by a `template:` of a pipeline (or of a template it includes)."""
        found: set[str] = set()
        pending = list(documents.items())
        while pending:
            path, data = pending.pop()
            for reference in template_references(data):
                target = template_path(path, reference)
                if target and target not in found and self.files.exists(target):
                    found.add(target)
                    loaded = documents.get(target) or self.builder.load(target)
                    if loaded is not None:
                        pending.append((target, loaded))
        return found

    # -- walking a pipeline -----------------------------------------------------------------
    def run_guarded(self, path: str, data: dict, *, as_template: bool = False) -> None:
        try:
            self.expanded.add(path)
            triggers, possible = ({}, frozenset()) if as_template else pipeline_triggers(path, data)
            scope = _Scope(
                path, path, frozenset(triggers), possible, parameter_defaults(data), {}, stack=(path,)
            )
            scope = replace(scope, variables=self._variables(data.get("variables"), scope))
            self._body(data, scope)
        except Exception as exc:  # one odd pipeline must not stop the scan
            self.files.note(path, f"CI pipeline not fully read: {type(exc).__name__}: {exc}")

    def _body(self, data: dict, scope: _Scope) -> None:
        extends = data.get("extends")
        if isinstance(extends, dict) and isinstance(extends.get("template"), str):
            self._template(extends["template"], scope, extends.get("parameters"), self._body)
        if isinstance(data.get("stages"), list):
            self._stages(data["stages"], scope, _Stages({}))
        elif isinstance(data.get("jobs"), list):
            self._jobs(data["jobs"], scope, None, ())
        elif isinstance(data.get("steps"), list):
            ctx = self._context(scope, "Job", {}, None, (), None, False)
            self._steps(ctx, data["steps"], scope)

    def _template(
        self, reference: object, scope: _Scope, parameters: object, handle: Callable[[dict, _Scope], object]
    ) -> None:
        path = template_path(scope.file, str(reference)) if isinstance(reference, str) else None
        if path is None or path in scope.stack or len(scope.stack) >= MAX_TEMPLATE_DEPTH:
            return
        data = self.builder.load(path) if self.files.exists(path) else None
        if data is None:
            return
        self.expanded.add(path)
        passed = resolve_value(parameters, scope.params) if isinstance(parameters, dict) else {}
        params = {**parameter_defaults(data), **(passed if isinstance(passed, dict) else {})}
        inner = replace(scope, file=path, params=params, stack=(*scope.stack, path))
        inner = replace(inner, variables={**scope.variables, **self._variables(data.get("variables"), inner)})
        handle(data, inner)

    def _items(self, node: object, scope: _Scope) -> Iterator[tuple[dict, int, _Scope]]:
        """Items of a list, with `${{ if }}` blocks flattened (every branch) and `${{ each }}` unrolled."""
        if not isinstance(node, list):
            return
        for index, item in enumerate(node):
            if not isinstance(item, dict):
                continue
            key = next(iter(item)) if len(item) == 1 else None
            if isinstance(key, str) and key.strip().startswith("${{"):
                each = EACH.match(key.strip())
                values = lookup(scope.params, each.group(2)) if each else None
                if each and isinstance(values, list):
                    for value in values:
                        yield from self._items(
                            item[key], replace(scope, params={**scope.params, each.group(1): value})
                        )
                else:
                    yield from self._items(item[key], scope)
                continue
            yield item, node.item_line(index), scope

    def _stages(self, stages: object, scope: _Scope, seen: _Stages) -> None:
        for item, _line, item_scope in self._items(stages, scope):
            if "template" in item and "stage" not in item:
                self._template(
                    item["template"],
                    item_scope,
                    item.get("parameters"),
                    lambda data, inner: self._stages(data.get("stages"), inner, seen),
                )
                continue
            name = substitute(str(item.get("stage") or f"stage{len(seen.jobs) + 1}"), item_scope.params)
            if "dependsOn" in item:
                depends = [substitute(str(d), item_scope.params) for d in as_list(item["dependsOn"])]
            else:
                depends = [seen.previous] if seen.previous else []
            needs = tuple(job for stage in depends for job in seen.jobs.get(stage, []))
            stage_scope = item_scope.with_condition(_text(item.get("condition"), item_scope))
            stage_scope = replace(
                stage_scope,
                variables={**stage_scope.variables, **self._variables(item.get("variables"), stage_scope)},
            )
            seen.jobs[name] = self._jobs(item.get("jobs"), stage_scope, name, needs)
            seen.previous = name

    def _jobs(
        self, jobs: object, scope: _Scope, stage: str | None, stage_needs: tuple[str, ...]
    ) -> list[str]:
        ids: list[str] = []
        for item, _line, item_scope in self._items(jobs, scope):
            if "template" in item and "job" not in item and "deployment" not in item:
                self._template(
                    item["template"],
                    item_scope,
                    item.get("parameters"),
                    lambda data, inner: ids.extend(self._jobs(data.get("jobs"), inner, stage, stage_needs)),
                )
                continue
            name = substitute(
                str(item.get("deployment") or item.get("job") or f"job{len(ids) + 1}"), item_scope.params
            )
            job_id = f"{stage}.{name}" if stage else name
            depends = [substitute(str(d), item_scope.params) for d in as_list(item.get("dependsOn"))]
            needs = stage_needs + tuple(f"{stage}.{d}" if stage else d for d in depends)
            condition = _text(item.get("condition"), item_scope)
            job_scope = item_scope.with_condition(condition)
            variables = {**job_scope.variables, **self._variables(item.get("variables"), job_scope)}
            environment = (
                environment_name(item.get("environment"), item_scope.params)
                if "deployment" in item
                else None
            )
            ctx = self._context(
                job_scope,
                job_id,
                variables,
                environment,
                needs,
                condition,
                truthy(item.get("continueOnError")),
            )
            if "deployment" in item:
                self._strategy(ctx, item.get("strategy"), job_scope)
            self._steps(ctx, item.get("steps"), job_scope)
            ids.append(job_id)
        return ids

    def _context(
        self,
        scope: _Scope,
        job_id: str,
        variables: Mapping[str, str],
        environment: str | None,
        needs: tuple[str, ...],
        condition: str | None,
        continue_on_error: bool,
    ) -> JobContext:
        return self.builder.job(
            JobContext(
                root=scope.root,
                pipeline=scope.file,
                job=job_id,
                triggers=scope.triggers,
                possible_triggers=scope.possible,
                environment=environment,
                condition=condition or scope.condition,
                continue_on_error=continue_on_error,
                needs=needs,
                env=_script_env({**scope.variables, **variables}),
            )
        )

    def _strategy(self, ctx: JobContext, strategy: object, scope: _Scope) -> None:
        """Steps of a deployment job's lifecycle hooks; `on: failure` steps run when the deployment failed."""
        if not isinstance(strategy, dict):
            return
        for kind in ("runOnce", "rolling", "canary"):
            body = strategy.get(kind)
            if not isinstance(body, dict):
                continue
            for hook in ("preDeploy", "deploy", "routeTraffic", "postRouteTraffic"):
                if isinstance(body.get(hook), dict):
                    self._steps(ctx, body[hook].get("steps"), scope)
            outcomes = yaml_key(body, "on")
            if isinstance(outcomes, dict):
                for outcome, condition in (("success", "succeeded()"), ("failure", "failed()")):
                    if isinstance(outcomes.get(outcome), dict):
                        self._steps(
                            ctx, outcomes[outcome].get("steps"), scope, f"{condition} (on: {outcome})"
                        )

    def _steps(
        self, ctx: JobContext, steps: object, scope: _Scope, hook_condition: str | None = None
    ) -> None:
        for item, line, item_scope in self._items(steps, scope):
            if "template" in item and not any(key in item for key, _ in _SCRIPT_KEYS) and "task" not in item:
                self._template(
                    item["template"],
                    item_scope,
                    item.get("parameters"),
                    lambda data, inner: self._steps(
                        replace(ctx, pipeline=inner.file), data.get("steps"), inner, hook_condition
                    ),
                )
                continue
            condition = _text(item.get("condition"), item_scope) or hook_condition
            label = _text(item.get("displayName"), item_scope) or _step_label(item)
            step = Step(label, line, condition, truthy(item.get("continueOnError")))
            env = {**ctx.env, **_literal_values(item.get("env"), item_scope, ctx.env)}
            self.builder.secret_variables(item_scope.file, ctx.job, item.get("env"))
            written = _text(item.get("workingDirectory"), item_scope)
            workdir = resolve_path(expand(written, env)) if written else None
            for key, shell in _SCRIPT_KEYS:
                if key in item:
                    self.builder.script(
                        ctx,
                        step,
                        substitute(str(item[key]), item_scope.params),
                        line=item.key_line(key),
                        env=env,
                        workdir=workdir,
                        shell=shell,
                    )
                    break
            else:
                if isinstance(item.get("task"), str):
                    read_task(self.builder, self.files, ctx, step, item, item_scope.params, env)

    # -- variables ----------------------------------------------------------------------------
    def _variables(self, node: object, scope: _Scope) -> dict[str, str]:
        """Literal variables of a `variables:` block (mapping, list, or variable templates)."""
        found: dict[str, str] = {}
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.strip().startswith("${{"):
                    found.update(self._variables(value, scope))
                elif (text := _value(value, scope, {**scope.variables, **found})) is not None:
                    found[str(key)] = text
        elif isinstance(node, list):
            for item, _line, item_scope in self._items(node, scope):
                if "name" in item:
                    text = _value(item.get("value"), item_scope, {**scope.variables, **found})
                    if text is not None:
                        found[str(item["name"])] = text
                elif "template" in item:
                    self._template(
                        item["template"],
                        item_scope,
                        item.get("parameters"),
                        lambda data, inner: found.update(self._variables(data.get("variables"), inner)),
                    )
        return found


def _value(value: object, scope: _Scope, known: Mapping[str, str]) -> str | None:
    """A variable's value when it is, or resolves to, a literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return None
    text = expand(substitute(value, scope.params), known)
    return None if "$" in text else text


def _literal_values(mapping: object, scope: _Scope, known: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(mapping, dict):
        return {}
    values = {str(k): _value(v, scope, known) for k, v in mapping.items()}
    return {k: v for k, v in values.items() if v is not None}


def _text(value: object, scope: _Scope) -> str | None:
    return None if value is None else substitute(str(value), scope.params)


def _step_label(item: dict) -> str:
    for key, _ in _SCRIPT_KEYS:
        if key in item:
            return first_line(str(item[key]))
    if "checkout" in item:
        return f"checkout {item['checkout']}"
    return str(item.get("task") or "step")
