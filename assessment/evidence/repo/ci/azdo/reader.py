"""Azure DevOps YAML pipelines as CI facts: the walk over stages, jobs, templates and steps.

The pipeline files are found and their triggers read in pipeline.py; tasks are read in tasks.py.

Templates (`template:` at stage, job, step and variable level, and `extends:`) are local
files, read relative to the file that names them (`/path` from the repository root); they
run inside the including pipeline, with its triggers, the including job and the template's
parameters (`${{ parameters.x }}`, `${{ each x in parameters.y }}` over literal lists).
Files that some pipeline includes are templates and are not reported on their own.

A template of another repository (`template: x.yml@alias` with `resources.repositories`) does
what remote/known_templates.yaml says, or is recorded as unknown (remote/calls.py). Variables and
the choices `${{ if }}` branches make are read in variables.py; a deployment job whose environment
is such a choice (`environment: $(ENVIRONMENT)`, dev or prod by branch) may run in each. Artifacts
that carry repository folders to later jobs are followed (artifacts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from mlops_ladder.assessment.evidence.repo.ci.azdo.artifacts import Artifacts
from mlops_ladder.assessment.evidence.repo.ci.azdo.pipeline import (
    describe_jobs,
    environment_name,
    find_pipelines,
    looks_like_template,
    pipeline_triggers,
)
from mlops_ladder.assessment.evidence.repo.ci.azdo.scope import (
    Scope,
    Stages,
    parameter_choices,
    repositories_of,
    script_env,
)
from mlops_ladder.assessment.evidence.repo.ci.azdo.tasks import read_task, task_inputs
from mlops_ladder.assessment.evidence.repo.ci.azdo.templates import (
    EACH,
    lookup,
    parameter_defaults,
    resolve_value,
    substitute,
    template_path,
    template_references,
)
from mlops_ladder.assessment.evidence.repo.ci.azdo.variables import literal_values, read_variables
from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.model import CiPipeline
from mlops_ladder.assessment.evidence.repo.ci.remote import calls as remote
from mlops_ladder.assessment.evidence.repo.ci.remote.catalog import lookup as known_template
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


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder) -> None:
        self.files = files
        self.builder = builder
        self.expanded: set[str] = set()
        self.artifacts = Artifacts()

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
            scope = Scope(
                path,
                path,
                frozenset(triggers),
                possible,
                parameter_defaults(data),
                {},
                stack=(path,),
                choices=parameter_choices(data),
                repositories=repositories_of(data),
            )
            self._body(data, self._with_variables(scope, data.get("variables")))
        except Exception as exc:  # one odd pipeline must not stop the scan
            self.files.note(path, f"CI pipeline not fully read: {type(exc).__name__}: {exc}")

    def _body(self, data: dict, scope: Scope) -> None:
        extends = data.get("extends")
        if isinstance(extends, dict) and isinstance(extends.get("template"), str):
            self._template(extends["template"], scope, extends.get("parameters"), self._body)
        if isinstance(data.get("stages"), list):
            self._stages(data["stages"], scope, Stages({}))
        elif isinstance(data.get("jobs"), list):
            self._jobs(data["jobs"], scope, None, ())
        elif isinstance(data.get("steps"), list):
            ctx = self._context(scope, "Job", {}, None, (), None, False)
            self._steps(ctx, data["steps"], scope)

    def _template(
        self, reference: object, scope: Scope, parameters: object, handle: Callable[[dict, Scope], object]
    ) -> None:
        opened = self._open_template(reference, scope, parameters)
        if opened is not None:
            handle(opened[1], opened[2])

    def _open_template(
        self, reference: object, scope: Scope, parameters: object
    ) -> tuple[str, dict, Scope] | None:
        """(path, YAML, scope inside) of a template of this repository, with its parameters."""
        written = substitute(reference, scope.values) if isinstance(reference, str) else None
        path = template_path(scope.file, written) if written else None  # `template: ${{ parameters.file }}`
        if path is None or path in scope.stack or len(scope.stack) >= MAX_TEMPLATE_DEPTH:
            return None
        data = self.builder.load(path) if self.files.exists(path) else None
        if data is None:
            return None
        self.expanded.add(path)
        passed = resolve_value(parameters, scope.values) if isinstance(parameters, dict) else {}
        params = {**parameter_defaults(data), **(passed if isinstance(passed, dict) else {})}
        inner = replace(scope, file=path, params=params, stack=(*scope.stack, path))
        return path, data, self._with_variables(inner, data.get("variables"))

    def _with_variables(self, scope: Scope, node: object) -> Scope:
        """*scope* with the variables (and their choices) of a `variables:` block added."""
        if node is None:
            return scope
        return scope.with_variables(read_variables(node, scope, self._open_template, self._items))

    def _remote(self, ctx: JobContext, item: dict, line: int, scope: Scope) -> bool:
        """A template of another repository at *item* (True when it is one): known ones do what the
        data says in *ctx*; unknown ones are recorded as such."""
        reference = scope.remote(str(item["template"]))
        if reference is None:
            return False
        template = known_template(reference)
        if template is None or template.system != "azure-devops":
            remote.record_unknown(self.builder, ctx, reference.written, line)
            return True
        passed = (
            resolve_value(item.get("parameters"), scope.values)
            if isinstance(item.get("parameters"), dict)
            else {}
        )
        inputs = {str(k): str(v) for k, v in passed.items() if isinstance(v, str | int | float | bool)}
        condition = _text(item.get("condition"), scope)
        step = Step(f"template {reference.written}", line, condition)
        remote.run_known(self.builder, ctx, step, template, reference.written, reference.ref, inputs)
        return True

    def _items(self, node: object, scope: Scope) -> Iterator[tuple[dict, int, Scope]]:
        """Items of a list, with `${{ if }}` blocks flattened (every branch) and `${{ each }}` unrolled."""
        if not isinstance(node, list):
            return
        for index, item in enumerate(node):
            if not isinstance(item, dict):
                continue
            key = next(iter(item)) if len(item) == 1 else None
            if isinstance(key, str) and key.strip().startswith("${{"):
                each = EACH.match(key.strip())
                values = lookup(scope.values, each.group(2)) if each else None
                if each and isinstance(values, list):
                    for value in values:
                        yield from self._items(
                            item[key], replace(scope, params={**scope.params, each.group(1): value})
                        )
                else:
                    yield from self._items(item[key], scope)
                continue
            yield item, node.item_line(index), scope

    def _stages(self, stages: object, scope: Scope, seen: Stages) -> None:
        for item, line, item_scope in self._items(stages, scope):
            if "template" in item and "stage" not in item:
                if self._remote(
                    self._context(item_scope, "template", {}, None, (), None, False), item, line, item_scope
                ):
                    continue
                self._template(
                    item["template"],
                    item_scope,
                    item.get("parameters"),
                    lambda data, inner: self._stages(data.get("stages"), inner, seen),
                )
                continue
            name = substitute(str(item.get("stage") or f"stage{len(seen.jobs) + 1}"), item_scope.values)
            if "dependsOn" in item:
                depends = [substitute(str(d), item_scope.values) for d in as_list(item["dependsOn"])]
            else:
                depends = [seen.previous] if seen.previous else []
            needs = tuple(job for stage in depends for job in seen.jobs.get(stage, []))
            stage_scope = item_scope.with_condition(_text(item.get("condition"), item_scope))
            stage_scope = self._with_variables(stage_scope, item.get("variables"))
            seen.jobs[name] = self._jobs(item.get("jobs"), stage_scope, name, needs)
            seen.previous = name

    def _jobs(self, jobs: object, scope: Scope, stage: str | None, stage_needs: tuple[str, ...]) -> list[str]:
        ids: list[str] = []
        for item, line, item_scope in self._items(jobs, scope):
            if "template" in item and "job" not in item and "deployment" not in item:
                prefix = f"{stage}.template" if stage else "template"
                if self._remote(
                    self._context(item_scope, prefix, {}, None, stage_needs, None, False),
                    item,
                    line,
                    item_scope,
                ):
                    continue
                self._template(
                    item["template"],
                    item_scope,
                    item.get("parameters"),
                    lambda data, inner: ids.extend(self._jobs(data.get("jobs"), inner, stage, stage_needs)),
                )
                continue
            name = substitute(
                str(item.get("deployment") or item.get("job") or f"job{len(ids) + 1}"), item_scope.values
            )
            job_id = f"{stage}.{name}" if stage else name
            depends = [substitute(str(d), item_scope.values) for d in as_list(item.get("dependsOn"))]
            needs = stage_needs + tuple(f"{stage}.{d}" if stage else d for d in depends)
            condition = _text(item.get("condition"), item_scope)
            job_scope = self._with_variables(item_scope.with_condition(condition), item.get("variables"))
            written = (
                environment_name(item.get("environment"), item_scope.values) if "deployment" in item else None
            )
            choices = job_scope.choices_for(written) if written else ()
            environment = expand(written, job_scope.variables) if written and not choices else written
            ctx = self._context(
                job_scope,
                job_id,
                {},
                environment,
                needs,
                condition,
                truthy(item.get("continueOnError")),
            )
            ctx = replace(ctx, environment_choices=choices)
            if "deployment" in item:
                self._strategy(ctx, item.get("strategy"), job_scope)
            self._steps(ctx, item.get("steps"), job_scope)
            ids.append(job_id)
        return ids

    def _context(
        self,
        scope: Scope,
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
                env=script_env({**scope.variables, **variables}),
                config_files=scope.config_files,
            )
        )

    def _strategy(self, ctx: JobContext, strategy: object, scope: Scope) -> None:
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

    def _steps(self, ctx: JobContext, steps: object, scope: Scope, hook_condition: str | None = None) -> None:
        for item, line, item_scope in self._items(steps, scope):
            if "template" in item and not any(key in item for key, _ in _SCRIPT_KEYS) and "task" not in item:
                if self._remote(ctx, item, line, item_scope):
                    continue
                self._template(
                    item["template"],
                    item_scope,
                    item.get("parameters"),
                    lambda data, inner, ctx=ctx: self._steps(
                        replace(ctx, pipeline=inner.file), data.get("steps"), inner, hook_condition
                    ),
                )
                continue
            condition = _text(item.get("condition"), item_scope) or hook_condition
            label = _text(item.get("displayName"), item_scope) or _step_label(item)
            step = Step(label, line, condition, truthy(item.get("continueOnError")))
            env = {**ctx.env, **literal_values(item.get("env"), item_scope, ctx.env)}
            self.builder.secret_variables(item_scope.file, ctx.job, item.get("env"))
            written = _text(item.get("workingDirectory"), item_scope)
            workdir = resolve_path(expand(written, env)) if written else None
            for key, shell in _SCRIPT_KEYS:
                if key in item:
                    self.builder.script(
                        ctx,
                        step,
                        substitute(str(item[key]), item_scope.values),
                        line=item.key_line(key),
                        env=env,
                        workdir=workdir,
                        shell=shell,
                    )
                    break
            else:
                if isinstance(item.get("task"), str):
                    read_task(self.builder, self.files, ctx, step, item, item_scope.values, env)
            inputs = task_inputs(item, item_scope.values, env, ctx.path_aliases)
            aliases = self.artifacts.aliases_after(item, inputs, env, ctx.path_aliases)
            if aliases != ctx.path_aliases:  # a downloaded artifact holds a repository folder
                ctx = replace(ctx, path_aliases=aliases)


def _text(value: object, scope: Scope) -> str | None:
    return None if value is None else substitute(str(value), scope.values)


def _step_label(item: dict) -> str:
    for key, _ in _SCRIPT_KEYS:
        if key in item:
            return first_line(str(item[key]))
    if "checkout" in item:
        return f"checkout {item['checkout']}"
    return str(item.get("task") or "step")
