"""What CI pipelines do, as facts (filled by collect.py from GitHub Actions, Azure DevOps and GitLab).

The unit is the CiAction: one thing a step does (runs the tests, submits an Azure ML job
file, deploys a deployment file, applies a Bicep template...), with the files it targets,
the triggers under which it runs (following reusable workflows and templates), the
environment of its job and its failure handling. Checks read actions, never CI YAML.
CiAction and the way actions are stored (a script's reading once, shared by the steps that run it)
are in actions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.actions import ActionGroup, Actions
from mlops_ladder.assessment.evidence.repo.ci.actions import CiAction as CiAction  # re-exported


class ActionKind(StrEnum):
    RUN_TESTS = "run-tests"  # pytest, python -m pytest, tox, nox
    LINT = "lint"  # ruff, flake8, pylint, black --check, pre-commit run
    SUBMIT_JOB = "submit-job"  # az ml job create --file X, az ml run submit-script|submit-pipeline (CLI v1)
    WAIT_JOB = "wait-job"  # az ml job stream / show polling (also `--stream` on submit: options)
    PUBLISH_PIPELINE = "publish-pipeline"  # az ml pipeline create --pipeline-yaml X (CLI v1): run later
    RUN_PUBLISHED_PIPELINE = "run-published-pipeline"  # az ml run submit-pipeline --pipeline-id, REST task
    ASSERT_METRICS = "assert-metrics"  # a step that reads a model's metric and fails under a threshold
    APPROVAL = "approval"  # a manual approval step: ManualValidation@0, GitLab `when: manual`
    REGISTER_DATA = "register-data"  # az ml data create, az ml dataset register (CLI v1)
    CREATE_COMPUTE = "create-compute"  # az ml compute create, az ml computetarget create (CLI v1)
    CREATE_SCHEDULE = "create-schedule"  # az ml schedule create|update --file X
    CREATE_ENDPOINT = "create-endpoint"  # az ml online-endpoint|batch-endpoint create|update --file X
    DEPLOY_MODEL = "deploy-model"  # az ml online-|batch-deployment create|update --file X, az ml model deploy
    SHIFT_TRAFFIC = "shift-traffic"  # az ml online-endpoint update --traffic "blue=0 green=100"
    INVOKE_ENDPOINT = "invoke-endpoint"  # az ml online-endpoint|batch-endpoint invoke, curl to scoring uri
    DELETE_DEPLOYMENT = "delete-deployment"  # az ml online-deployment delete
    APPLY_IAC = "apply-iac"  # az deployment group|sub|mg create, azure/arm-deploy, terraform apply
    VALIDATE_IAC = "validate-iac"  # what-if, validate, bicep build|lint, terraform plan|validate
    REGISTER_COMPONENT = "register-component"  # az ml component create
    REGISTER_ENVIRONMENT = "register-environment"  # az ml environment create
    REGISTER_MODEL = "register-model"  # az ml model create, az ml model register (CLI v1)
    SHARE_MODEL = "share-model"  # az ml model share / create --registry-name
    RUN_PYTHON = "run-python"  # python path/to/script.py | python -m pkg.module (files: the script path)
    # Other ML platforms and package managers (ci/commands/platforms.py):
    INSTALL_DEPENDENCIES = "install-dependencies"  # pip install -r X, uv sync, poetry install (files: X)
    RUN_DVC_PIPELINE = "run-dvc-pipeline"  # dvc repro, dvc exp run (files: the dvc.yaml files)
    PULL_DATA = "pull-data"  # dvc pull / fetch: data downloaded, nothing run
    DEPLOY_BUNDLE = "deploy-bundle"  # databricks bundle deploy -t T (files: databricks.yml; --target)
    RUN_BUNDLE_JOB = "run-bundle-job"  # databricks bundle run JOB -t T (files: databricks.yml; job, --target)
    START_PLATFORM_JOB = "start-platform-job"  # aws sagemaker start-pipeline-execution, gcloud ai custom-jobs


class Trigger(StrEnum):
    PULL_REQUEST = "pull_request"  # GitHub pull_request(_target), ADO pr:, GitLab merge_request_event
    PUSH = "push"  # push / CI trigger on branches or tags
    SCHEDULE = "schedule"  # cron
    MANUAL = "manual"  # workflow_dispatch, ADO manual run, GitLab web
    EVENT = "event"  # repository_dispatch, workflow_run, ADO pipeline resource triggers, GitLab trigger/api
    CALLED = "called"  # workflow_call only (its effective triggers come from the callers)
    RELEASE = "release"  # release published


@dataclass(frozen=True)
class AzureLogin:
    location: Location
    pipeline: str
    job: str
    method: str  # "oidc" | "secret" | "unknown"
    detail: str


@dataclass(frozen=True)
class ActionRef:
    """A `uses:` reference to a GitHub action or reusable workflow."""

    uses: str
    location: Location
    pinned: bool  # pinned to a 40-hex commit SHA (or a docker digest)
    local: bool  # ./path in this repository


@dataclass(frozen=True)
class RemoteCall:
    """A job or step that delegates to a reusable workflow or template of another repository
    (`uses: owner/repo/.github/workflows/x.yml@ref`, `template: x.yml@alias`)."""

    reference: str  # as written, e.g. "Azure/mlops-templates/.github/workflows/run-pipeline.yml@v1.1.0"
    location: Location
    pipeline: str
    root_pipeline: str
    job: str
    triggers: frozenset[Trigger]
    environment: str | None
    known: bool  # described in remote/known_templates.yaml: its actions are CiActions of the job
    detail: str  # what the known template does, or why nothing is known; the ref it was read at


@dataclass(frozen=True)
class CiJob:
    id: str
    name: str
    location: Location
    environment: str | None = None
    needs: tuple[str, ...] = ()
    condition: str | None = None
    permissions: object = None  # as written (None when absent)
    calls: str | None = None  # reusable workflow or template this job calls


@dataclass(frozen=True)
class CiPipeline:
    system: str  # "github" | "azure-devops" | "gitlab"
    path: str
    triggers: Mapping[Trigger, Location]  # triggers declared in this file
    jobs: tuple[CiJob, ...]
    permissions: object = None  # top-level permissions as written (None when absent)
    is_template: bool = False  # reusable workflow (workflow_call only) or ADO/GitLab template


@dataclass
class CiEvidence:
    pipelines: list[CiPipeline] = field(default_factory=list)
    # In order of the steps; a script reading's actions are stored once and shared by the steps that run
    # it (actions.py). A list of CiActions given here is kept as it is.
    actions: Actions = field(default_factory=Actions)
    logins: list[AzureLogin] = field(default_factory=list)
    action_refs: list[ActionRef] = field(default_factory=list)
    # Added by the CI reader (optional): (root pipeline, job id) -> the jobs it needs, for every job of
    # every run, also jobs without recognised actions. A called workflow's jobs are "<caller job>/<job>".
    job_graph: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    remote_calls: list[RemoteCall] = field(default_factory=list)  # delegation to other repositories

    def __post_init__(self) -> None:
        if not isinstance(self.actions, Actions):
            self.actions = Actions(self.actions)

    def unknown_remote_calls(self) -> list[RemoteCall]:
        return [call for call in self.remote_calls if not call.known]

    def of_kind(self, *kinds: ActionKind) -> Actions:
        """The actions of *kinds*, in the order of `actions` (a new sequence each time)."""
        # Checks ask for actions by kind hundreds of times, and a repository whose CI steps run big
        # shell scripts has hundreds of thousands of actions (azureml-examples: ~700,000, from a few
        # thousand distinct commands), so each set of kinds is selected once (see _cache).
        wanted = frozenset(kinds)
        selections: dict[frozenset[ActionKind], Actions] = self._cache("_by_kinds")
        if wanted not in selections:
            selections[wanted] = self.actions.of_kinds(wanted)
        return selections[wanted].copy()

    def using_file(self, path: str, *kinds: ActionKind) -> list[CiAction]:
        """The actions of *kinds* whose files include *path*, in order. Checks ask it for every Azure ML
        file, so the actions of each set of kinds are indexed by file once."""
        wanted = frozenset(kinds)
        indexes: dict[frozenset[ActionKind], dict[str, list[CiAction]]] = self._cache("_by_file")
        index = indexes.get(wanted)
        if index is None:
            index = indexes[wanted] = {}
            for action in self.of_kind(*kinds):
                for file in dict.fromkeys(action.files):
                    index.setdefault(file, []).append(action)
        return list(index.get(path, ()))

    def _cache(self, name: str) -> dict[Any, Any]:
        """A cache of answers about `actions`, kept as attribute *name*: it belongs to one Actions object
        at one length, so one that was replaced or appended to since is asked again."""
        cached = self.__dict__.get(name)
        if cached is None or cached[0] is not self.actions or cached[1] != len(self.actions):
            cached = self.__dict__[name] = (self.actions, len(self.actions), {})
        return cached[2]

    def select(self, wanted: Callable[[Any], bool]) -> Actions:
        """The actions whose command *wanted* accepts (it sees kind, command, files, options and
        target_kind, asked once per distinct script reading; see actions.py)."""
        return self.actions.select(wanted)

    def needed_jobs(self, root: str, job: str) -> set[str]:
        """Every job that *job* of *root*'s run waits for, directly or through other jobs."""
        graph = self.job_graph or {(a.root_pipeline or a.pipeline, a.job): a.job_needs for a in self.actions}
        seen: set[str] = set()
        pending = list(graph.get((root, job), ()))
        while pending:
            needed = pending.pop()
            if needed in seen:
                continue
            seen.add(needed)
            for (other_root, other_job), needs in graph.items():
                if other_root == root and job_matches(other_job, needed):
                    pending.extend(needs)
        return seen

    def runs_after(self, later: CiAction, earlier: CiAction) -> bool:
        """True when *later* runs after *earlier* in the same run: later in the same job, or in a job
        that needs (transitively) the job of *earlier*."""
        root = later.root_pipeline or later.pipeline
        if root != (earlier.root_pipeline or earlier.pipeline):
            return False
        if later.job == earlier.job:
            return later.index > earlier.index
        return any(job_matches(earlier.job, needed) for needed in self.needed_jobs(root, later.job))


    def running_after(self, candidates: Sequence[CiAction], earlier: CiAction) -> Iterator[CiAction]:
        """The *candidates* that run after *earlier* (runs_after), in order. The actions a step gets from
        one reading share their run and job, so the question is asked once for all of them."""
        if not isinstance(candidates, Actions):
            yield from (action for action in candidates if self.runs_after(action, earlier))
            return
        root = earlier.root_pipeline or earlier.pipeline
        after_needed: dict[str, bool] = {}  # job -> it waits for *earlier*'s job
        for group, part in candidates.runs():
            if not isinstance(group, ActionGroup):
                yield from (action for action in part if self.runs_after(action, earlier))
                continue
            run = group.run
            if (run.root_pipeline or run.pipeline) != root:
                continue
            if run.job == earlier.job:
                yield from (action for action in part if action.index > earlier.index)
                continue
            if run.job not in after_needed:
                needed = self.needed_jobs(root, run.job)
                after_needed[run.job] = any(job_matches(earlier.job, name) for name in needed)
            if after_needed[run.job]:
                yield from part


def job_matches(job: str, name: str) -> bool:
    """`needs: release` waits for job release, for the jobs of the workflow it calls (release/...)
    and for each copy of a matrix job (release (prod))."""
    return job == name or job.startswith((name + "/", name + " ("))
