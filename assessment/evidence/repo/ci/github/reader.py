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
from collections.abc import Mapping
from dataclasses import dataclass, replace

from mlops_ladder.assessment.evidence.repo.ci.builder import MAX_TEMPLATE_DEPTH, Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import anchored, expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.conditions import narrow
from mlops_ladder.assessment.evidence.repo.ci.github import actions
from mlops_ladder.assessment.evidence.repo.ci.github.workflow import (
    WORKFLOWS,
    Contexts,
    Workflow,
    chosen,
    describe,
    environment_name,
    grants_id_token,
    input_choices,
    input_defaults,
    jobs_of,
    local_calls,
    local_target,
    matrix_copies,
    substitute,
    substituted,
    triggers_of,
)
from mlops_ladder.assessment.evidence.repo.ci.model import Trigger
from mlops_ladder.assessment.evidence.repo.ci.remote import calls as remote
from mlops_ladder.assessment.evidence.repo.ci.remote.catalog import lookup, parse_github_uses
from mlops_ladder.assessment.evidence.repo.ci.values import (
    as_list,
    first_line,
    literal,
    literal_env,
    text_of,
    truthy,
)
from mlops_ladder.assessment.evidence.repo.files import RepoFiles


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
    workflows: dict[str, Workflow] = {}
    for repo_file in files.under(WORKFLOWS):
        if posixpath.dirname(repo_file.path) != WORKFLOWS or repo_file.suffix not in (".yml", ".yaml"):
            continue
        data = builder.load(repo_file.path)
        if data is not None:
            workflows[repo_file.path] = Workflow(repo_file.path, data, triggers_of(repo_file.path, data))
    for workflow in workflows.values():
        builder.pipeline(describe(workflow))
    called = {target for workflow in workflows.values() for target in local_calls(workflow)}
    reader = _Reader(files, builder, workflows)
    for workflow in workflows.values():
        if not (workflow.is_template and workflow.path in called):
            reader.run_guarded(workflow)
    for workflow in workflows.values():
        if workflow.path not in reader.expanded:  # templates whose callers were all templates in a cycle
            reader.run_guarded(workflow)


