"""What the GitHub, Azure DevOps and GitLab readers share.

A reader walks its CI files and, for every step, hands the Builder the step's script (or a
recognised action) together with the JobContext the step runs in: the pipeline run it
belongs to, its job, the triggers that start it (after reusable workflows and templates
are followed), the job's environment, condition and failure handling. The Builder turns
that into CiActions and AzureLogins, so every CI system produces the same facts.

The readers also share conditions.py (triggers narrowed by conditions) and values.py (helpers
for YAML values).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.actions import ActionContent, ActionGroup, StepRun
from mlops_ladder.assessment.evidence.repo.ci.commands.model import Scan
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import dealias, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.conditions import narrow, runs_even_if_needs_skipped
from mlops_ladder.assessment.evidence.repo.ci.model import (
    ActionKind,
    ActionRef,
    AzureLogin,
    CiEvidence,
    CiPipeline,
    RemoteCall,
    Trigger,
    job_matches,
)
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.yamlfile import YamlError, load_yaml

MAX_TEMPLATE_DEPTH = 8  # reusable workflows / templates nested this deep are followed


@dataclass(frozen=True)
class JobContext:
    """The job a step runs in, as seen from the pipeline run that executes it."""

    root: str  # the pipeline file whose run executes the job
    pipeline: str  # the file that defines the steps (a reusable workflow or template when inlined)
    job: str  # job id, unique within the root's run ("deploy", "Deploy.DeployModel", "release/deploy")
    triggers: frozenset[Trigger]
    possible_triggers: frozenset[Trigger] = frozenset()
    environment: str | None = None
    condition: str | None = None
    continue_on_error: bool = False
    needs: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)  # literal variables visible to scripts
    workdir: str = ""
    oidc_token: bool = False  # the job can get an OIDC token (id-token: write, GitLab id_tokens)
    skipped_with_needs: bool = True  # skipped when a job it needs did not run (not so in GitLab)
    environment_choices: tuple[str, ...] = ()  # the environments `environment` may name (by branch)
    config_files: tuple[str, ...] = ()  # per-environment variable files the job reads
    # (folder as written, repository folder): a downloaded artifact that holds a repository folder
    path_aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    name: str
    line: int
    condition: str | None = None
    continue_on_error: bool = False


class Builder:
    """Accumulates the CiEvidence of one repository."""

    def __init__(self, files: RepoFiles, scripts: ScriptReader | None = None) -> None:
        self.files = files
        self.evidence = CiEvidence()
        self.scripts = scripts or ScriptReader(files)
        self._positions: dict[tuple[str, str], int] = {}
        self._jobs: dict[tuple[str, str], JobContext] = {}
        self._refs_seen: set[tuple[str, str, int]] = set()
        self._yaml: dict[str, object] = {}
        self._groups: list[ActionGroup] = []
        self._converted: dict[int, tuple[Scan, tuple[ActionContent, ...]]] = {}

    def load(self, path: str, *, note_non_mapping: bool = True) -> dict | None:
        """The YAML mapping in *path* (read and parsed once), or None with a Note."""
        if path not in self._yaml:
            self._yaml[path] = self._parse(path, note_non_mapping)
        data = self._yaml[path]
        return data if isinstance(data, dict) else None

    def _parse(self, path: str, note_non_mapping: bool) -> object:
        text = self.files.read_text(path)
        if text is None:
            return None
        try:
            data = load_yaml(text)
        except YamlError as exc:
            self.files.note(path, f"malformed YAML: {exc}")
            return None
        if not isinstance(data, dict):
            if note_non_mapping:
                self.files.note(path, "malformed YAML: the document is not a mapping")
            return None
        return data

    def job(self, ctx: JobContext) -> JobContext:
        """Register a job context (for `finish`); returns it."""
        self._jobs.setdefault((ctx.root, ctx.job), ctx)
        return ctx

    def finish(self) -> CiEvidence:
        """The evidence, with each action's triggers limited to those its job's needed jobs run under:
        a job whose needed job is skipped (e.g. `if: github.event_name == 'push'` on a pull request)
        is skipped too, unless its condition runs it anyway (always())."""
        memo: dict[tuple[str, str], tuple[frozenset[Trigger], frozenset[Trigger]]] = {}
        for group in self._groups:
            run = group.run
            runs, maybe = self._job_triggers((run.root_pipeline, run.job), memo)
            triggers = run.triggers & runs
            possible = (run.possible_triggers & (runs | maybe)) | (run.triggers & maybe)
            if triggers != run.triggers or possible != run.possible_triggers:
                group.run = replace(run, triggers=triggers, possible_triggers=possible)
        self.evidence.job_graph = {key: ctx.needs for key, ctx in self._jobs.items()}
        return self.evidence

    def _job_triggers(
        self, key: tuple[str, str], memo: dict[tuple[str, str], tuple[frozenset[Trigger], frozenset[Trigger]]]
    ) -> tuple[frozenset[Trigger], frozenset[Trigger]]:
        if key in memo:
            return memo[key]
        everything = frozenset(Trigger)
        ctx = self._jobs.get(key)
        if ctx is None:
            return everything, frozenset()
        memo[key] = (ctx.triggers, ctx.possible_triggers)  # provisional: cuts cycles
        runs, maybe = ctx.triggers, ctx.possible_triggers
        if ctx.skipped_with_needs and not runs_even_if_needs_skipped(ctx.condition):
            for need in ctx.needs:
                for other in self._jobs_named(ctx.root, need):
                    other_runs, other_maybe = self._job_triggers(other, memo)
                    runs, maybe = (
                        runs & other_runs,
                        (maybe & (other_runs | other_maybe)) | (runs & other_maybe),
                    )
        memo[key] = (runs, maybe - runs)
        return memo[key]

    def _jobs_named(self, root: str, job: str) -> list[tuple[str, str]]:
        """Jobs of *root*'s run that `needs: job` waits for (a called workflow's jobs are "job/inner")."""
        return [key for key in self._jobs if key[0] == root and job_matches(key[1], job)]

    def pipeline(self, pipeline: CiPipeline) -> None:
        self.evidence.pipelines.append(pipeline)

    def action_ref(self, uses: str, path: str, line: int) -> None:
        uses = uses.strip()
        if (uses, path, line) in self._refs_seen:  # a reusable workflow read once per caller
            return
        self._refs_seen.add((uses, path, line))
        pinned = bool(re.search(r"@[0-9a-f]{40}$", uses)) or bool(
            re.match(r"^docker://.+@sha256:[0-9a-f]{64}$", uses)
        )
        # Local: `./path`, or GitHub's self-repository form `$/path` (same repository, same commit).
        local = uses.startswith(("./", "$/"))
        self.evidence.action_refs.append(ActionRef(uses, Location(path, line), pinned, local))

    def login(self, ctx: JobContext, line: int, method: str, detail: str) -> None:
        location = Location(ctx.pipeline, line)
        self.evidence.logins.append(AzureLogin(location, ctx.pipeline, ctx.job, method, detail))

    def action(
        self,
        ctx: JobContext,
        step: Step,
        kind: ActionKind,
        *,
        command: str,
        files: tuple[str, ...] = (),
        options: Mapping[str, str] | None = None,
        line: int | None = None,
        masked: bool = False,
        after_failure: bool = False,
        workdir: str | None = None,
        target_kind: str = "",
    ) -> None:
        content = ActionContent(
            kind,
            command,
            line or 0,
            tuple(files),
            dict(options or {}),
            masked=masked,
            after_failure=after_failure,
            cwd=workdir,
            target_kind=target_kind,
        )
        self._add(ctx, step, (content,), line=0, fixed=False)

    def _add(
        self, ctx: JobContext, step: Step, contents: Sequence[ActionContent], *, line: int, fixed: bool
    ) -> None:
        """The actions *contents* of *step* (shared with other steps: never changed), numbered in the job."""
        if not contents:
            return
        key = (ctx.root, ctx.job)
        position = self._positions.get(key, 0)
        self._positions[key] = position + len(contents)
        run = StepRun(
            pipeline=ctx.pipeline,
            job=ctx.job,
            step=step.name,
            line=step.line,
            root_pipeline=ctx.root,
            triggers=narrow(ctx.triggers, step.condition),
            possible_triggers=narrow(ctx.possible_triggers, step.condition),
            environment=ctx.environment,
            condition=step.condition or ctx.condition,
            continue_on_error=ctx.continue_on_error or step.continue_on_error,
            job_needs=ctx.needs,
            working_directory=ctx.workdir,
            environment_choices=ctx.environment_choices,
            config_files=ctx.config_files,
        )
        group = ActionGroup(run, contents, line=line, fixed=fixed, first_index=position)
        self._groups.append(group)
        self.evidence.actions.add_group(group)

    def remote_call(self, ctx: JobContext, reference: str, line: int, known: bool, detail: str) -> None:
        """A job or step of *ctx* that delegates to a workflow or template of another repository."""
        self.evidence.remote_calls.append(
            RemoteCall(
                reference=reference,
                location=Location(ctx.pipeline, line),
                pipeline=ctx.pipeline,
                root_pipeline=ctx.root,
                job=ctx.job,
                triggers=ctx.triggers,
                environment=ctx.environment,
                known=known,
                detail=detail,
            )
        )

    def script(
        self,
        ctx: JobContext,
        step: Step,
        script: str,
        *,
        line: int,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
        shell: str = "bash",
    ) -> None:
        """Record what the commands of *script* (written at *line*) do."""
        cwd = ctx.workdir if workdir is None else workdir
        script = dealias(script, ctx.path_aliases)
        scan = self.scripts.scan(script, cwd=cwd, env=ctx.env if env is None else env, shell=shell)
        # Block scalars (`run: |`) start on the line after the key.
        block = "\n" in script.rstrip("\n") or script.endswith("\n")
        self._record(ctx, step, scan, line=line + 1 if block else line, fixed=not block)

    def script_file(
        self,
        ctx: JobContext,
        step: Step,
        path: str,
        *,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
    ) -> None:
        """Record what the commands of the script file *path* (a repo path) do; they point at the step."""
        cwd = ctx.workdir if workdir is None else workdir
        path = resolve_path(dealias(path, ctx.path_aliases))
        scan = self.scripts.scan_file(path, cwd=cwd, env=ctx.env if env is None else env)
        self._record(ctx, step, scan, line=step.line, fixed=True)

    def _record(self, ctx: JobContext, step: Step, scan: Scan, *, line: int, fixed: bool) -> None:
        """The logins and actions *scan* found, for *step*: its lines are *line* when *fixed*, else offsets
        from *line*. The scan's actions are shared with every step that ran the same reading."""
        for login in scan.logins:
            self.login(ctx, line if fixed else line + login.line, login.method, login.detail)
        self._add(ctx, step, self._contents(scan), line=line, fixed=fixed)

    def _contents(self, scan: Scan) -> tuple[ActionContent, ...]:
        """What *scan* found, as the contents of actions: converted once per scan (the ScriptReader returns
        the same Scan for the same script, folder, variables and shell)."""
        known = self._converted.get(id(scan))
        if known is None:  # the scan is kept with its contents, so its id stays its own
            contents = tuple(
                ActionContent(f.kind, f.command, f.line, f.files, f.options, f.masked, f.after_failure, f.cwd)
                for f in scan.actions
            )
            known = self._converted[id(scan)] = (scan, contents)
        return known[1]

    def secret_variables(self, path: str, job: str, mapping: object) -> None:
        """A client secret handed to tools through environment variables is a secret-based sign-in."""
        if not isinstance(mapping, dict):
            return
        for name, value in mapping.items():
            if str(name).upper() in ("AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET") and value:
                line = mapping.key_line(name) if hasattr(mapping, "key_line") else 0
                detail = f"{name} set in the environment (a stored secret)"
                self.evidence.logins.append(AzureLogin(Location(path, line), path, job, "secret", detail))
