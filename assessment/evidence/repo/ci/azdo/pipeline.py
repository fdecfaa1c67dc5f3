"""Which YAML files are Azure DevOps pipelines, and what a pipeline file declares.

A pipeline is any `.yml` / `.yaml` file (outside .github/ and GitLab files) shaped like one:
top-level `trigger`, `pr`, `schedules`, `stages`, `jobs`, `steps` or `extends`, with list
items keyed by Azure DevOps step or job keywords (`script`, `task`, `template`, `job`...).
A cheap text test runs before any YAML is parsed.

Triggers: every pipeline can be run by hand (manual); `trigger` absent means CI on every push
(on), `trigger: none` off; `pr` present
means pull request builds, absent means "cannot tell" (GitHub repositories get PR builds by
default, Azure Repos get them from branch policies): a possible trigger, not a trigger;
`schedules` and pipeline / repository resource triggers count as SCHEDULE and EVENT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.azdo.templates import substitute
from mlops_ladder.assessment.evidence.repo.ci.builder import Builder
from mlops_ladder.assessment.evidence.repo.ci.model import CiJob, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, text_of
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

T = Trigger

_TOP_KEY = re.compile(r"^(?:trigger|pr|schedules|stages|jobs|steps|extends)\s*:", re.M)
_ITEM_KEY = re.compile(
    r"^\s*-\s*(?:script|bash|pwsh|powershell|task|template|checkout|stage|job|deployment)\s*:", re.M
)
_SKIPPED_FOLDERS = (".github/", ".gitlab/")
_TEMPLATE_ONLY_KEYS = frozenset({"parameters", "steps", "jobs", "stages", "variables"})


def find_pipelines(files: RepoFiles, builder: Builder, skip: frozenset[str] = frozenset()) -> dict[str, dict]:
    """The YAML files shaped like pipelines (or templates), loaded; *skip*: files other readers own."""
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
        if data is not None and is_pipeline(data):
            documents[repo_file.path] = data
    return documents


def is_pipeline(data: dict) -> bool:
    if any(isinstance(data.get(key), list) for key in ("stages", "jobs", "steps")):
        return True
    extends = data.get("extends")
    return isinstance(extends, dict) and "template" in extends


def looks_like_template(data: dict) -> bool:
    return "parameters" in data and set(map(str, data)) <= _TEMPLATE_ONLY_KEYS


def _enabled(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() != "none"
    if isinstance(value, list):
        return bool(value)
    return value is not False


def pipeline_triggers(path: str, data: dict) -> tuple[dict[Trigger, Location], frozenset[Trigger]]:
    """(triggers declared, possible triggers) of a pipeline file."""
    found: dict[Trigger, Location] = {T.MANUAL: Location(path, 1)}  # any pipeline can be run by hand
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


def describe_jobs(path: str, data: dict) -> tuple[CiJob, ...]:
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
                    environment=environment_name(environment, {}) if "deployment" in item else None,
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


def environment_name(value: object, params: Mapping[str, object]) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if value is None:
        return None
    name = substitute(str(value), params)
    # `environment: prod.vm-resource` names the environment prod and one of its resources.
    return name.split(".", 1)[0] if "." in name and "$" not in name else name
