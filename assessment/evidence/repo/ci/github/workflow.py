"""What a GitHub Actions workflow file declares: its triggers (`on:` as a string, list or map), its
jobs as written, the local workflows it calls, and the `${{ inputs.x }}` / `${{ matrix.x }}`
values known as literals."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci.conditions import GITHUB_EVENTS
from mlops_ladder.assessment.evidence.repo.ci.model import CiJob, CiPipeline, Trigger
from mlops_ladder.assessment.evidence.repo.ci.values import as_list, literal, text_of
from mlops_ladder.assessment.evidence.yamlfile import line_of, yaml_key

WORKFLOWS = ".github/workflows"

_EXPRESSION = re.compile(r"\$\{\{\s*(inputs|matrix|github|needs)\.([\w.-]+?)\s*\}\}")
_MATRIX_EXPRESSION = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")

# "inputs" / "matrix" / "github" (action_path) / "needs" ("job.outputs.name") -> values known as literals
Contexts = Mapping[str, Mapping[str, str]]


@dataclass
class Workflow:
    path: str
    data: dict
    triggers: dict[Trigger, Location]

    @property
    def is_template(self) -> bool:
        return set(self.triggers) == {Trigger.CALLED}


def triggers_of(path: str, data: dict) -> dict[Trigger, Location]:
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


def jobs_of(data: dict) -> dict:
    jobs = data.get("jobs")
    return jobs if isinstance(jobs, dict) else {}


def describe(workflow: Workflow) -> CiPipeline:
    jobs = jobs_of(workflow.data)
    described = tuple(
        CiJob(
            id=str(job_id),
            name=str(job.get("name") or job_id),
            location=Location(workflow.path, jobs.key_line(job_id)),
            environment=environment_name(job.get("environment")),
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


def local_calls(workflow: Workflow) -> set[str]:
    return {
        target
        for job in jobs_of(workflow.data).values()
        if isinstance(job, dict) and (target := local_target(job.get("uses")))
    }


def local_target(uses: object) -> str | None:
    """The repository path a local reusable workflow call names: `./path` or GitHub's self-repository
    form `$/path`."""
    if isinstance(uses, str) and uses.startswith(("./", "$/")):
        return posixpath.normpath(uses[2:].split("@")[0])
    return None


def environment_name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else str(value)


def matrix_copies(job: dict, environment: str | None) -> list[tuple[str, dict[str, str]]]:
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


def grants_id_token(permissions: object) -> bool:
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"


def substitute(text: str, contexts: Contexts) -> str:
    return _EXPRESSION.sub(lambda m: contexts.get(m.group(1), {}).get(m.group(2), m.group(0)), text)


def substituted(mapping: object, contexts: Contexts) -> dict:
    if not isinstance(mapping, dict):
        return {}
    return {key: substitute(v, contexts) if isinstance(v, str) else v for key, v in mapping.items()}


def input_defaults(data: dict) -> dict[str, str]:
    on = yaml_key(data, "on")
    call = on.get("workflow_call") if isinstance(on, dict) else None
    inputs = call.get("inputs") if isinstance(call, dict) else None
    defaults: dict[str, str] = {}
    for name, spec in (inputs or {}).items() if isinstance(inputs, dict) else ():
        value = literal(spec.get("default")) if isinstance(spec, dict) else None
        if value is not None:
            defaults[str(name)] = value
    return defaults


def input_choices(data: dict) -> dict[str, tuple[str, ...]]:
    """Inputs offered as a choice when the workflow is started by hand (`type: choice` with `options:`)."""
    on = yaml_key(data, "on")
    dispatch = on.get("workflow_dispatch") if isinstance(on, dict) else None
    inputs = dispatch.get("inputs") if isinstance(dispatch, dict) else None
    choices: dict[str, tuple[str, ...]] = {}
    for name, spec in inputs.items() if isinstance(inputs, dict) else ():
        options = spec.get("options") if isinstance(spec, dict) else None
        values = tuple(str(v) for v in as_list(options) if literal(v) is not None)
        if len(values) > 1:
            choices[str(name)] = values
    return choices


def chosen(text: str | None, choices: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The values `${{ inputs.x }}` in *text* may take when x is a choice input; () otherwise."""
    for match in _EXPRESSION.finditer(text or ""):
        if match.group(1) == "inputs" and match.group(2) in choices:
            return choices[match.group(2)]
    return ()
