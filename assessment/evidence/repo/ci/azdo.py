"""Azure DevOps YAML pipelines as CI facts.

A pipeline is any `.yml` / `.yaml` file (outside .github/ and GitLab files) shaped like one:
top-level `trigger`, `pr`, `schedules`, `stages`, `jobs`, `steps` or `extends`, with list
items keyed by Azure DevOps step or job keywords (`script`, `task`, `template`, `job`...).
A cheap text test runs before any YAML is parsed.

Triggers: `trigger` absent means CI on every push (on), `trigger: none` off; `pr` present
means pull request builds, absent means "cannot tell" (GitHub repositories get PR builds by
default, Azure Repos get them from branch policies): a possible trigger, not a trigger;
`schedules` and pipeline / repository resource triggers count as SCHEDULE and EVENT.

Templates (`template:` at stage, job, step and variable level, and `extends:`) are local
files, read relative to the file that names them (`/path` from the repository root); they
run inside the including pipeline, with its triggers, the including job and the template's
parameters (`${{ parameters.x }}`, `${{ each x in parameters.y }}` over literal lists).
Files that some pipeline includes are templates and are not reported on their own.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.conditions import narrow
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, first_line, repo_path, text_of, truthy
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import yaml_key

K = ActionKind
T = Trigger

_TOP_KEY = re.compile(r"^(?:trigger|pr|schedules|stages|jobs|steps|extends)\s*:", re.M)
_ITEM_KEY = re.compile(
    r"^\s*-\s*(?:script|bash|pwsh|powershell|task|template|checkout|stage|job|deployment)\s*:", re.M
)
_SKIPPED_FOLDERS = (".github/", ".gitlab/")
_SCRIPT_KEYS = (("script", "bash"), ("bash", "bash"), ("pwsh", "pwsh"), ("powershell", "powershell"))
_CONNECTION_INPUTS = (
    "azuresubscription",
    "connectedservicenamearm",
    "azureresourcemanagerconnection",
    "connectedservicename",
    "environmentservicenameazurerm",
    "backendservicearm",
)
_TEMPLATE_ONLY_KEYS = frozenset({"parameters", "steps", "jobs", "stages", "variables"})
_EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_EACH = re.compile(r"^\$\{\{\s*each\s+(\w+)\s+in\s+([\w.]+)\s*\}\}$")


def collect(files: RepoFiles, builder: Builder, skip: frozenset[str] = frozenset()) -> None:
    documents: dict[str, dict] = {}
    for repo_file in files.files:
        # A plain string test: this loop sees every file of the repository.
        if not repo_file.path.lower().endswith((".yml", ".yaml")):
            continue
        if repo_file.path in skip or repo_file.path.startswith(_SKIPPED_FOLDERS):
            continue
        text = files.read_text(repo_file.path)
        if text is None or not (_TOP_KEY.search(text) and _ITEM_KEY.search(text)):
            continue
        data = builder.load(repo_file.path, note_non_mapping=False)
        if data is not None and _is_pipeline(data):
            documents[repo_file.path] = data
    reader = _Reader(files, builder)
    included = reader.included(documents)
    for path, data in documents.items():
        template = path in included or _looks_like_template(data)
        triggers, _ = ({}, frozenset()) if template else _triggers(path, data)
        builder.pipeline(
            CiPipeline("azure-devops", path, triggers, _describe_jobs(path, data), None, template)
        )
        if not template:
            reader.run_guarded(path, data)
    for path, data in documents.items():
        if path not in reader.expanded:  # a template no pipeline of this repo includes
            reader.run_guarded(path, data, as_template=True)


def _is_pipeline(data: dict) -> bool:
    if any(isinstance(data.get(key), list) for key in ("stages", "jobs", "steps")):
        return True
    extends = data.get("extends")
    return isinstance(extends, dict) and "template" in extends


def _looks_like_template(data: dict) -> bool:
    return "parameters" in data and set(map(str, data)) <= _TEMPLATE_ONLY_KEYS


def _enabled(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() != "none"
    if isinstance(value, list):
        return bool(value)
    return value is not False


def _triggers(path: str, data: dict) -> tuple[dict[Trigger, Location], frozenset[Trigger]]:
    """(triggers declared, possible triggers) of a pipeline file."""
    found: dict[Trigger, Location] = {}
    possible: set[Trigger] = set()
    if "trigger" not in data:
        found[T.PUSH] = Location(path, 1)  # CI builds on every push unless `trigger: none`
    elif _enabled(data["trigger"]):
        found[T.PUSH] = Location(path, data.key_line("trigger"))
    if "pr" not in data:
        possible.add(T.PULL_REQUEST)
    elif _enabled(data["pr"]):
        found[T.PULL_REQUEST] = Location(path, data.key_line("pr"))
    if isinstance(data.get("schedules"), list) and data["schedules"]:
        found[T.SCHEDULE] = Location(path, data.key_line("schedules"))
    resources = data.get("resources")
    if isinstance(resources, dict):
        for kind in ("pipelines", "repositories", "containers", "packages", "webhooks"):
            for item in as_list(resources.get(kind)):
                if isinstance(item, dict) and (kind == "webhooks" or _enabled(item.get("trigger", False))):
                    found.setdefault(T.EVENT, Location(path, resources.key_line(kind)))
    return found, frozenset(possible)


def _describe_jobs(path: str, data: dict) -> tuple[CiJob, ...]:
    """The jobs as written in the file (templates are named, not expanded)."""
    jobs: list[CiJob] = []

    def add_jobs(items: object, stage: str | None) -> None:
        if not isinstance(items, list):
            return
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            key = next(iter(item)) if len(item) == 1 else None
            if isinstance(key, str) and key.strip().startswith("${{"):  # `${{ if }}` / `${{ each }}` block
                add_jobs(item[key], stage)
                continue
            name = item.get("deployment") or item.get("job")
            if name is None and "template" in item:
                name = f"template {item['template']}"
            job_id = f"{stage}.{name}" if stage else str(name or f"job{index + 1}")
            environment = item.get("environment")
            jobs.append(
                CiJob(
                    id=job_id,
                    name=str(item.get("displayName") or name or job_id),
                    location=Location(path, items.item_line(index)),
                    environment=_environment_name(environment, {}) if "deployment" in item else None,
                    needs=tuple(str(n) for n in as_list(item.get("dependsOn"))),
                    condition=text_of(item.get("condition")),
                    calls=text_of(item.get("template")),
                )
            )

    stages = data.get("stages")
    if isinstance(stages, list):
        for index, stage in enumerate(stages):
            if isinstance(stage, dict):
                add_jobs(stage.get("jobs"), str(stage.get("stage") or f"stage{index + 1}"))
    add_jobs(data.get("jobs"), None)
    if isinstance(data.get("steps"), list):
        jobs.append(CiJob(id="Job", name="Job", location=Location(path, data.key_line("steps"))))
    return tuple(jobs)


def _environment_name(value: object, params: Mapping[str, object]) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if value is None:
        return None
    name = _substitute(str(value), params)
    # `environment: prod.vm-resource` names the environment prod and one of its resources.
    return name.split(".", 1)[0] if "." in name and "$" not in name else name


def _lookup(params: Mapping[str, object], dotted: str) -> object:
    parts = dotted.split(".")
    if parts[0] == "parameters":
        parts = parts[1:]
    value: object = params
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _substitute(text: str, params: Mapping[str, object]) -> str:
    """`${{ parameters.x }}`, `${{ x.y }}` (loop variables) and `${{ variables.x }}` with literal values."""
    if "${{" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        found = _lookup(params, match.group(1))
        if isinstance(found, bool):
            return "true" if found else "false"
        return str(found) if isinstance(found, str | int | float) else match.group(0)

    return _EXPRESSION.sub(value, text)


def _resolve_value(value: object, params: Mapping[str, object]) -> object:
    """A parameter value passed to a template, with the caller's parameters substituted."""
    if isinstance(value, str):
        whole = _EXPRESSION.fullmatch(value.strip())
        if whole:
            found = _lookup(params, whole.group(1))
            if found is not None:
                return found  # a list or mapping passed through whole
        return _substitute(value, params)
    if isinstance(value, list):
        return [_resolve_value(item, params) for item in value]
    if isinstance(value, dict):
        return {key: _resolve_value(item, params) for key, item in value.items()}
    return value


