"""GitHub Actions workflows (.github/workflows/*.yml|yaml) as CI facts.

Each workflow is read for its triggers (`on:` as a string, list or map), its jobs
(environment, needs, if, permissions, continue-on-error) and their steps (`run:` scripts,
`uses:` actions with `with:`). A job that calls a local reusable workflow
(`uses: ./.github/workflows/x.yml`) runs that workflow's jobs inside the caller's run: they
get the caller's triggers, its condition and needs, its environment when they declare none,
and the caller's `with:` values for `${{ inputs.x }}`. Chains are followed and cycles cut.
A reusable workflow that some workflow calls is not also reported on its own (its only
trigger, workflow_call, says nothing about when it runs). Local composite actions
(`uses: ./path` with `runs.using: composite`) are read inline the same way.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.conditions import GITHUB_EVENTS, narrow
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import (
    as_list,
    first_line,
    literal,
    literal_env,
    text_of,
    truthy,
)
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import line_of, yaml_key

WORKFLOWS = ".github/workflows"
K = ActionKind

# Actions that run a linter by themselves.
_LINT_ACTIONS = frozenset(
    {
        "pre-commit/action",
        "astral-sh/ruff-action",
        "chartboost/ruff-action",
        "psf/black",
        "py-actions/flake8",
        "ricardochaves/python-lint",
        "pre-commit-ci/lite-action",
    }
)
_EXPRESSION = re.compile(r"\$\{\{\s*(inputs|matrix)\.([\w-]+)\s*\}\}")
_MATRIX_EXPRESSION = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")

Contexts = Mapping[str, Mapping[str, str]]  # "inputs" / "matrix" -> values known as literals


@dataclass
class _Workflow:
    path: str
    data: dict
    triggers: dict[Trigger, Location]

    @property
    def is_template(self) -> bool:
        return set(self.triggers) == {Trigger.CALLED}


@dataclass(frozen=True)
class _Call:
    """A job of another workflow calling this one."""

    root: str
    triggers: frozenset[Trigger]
    possible: frozenset[Trigger]
    environment: str | None
    condition: str | None
    needs: tuple[str, ...]
    prefix: str  # "<caller job>/"
    inputs: Mapping[str, str]
    oidc: bool


def collect(files: RepoFiles, builder: Builder) -> None:
    workflows: dict[str, _Workflow] = {}
    for repo_file in files.under(WORKFLOWS):
        if posixpath.dirname(repo_file.path) != WORKFLOWS or repo_file.suffix not in (".yml", ".yaml"):
            continue
        data = builder.load(repo_file.path)
        if data is not None:
            workflows[repo_file.path] = _Workflow(repo_file.path, data, _triggers(repo_file.path, data))
    for workflow in workflows.values():
        builder.pipeline(_describe(workflow))
    called = {target for workflow in workflows.values() for target in _local_calls(workflow)}
    reader = _Reader(files, builder, workflows)
    for workflow in workflows.values():
        if not (workflow.is_template and workflow.path in called):
            reader.run_guarded(workflow)
    for workflow in workflows.values():
        if workflow.path not in reader.expanded:  # templates whose callers were all templates in a cycle
            reader.run_guarded(workflow)


def _triggers(path: str, data: dict) -> dict[Trigger, Location]:
    on = yaml_key(data, "on")
    line = line_of(data, "on")
    events: list[tuple[str, int]] = []
    if isinstance(on, str):
        events = [(on, line)]
    elif isinstance(on, list):
        events = [(str(event), on.item_line(i)) for i, event in enumerate(on)]
    elif isinstance(on, dict):
        events = [(str(event), on.key_line(event)) for event in on]
    triggers: dict[Trigger, Location] = {}
    for event, event_line in events:
        trigger = GITHUB_EVENTS.get(event)
        if trigger and trigger not in triggers:
            triggers[trigger] = Location(path, event_line)
    return triggers


def _jobs(data: dict) -> dict:
    jobs = data.get("jobs")
    return jobs if isinstance(jobs, dict) else {}


def _describe(workflow: _Workflow) -> CiPipeline:
    jobs = _jobs(workflow.data)
    described = tuple(
        CiJob(
            id=str(job_id),
            name=str(job.get("name") or job_id),
            location=Location(workflow.path, jobs.key_line(job_id)),
            environment=_environment_name(job.get("environment")),
            needs=tuple(str(n) for n in as_list(job.get("needs"))),
            condition=text_of(job.get("if")),
            permissions=job.get("permissions"),
            calls=text_of(job.get("uses")),
        )
        for job_id, job in jobs.items()
        if isinstance(job, dict)
    )
    return CiPipeline(
        system="github",
        path=workflow.path,
        triggers=workflow.triggers,
        jobs=described,
        permissions=workflow.data.get("permissions"),
        is_template=workflow.is_template,
    )


def _local_calls(workflow: _Workflow) -> set[str]:
    return {
        target
        for job in _jobs(workflow.data).values()
        if isinstance(job, dict) and (target := _local_target(job.get("uses")))
    }


def _local_target(uses: object) -> str | None:
    if isinstance(uses, str) and uses.startswith("./"):
        return posixpath.normpath(uses[2:].split("@")[0])
    return None


def _environment_name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else str(value)


def _matrix_copies(job: dict, environment: str | None) -> list[tuple[str, dict[str, str]]]:
    """(job id suffix, matrix values) per copy of a job run once per environment by its matrix."""
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if isinstance(matrix, dict):
        given = job.get("with") if isinstance(job.get("with"), dict) else {}
        written = " ".join(str(v) for v in (environment, *given.values()) if v is not None)
        for key in _MATRIX_EXPRESSION.findall(written):
            values = [literal(v) for v in as_list(matrix.get(key))]
            if values and all(v is not None for v in values):
                return [(f" ({v})", {key: v}) for v in values]  # type: ignore[misc]
    return [("", {})]


def _grants_id_token(permissions: object) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"


def _substitute(text: str, contexts: Contexts) -> str:
    return _EXPRESSION.sub(lambda m: contexts.get(m.group(1), {}).get(m.group(2), m.group(0)), text)


def _substituted(mapping: object, contexts: Contexts) -> dict:
    if not isinstance(mapping, dict):
        return {}
    return {key: _substitute(v, contexts) if isinstance(v, str) else v for key, v in mapping.items()}


def _input_defaults(data: dict) -> dict[str, str]:
    on = yaml_key(data, "on")
    call = on.get("workflow_call") if isinstance(on, dict) else None
    inputs = call.get("inputs") if isinstance(call, dict) else None
    defaults: dict[str, str] = {}
    for name, spec in (inputs or {}).items() if isinstance(inputs, dict) else ():
        value = literal(spec.get("default")) if isinstance(spec, dict) else None
        if value is not None:
            defaults[str(name)] = value
    return defaults


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder, workflows: dict[str, _Workflow]) -> None:
        self.files = files
        self.builder = builder
        self.workflows = workflows
        self.expanded: set[str] = set()

    def run_guarded(self, workflow: _Workflow) -> None:
        try:
            self.run(workflow, None, (workflow.path,))
        except Exception as exc:  # one odd workflow must not stop the scan
            self.files.note(workflow.path, f"CI workflow not fully read: {type(exc).__name__}: {exc}")

    def run(self, workflow: _Workflow, call: _Call | None, stack: tuple[str, ...]) -> None:
        """Record the actions of *workflow*, run on its own (call None) or from a calling job."""
        self.expanded.add(workflow.path)
        data = workflow.data
        inputs = {**_input_defaults(data), **(call.inputs if call else {})}
        contexts: Contexts = {"inputs": inputs}
        workflow_env = literal_env(_substituted(data.get("env"), contexts))
        self.builder.secret_variables(workflow.path, "", data.get("env"))
        jobs = _jobs(data)
        for job_id, job in jobs.items():
            if isinstance(job, dict):
                self._job(workflow, str(job_id), job, call, contexts, workflow_env, stack)

    def _job(
        self,
        workflow: _Workflow,
        job_id: str,
        job: dict,
        call: _Call | None,
        contexts: Contexts,
        workflow_env: dict[str, str],
        stack: tuple[str, ...],
    ) -> None:
        prefix = call.prefix if call else ""
        job_condition = text_of(job.get("if"))
        triggers = narrow(call.triggers if call else frozenset(workflow.triggers), job_condition)
        possible = narrow(call.possible if call else frozenset(), job_condition)
        needs = (call.needs if call else ()) + tuple(prefix + str(n) for n in as_list(job.get("needs")))
        condition = job_condition or (call.condition if call else None)
        oidc = self._oidc(job, workflow.data, call)
        root = call.root if call else workflow.path
        uses = job.get("uses")
        if isinstance(uses, str):
            self.builder.action_ref(uses, workflow.path, job.key_line("uses"))
        else:
            self.builder.secret_variables(workflow.path, prefix + job_id, job.get("env"))
        for environment, label, matrix in self._environments(job, contexts, call):
            job_contexts: Contexts = {**contexts, "matrix": matrix}
            full_id = prefix + job_id + label
            if isinstance(uses, str):
                self._call(
                    uses,
                    job,
                    _Call(root, triggers, possible, environment, condition, needs, full_id + "/", {}, oidc),
                    job_contexts,
                    stack,
                )
                continue
            env = literal_env(_substituted(job.get("env"), job_contexts), workflow_env)
            ctx = self.builder.job(
                JobContext(
                    root=root,
                    pipeline=workflow.path,
                    job=full_id,
                    triggers=triggers,
                    possible_triggers=possible,
                    environment=environment,
                    condition=condition,
                    continue_on_error=truthy(job.get("continue-on-error")),
                    needs=needs,
                    env=env,
                    workdir=self._default_workdir(job, workflow.data, env),
                    oidc_token=oidc,
                )
            )
            self._steps(ctx, job.get("steps"), job_contexts, workflow.path, stack)

    def _call(self, uses: str, job: dict, call: _Call, contexts: Contexts, stack: tuple[str, ...]) -> None:
        target = _local_target(uses)
        callee = self.workflows.get(target) if target else None
        if callee is None or callee.path in stack or len(stack) >= MAX_TEMPLATE_DEPTH:
            return
        passed = _substituted(job.get("with"), contexts)
        inputs = {
            str(name): str(value) if literal(value) is None else literal(value)
            for name, value in passed.items()
            if value is not None
        }
        self.run(callee, replace(call, inputs=inputs), (*stack, callee.path))

    @staticmethod
    def _oidc(job: dict, data: dict, call: _Call | None) -> bool:
        declared = job["permissions"] if "permissions" in job else data.get("permissions")
        declared_here = "permissions" in job or "permissions" in data
        if call:  # a called workflow can only narrow the caller's token
            return call.oidc and (not declared_here or _grants_id_token(declared))
        return declared_here and _grants_id_token(declared)

    @staticmethod
    def _environments(
        job: dict, contexts: Contexts, call: _Call | None
    ) -> list[tuple[str | None, str, dict]]:
        """(environment, job id suffix, matrix values) for each copy of the job.

        A job whose environment (or, for a reusable workflow call, a `with:` value) is
        `${{ matrix.x }}` over a literal list runs once per value: the usual promotion loop."""
        name = _environment_name(job.get("environment"))
        copies = [
            (_substitute(name, {**contexts, "matrix": values}) if name is not None else None, label, values)
            for label, values in _matrix_copies(job, name)
        ]
        if name is None and call is not None:
            return [(call.environment, label, values) for _, label, values in copies]
        return copies

    @staticmethod
    def _default_workdir(job: dict, data: dict, env: Mapping[str, str]) -> str:
        for owner in (job, data):
            defaults = owner.get("defaults")
            run = defaults.get("run") if isinstance(defaults, dict) else None
            if isinstance(run, dict) and run.get("working-directory"):
                return resolve_path(expand(str(run["working-directory"]), env))
        return ""

    def _steps(
        self,
        ctx: JobContext,
        steps: object,
        contexts: Contexts,
        path: str,
        stack: tuple[str, ...],
        outer: Step | None = None,
    ) -> None:
        if not isinstance(steps, list):
            return
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            run, uses = step.get("run"), step.get("uses")
            command = first_line(str(run)) if run is not None else str(uses or "")
            label = text_of(step.get("name")) or command
            this = Step(
                name=_substitute(label, contexts) or f"step {index + 1}",
                line=steps.item_line(index),
                condition=text_of(step.get("if")) or (outer.condition if outer else None),
                continue_on_error=truthy(step.get("continue-on-error"))
                or bool(outer and outer.continue_on_error),
            )
            env = literal_env(_substituted(step.get("env"), contexts), ctx.env)
            self.builder.secret_variables(path, ctx.job, step.get("env"))
            if run is not None:
                written = step.get("working-directory")
                workdir = resolve_path(expand(_substitute(str(written), contexts), env)) if written else None
                self.builder.script(
                    ctx,
                    this,
                    _substitute(str(run), contexts),
                    line=step.key_line("run"),
                    env=env,
                    workdir=workdir,
                    shell=str(step.get("shell") or "bash"),
                )
            elif isinstance(uses, str):
                self.builder.action_ref(uses, path, step.key_line("uses"))
                self._uses(ctx, this, step, uses, contexts, env, stack)

    def _uses(
        self,
        ctx: JobContext,
        step: Step,
        node: dict,
        uses: str,
        contexts: Contexts,
        env: Mapping[str, str],
        stack: tuple[str, ...],
    ) -> None:
        name = uses.split("@")[0].lower().rstrip("/")
        given = node.get("with") if isinstance(node.get("with"), dict) else {}
        values = {str(k): _substitute(str(v), contexts) for k, v in given.items() if v is not None}
        lowered = {k.lower(): v for k, v in values.items()}
        build = self.builder
        if name == "azure/login":
            build.login(ctx, step.line, *_login_method(lowered, ctx.oidc_token))
        elif name in ("azure/arm-deploy", "azure/bicep-deploy"):
            self._arm_deploy(ctx, step, name, uses, lowered, values, env)
        elif name in _LINT_ACTIONS:
            build.action(ctx, step, K.LINT, command=uses, options=values)
        elif name.startswith("dflook/terraform-") or name.startswith("dflook/tofu-"):
            verb = name.rsplit("-", 1)[-1]
            kind = {"apply": K.APPLY_IAC, "plan": K.VALIDATE_IAC, "validate": K.VALIDATE_IAC}.get(verb)
            if kind:
                build.action(
                    ctx,
                    step,
                    kind,
                    command=uses,
                    options=values,
                    files=(resolve_path(expand(lowered.get("path", "."), env)),),
                )
        elif "inlinescript" in lowered:
            key = next(k for k in given if str(k).lower() == "inlinescript")
            shell = "pwsh" if name == "azure/powershell" else "bash"
            build.script(
                ctx, step, lowered["inlinescript"], line=given.key_line(key), env=env, workdir="", shell=shell
            )
        elif uses.startswith("./"):
            self._composite(ctx, step, uses, values, contexts, stack)

    def _arm_deploy(
        self,
        ctx: JobContext,
        step: Step,
        name: str,
        uses: str,
        lowered: dict[str, str],
        values: dict[str, str],
        env: Mapping[str, str],
    ) -> None:
        if name == "azure/arm-deploy":
            template = lowered.get("template")
            mode = lowered.get("deploymentmode", "").lower()
            validating = mode == "validate" or "--what-if" in lowered.get("additionalarguments", "")
        else:
            template = lowered.get("template-file")
            operation = lowered.get("operation", "create").lower()
            if operation == "delete":
                return
            validating = operation in ("validate", "whatif", "what-if")
        files = (resolve_path(expand(template, env)),) if template else ()
        kind = K.VALIDATE_IAC if validating else K.APPLY_IAC
        self.builder.action(ctx, step, kind, command=uses, files=files, options=values)

    def _composite(
        self,
        ctx: JobContext,
        step: Step,
        uses: str,
        values: dict[str, str],
        contexts: Contexts,
        stack: tuple[str, ...],
    ) -> None:
        folder = posixpath.normpath(uses[2:].split("@")[0])
        candidates = (f"{folder}/action.yml", f"{folder}/action.yaml")
        path = next((p for p in candidates if self.files.exists(p)), None)
        if path is None or path in stack or len(stack) >= MAX_TEMPLATE_DEPTH:
            return
        data = self.builder.load(path)
        runs = data.get("runs") if data else None
        if not isinstance(runs, dict) or str(runs.get("using")).lower() != "composite":
            return
        declared = data.get("inputs") if isinstance(data.get("inputs"), dict) else {}
        defaults = {
            str(n): v
            for n, spec in declared.items()
            if isinstance(spec, dict) and (v := literal(spec.get("default"))) is not None
        }
        inner: Contexts = {"inputs": {**defaults, **values}, "matrix": contexts.get("matrix", {})}
        self._steps(replace(ctx, pipeline=path), runs.get("steps"), inner, path, (*stack, path), outer=step)


def _login_method(given: Mapping[str, str], oidc_token: bool) -> tuple[str, str]:
    """(method, detail) of an azure/login step; the detail names inputs, never their values."""
    if "creds" in given:
        return "secret", "azure/login with creds (a stored service principal secret)"
    if "client-secret" in given:
        return "secret", "azure/login with client-secret (a stored secret)"
    if given.get("auth-type", "").upper() == "IDENTITY":
        return "unknown", "azure/login with a managed identity (auth-type IDENTITY)"
    if "client-id" in given:
        if oidc_token:
            return "oidc", "azure/login with client-id and id-token: write (OIDC)"
        return "unknown", "azure/login with client-id but the job has no id-token: write permission"
    return "unknown", "azure/login without client-id or creds"