class _Reader:
    def __init__(self, files: RepoFiles, builder: Builder, workflows: dict[str, Workflow]) -> None:
        self.files = files
        self.builder = builder
        self.workflows = workflows
        self.expanded: set[str] = set()

    def run_guarded(self, workflow: Workflow) -> None:
        try:
            self.run(workflow, None, (workflow.path,))
        except Exception as exc:  # one odd workflow must not stop the scan
            self.files.note(workflow.path, f"CI workflow not fully read: {type(exc).__name__}: {exc}")

    def run(self, workflow: Workflow, call: _Call | None, stack: tuple[str, ...]) -> None:
        """Record the actions of *workflow*, run on its own (call None) or from a calling job."""
        self.expanded.add(workflow.path)
        data = workflow.data
        inputs = {**input_defaults(data), **(call.inputs if call else {})}
        contexts: Contexts = {"inputs": inputs}
        contexts = {**contexts, "needs": self._remote_outputs(jobs_of(data), contexts)}
        workflow_env = literal_env(substituted(data.get("env"), contexts))
        self.builder.secret_variables(workflow.path, "", data.get("env"))
        jobs = jobs_of(data)
        for job_id, job in jobs.items():
            if isinstance(job, dict):
                self._job(workflow, str(job_id), job, call, contexts, workflow_env, stack)

    def _job(
        self,
        workflow: Workflow,
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
                call_here = _Call(
                    root, triggers, possible, environment, condition, needs, full_id + "/", {}, oidc
                )
                if local_target(uses) is None:
                    self._remote(workflow, uses, job, call_here, job_contexts, workflow_env)
                else:
                    self._call(uses, job, call_here, job_contexts, stack)
                continue
            env = literal_env(substituted(job.get("env"), job_contexts), workflow_env)
            ctx = self.builder.job(
                JobContext(
                    root=root,
                    pipeline=workflow.path,
                    job=full_id,
                    triggers=triggers,
                    possible_triggers=possible,
                    environment=environment,
                    environment_choices=chosen(environment, input_choices(workflow.data)),
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
        target = local_target(uses)
        callee = self.workflows.get(target) if target else None
        if callee is None or callee.path in stack or len(stack) >= MAX_TEMPLATE_DEPTH:
            return
        passed = substituted(job.get("with"), contexts)
        inputs = {
            str(name): str(value) if literal(value) is None else literal(value)
            for name, value in passed.items()
            if value is not None
        }
        self.run(callee, replace(call, inputs=inputs), (*stack, callee.path))

    def _remote(
        self,
        workflow: Workflow,
        uses: str,
        job: dict,
        call: _Call,
        contexts: Contexts,
        env: Mapping[str, str],
    ) -> None:
        """A job calling a reusable workflow of another repository (known or not)."""
        reference = parse_github_uses(uses)
        template = lookup(reference) if reference else None
        inputs = _literal_inputs(substituted(job.get("with"), contexts))
        environment = call.environment
        if template and template.environment and inputs.get(template.environment):
            environment = inputs[template.environment]
        name = posixpath.splitext(posixpath.basename(reference.path))[0] if reference else "remote"
        ctx = self.builder.job(
            JobContext(
                root=call.root,
                pipeline=workflow.path,
                job=call.prefix + name,
                triggers=call.triggers,
                possible_triggers=call.possible,
                environment=environment,
                condition=call.condition,
                needs=call.needs,
                env=env,
                oidc_token=call.oidc,
            )
        )
        line = job.key_line("uses")
        if template is None or reference is None or template.system != "github":
            remote.record_unknown(self.builder, ctx, uses, line)
            return
        step = Step(name=str(job.get("name") or name), line=line)
        remote.run_known(self.builder, ctx, step, template, uses, reference.ref, inputs, oidc=call.oidc)

    def _remote_outputs(self, jobs: dict, contexts: Contexts) -> dict[str, str]:
        """`needs.<job>.outputs.<name>` of jobs that call a known template computing its outputs
        from a file of this repository (a configuration reader)."""
        found: dict[str, str] = {}
        for job_id, job in jobs.items():
            uses = job.get("uses") if isinstance(job, dict) else None
            reference = parse_github_uses(uses) if isinstance(uses, str) else None
            template = lookup(reference) if reference else None
            if template and template.outputs:
                inputs = _literal_inputs(substituted(job.get("with"), contexts))
                outputs = remote.template_outputs(template, inputs, self.builder.load)
                found.update({f"{job_id}.outputs.{name}": value for name, value in outputs.items()})
        return found

    @staticmethod
    def _oidc(job: dict, data: dict, call: _Call | None) -> bool:
        declared = job["permissions"] if "permissions" in job else data.get("permissions")
        declared_here = "permissions" in job or "permissions" in data
        if call:  # a called workflow can only narrow the caller's token
            return call.oidc and (not declared_here or grants_id_token(declared))
        return declared_here and grants_id_token(declared)

    @staticmethod
    def _environments(
        job: dict, contexts: Contexts, call: _Call | None
    ) -> list[tuple[str | None, str, dict]]:
        """(environment, job id suffix, matrix values) for each copy of the job.

        A job whose environment (or, for a reusable workflow call, a `with:` value) is
        `${{ matrix.x }}` over a literal list runs once per value: the usual promotion loop."""
        name = environment_name(job.get("environment"))
        copies = [
            (substitute(name, {**contexts, "matrix": values}) if name is not None else None, label, values)
            for label, values in matrix_copies(job, name)
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
                name=substitute(label, contexts) or f"step {index + 1}",
                line=steps.item_line(index),
                condition=text_of(step.get("if")) or (outer.condition if outer else None),
                continue_on_error=truthy(step.get("continue-on-error"))
                or bool(outer and outer.continue_on_error),
            )
            env = literal_env(substituted(step.get("env"), contexts), ctx.env)
            self.builder.secret_variables(path, ctx.job, step.get("env"))
            if run is not None:
                written = step.get("working-directory")
                workdir = resolve_path(expand(substitute(str(written), contexts), env)) if written else None
                self.builder.script(
                    ctx,
                    this,
                    substitute(str(run), contexts),
                    line=step.key_line("run"),
                    env=env,
                    workdir=workdir,
                    shell=str(step.get("shell") or "bash"),
                )
            elif isinstance(uses, str):
                self.builder.action_ref(uses, path, step.key_line("uses"))
                known = actions.read_action(self.builder, ctx, this, step, uses, contexts, env)
                if not known and uses.startswith(("./", "$/")):
                    self._composite(ctx, this, uses, actions.action_inputs(step, contexts), contexts, stack)

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
        inner: Contexts = {
            "inputs": {**defaults, **values},
            "matrix": contexts.get("matrix", {}),
            "github": {"action_path": anchored(folder)},  # the action's own folder
        }
        self._steps(replace(ctx, pipeline=path), runs.get("steps"), inner, path, (*stack, path), outer=step)


def _literal_inputs(given: Mapping[str, object]) -> dict[str, str]:
    """`with:` values as text (expressions left as written: their value is known at run time)."""
    return {str(name): literal(value) or str(value) for name, value in given.items() if value is not None}