def _parameter_defaults(data: dict) -> dict[str, object]:
    declared = data.get("parameters")
    defaults: dict[str, object] = {}
    if isinstance(declared, list):  # [{name, type, default}]
        for item in declared:
            if isinstance(item, dict) and "name" in item and "default" in item:
                defaults[str(item["name"])] = item["default"]
    elif isinstance(declared, dict):  # old syntax: name: default
        defaults.update({str(k): v for k, v in declared.items()})
    return defaults


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
            for reference in _template_references(data):
                target = _template_path(path, reference)
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
            triggers, possible = ({}, frozenset()) if as_template else _triggers(path, data)
            scope = _Scope(
                path, path, frozenset(triggers), possible, _parameter_defaults(data), {}, stack=(path,)
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
        path = _template_path(scope.file, str(reference)) if isinstance(reference, str) else None
        if path is None or path in scope.stack or len(scope.stack) >= MAX_TEMPLATE_DEPTH:
            return
        data = self.builder.load(path) if self.files.exists(path) else None
        if data is None:
            return
        self.expanded.add(path)
        passed = _resolve_value(parameters, scope.params) if isinstance(parameters, dict) else {}
        params = {**_parameter_defaults(data), **(passed if isinstance(passed, dict) else {})}
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
                each = _EACH.match(key.strip())
                values = _lookup(scope.params, each.group(2)) if each else None
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
            name = _substitute(str(item.get("stage") or f"stage{len(seen.jobs) + 1}"), item_scope.params)
            if "dependsOn" in item:
                depends = [_substitute(str(d), item_scope.params) for d in as_list(item["dependsOn"])]
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
            name = _substitute(
                str(item.get("deployment") or item.get("job") or f"job{len(ids) + 1}"), item_scope.params
            )
            job_id = f"{stage}.{name}" if stage else name
            depends = [_substitute(str(d), item_scope.params) for d in as_list(item.get("dependsOn"))]
            needs = stage_needs + tuple(f"{stage}.{d}" if stage else d for d in depends)
            condition = _text(item.get("condition"), item_scope)
            job_scope = item_scope.with_condition(condition)
            variables = {**job_scope.variables, **self._variables(item.get("variables"), job_scope)}
            environment = (
                _environment_name(item.get("environment"), item_scope.params)
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
                        _substitute(str(item[key]), item_scope.params),
                        line=item.key_line(key),
                        env=env,
                        workdir=workdir,
                        shell=shell,
                    )
                    break
            else:
                if isinstance(item.get("task"), str):
                    self._task(ctx, step, item, item_scope, env)

    # -- tasks ------------------------------------------------------------------------------
    def _task(self, ctx: JobContext, step: Step, item: dict, scope: _Scope, env: dict[str, str]) -> None:
        task = str(item["task"]).strip()
        name = task.split("@")[0].lower()
        given = item.get("inputs") if isinstance(item.get("inputs"), dict) else {}
        inputs = {
            str(k).lower(): expand(_substitute(str(v), scope.params), env)
            for k, v in given.items()
            if v is not None
        }
        lines = {str(k).lower(): given.key_line(k) for k in given}
        connection = next((inputs[key] for key in _CONNECTION_INPUTS if key in inputs), None)
        written = inputs.get("workingdirectory")
        workdir = resolve_path(expand(written, env)) if written else ""
        build = self.builder
        if name in ("azurecli", "azurepowershell"):
            self._azure_script_task(ctx, step, name, inputs, lines, env, workdir, connection)
            return
        if connection:
            build.login(
                ctx,
                step.line,
                "unknown",
                f"{task} with service connection {connection} (its type is not visible in YAML)",
            )
        if name in ("azureresourcemanagertemplatedeployment", "azureresourcegroupdeployment"):
            if inputs.get("action", "create").lower().startswith("delete"):
                return
            template = inputs.get("csmfile")
            kind = K.VALIDATE_IAC if inputs.get("deploymentmode", "").lower() == "validation" else K.APPLY_IAC
            files = (resolve_path(expand(template, env)),) if template else ()
            build.action(ctx, step, kind, command=task, files=files, options=inputs)
        elif name.startswith(("terraformtask", "terraformcli")):
            verb = inputs.get("command", "").lower()
            kind = {"apply": K.APPLY_IAC, "plan": K.VALIDATE_IAC, "validate": K.VALIDATE_IAC}.get(verb)
            if kind:
                build.action(
                    ctx, step, kind, command=f"{task} {verb}", files=(workdir or ".",), options=inputs
                )
        elif name in ("bash", "powershell", "cmdline"):
            shell = "pwsh" if name == "powershell" else "bash"
            if inputs.get("targettype", "inline").lower() == "filepath" and inputs.get("filepath"):
                build.script_file(
                    ctx, step, resolve_path(expand(inputs["filepath"], env)), env=env, workdir=workdir
                )
            elif "script" in inputs:
                build.script(
                    ctx, step, inputs["script"], line=lines["script"], env=env, workdir=workdir, shell=shell
                )
        elif name == "pythonscript" and _runs_script_file(inputs):
            # scriptPath is relative to the repository root, whatever workingDirectory says
            path = resolve_path(expand(inputs["scriptpath"], env))
            command = f"python {shlex.quote(path)} {inputs.get('arguments', '')}"
            build.script(ctx, step, command, line=step.line, env=env, workdir="")

    def _azure_script_task(
        self,
        ctx: JobContext,
        step: Step,
        name: str,
        inputs: dict[str, str],
        lines: dict[str, int],
        env: dict[str, str],
        workdir: str,
        connection: str | None,
    ) -> None:
        """AzureCLI@1/2 and AzurePowerShell@4/5: a sign-in through a service connection, then a script."""
        if name == "azurecli":
            inline, path = inputs.get("inlinescript"), inputs.get("scriptpath")
            shell = "pwsh" if inputs.get("scripttype", "bash").lower() in ("ps", "pscore") else "bash"
            inline_key = "inlinescript"
        else:
            inline, path = inputs.get("inline"), inputs.get("scriptpath")
            shell, inline_key = "pwsh", "inline"
        from_file = inputs.get("scriptlocation", "").lower() == "scriptpath"
        if from_file or inputs.get("scripttype", "").lower() == "filepath":
            inline = None
        script_path = resolve_path(expand(path, env)) if path and not inline else None
        body = inline if inline is not None else ""
        if script_path and self.files.exists(script_path):
            body = self.files.read_text(script_path) or ""
        self.builder.login(ctx, step.line, *_service_connection_login(name, connection, inputs, body))
        if inline is not None:
            self.builder.script(
                ctx,
                step,
                inline,
                line=lines.get(inline_key, step.line),
                env=env,
                workdir=workdir,
                shell=shell,
            )
        elif script_path and self.files.exists(script_path):
            self.builder.script_file(ctx, step, script_path, env=env, workdir=workdir)

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
    text = expand(_substitute(value, scope.params), known)
    return None if "$" in text else text


def _literal_values(mapping: object, scope: _Scope, known: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(mapping, dict):
        return {}
    values = {str(k): _value(v, scope, known) for k, v in mapping.items()}
    return {k: v for k, v in values.items() if v is not None}


def _text(value: object, scope: _Scope) -> str | None:
    return None if value is None else _substitute(str(value), scope.params)


def _runs_script_file(inputs: Mapping[str, str]) -> bool:
    return inputs.get("scriptsource", "filepath").lower() == "filepath" and bool(inputs.get("scriptpath"))


def _step_label(item: dict) -> str:
    for key, _ in _SCRIPT_KEYS:
        if key in item:
            return first_line(str(item[key]))
    if "checkout" in item:
        return f"checkout {item['checkout']}"
    return str(item.get("task") or "step")


def _service_connection_login(
    name: str, connection: str | None, inputs: dict[str, str], script: str
) -> tuple[str, str]:
    """How a task signs in: through a service connection, whose type only shows when the script uses it."""
    where = f"{'AzureCLI' if name == 'azurecli' else 'AzurePowerShell'} with service connection {connection}"
    if truthy(inputs.get("addspntoenvironment")):
        if "idToken" in script:
            return "oidc", f"{where}; the script signs in with its federated idToken"
        if "servicePrincipalKey" in script:
            return "secret", f"{where}; the script uses its servicePrincipalKey (a secret)"
    return "unknown", f"{where} (its type is not visible in YAML)"


def _template_references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template" and isinstance(value, str):
                yield value
            else:
                yield from _template_references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _template_references(item)


def _template_path(including_file: str, reference: str) -> str | None:
    """Repo path of a template reference; None for templates in other repositories (`x.yml@repo`)."""
    reference = reference.strip()
    if "@" in reference:
        reference, _, repository = reference.partition("@")
        if repository != "self":
            return None
    if not reference or "$" in reference:
        return None
    return posixpath.normpath(repo_path(including_file, reference))
