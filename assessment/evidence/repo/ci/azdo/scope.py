"""What the walk of an Azure DevOps pipeline carries from a pipeline into its stages, jobs and
templates (Scope), and what the root pipeline declares for all of them: the repositories it can
take templates from (`resources.repositories`) and the runtime parameters offered as a choice
(`parameters:` with `values:`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mlops_ladder.assessment.evidence.repo.ci.azdo.variables import VariableSet
from mlops_ladder.assessment.evidence.repo.ci.conditions import narrow
from mlops_ladder.assessment.evidence.repo.ci.model import Trigger
from mlops_ladder.assessment.evidence.repo.ci.remote.catalog import RemoteRef
from mlops_ladder.assessment.evidence.repo.ci.values import as_list

_NAMED = re.compile(r"\$\(([A-Za-z_][\w.]*)\)|\$\{\{\s*(?:variables\.)?([A-Za-z_][\w.]*)\s*\}\}")


@dataclass(frozen=True)
class Scope:
    root: str
    file: str
    triggers: frozenset[Trigger]
    possible: frozenset[Trigger]
    params: Mapping[str, object]
    variables: Mapping[str, str]
    condition: str | None = None
    stack: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # variable -> values by branch
    config_files: tuple[str, ...] = ()  # variable templates read
    repositories: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # alias -> (name, ref)

    @property
    def values(self) -> Mapping[str, object]:
        """What `${{ }}` expressions read: the parameters, and `variables.x` (compile-time variables)."""
        return {"variables": self.variables, **self.params}

    def with_condition(self, condition: str | None) -> Scope:
        if not condition:
            return self
        return replace(
            self,
            condition=condition,
            triggers=narrow(self.triggers, condition),
            possible=narrow(self.possible, condition),
        )

    def with_variables(self, found: VariableSet) -> Scope:
        choices = dict(self.choices)
        choices.update(found.choices)
        return replace(
            self,
            variables={**self.variables, **found.values},
            choices=choices,
            config_files=tuple(dict.fromkeys((*self.config_files, *found.files))),
        )

    def choices_for(self, written: str) -> tuple[str, ...]:
        """The values a name written as `$(x)`, `${{ variables.x }}` or `${{ parameters.x }}` may take,
        chosen by branch or at queue time; () when it takes one."""
        for match in _NAMED.finditer(written):
            name = match.group(1) or match.group(2)
            if name in self.choices:
                return self.choices[name]
        return ()

    def remote(self, reference: str) -> RemoteRef | None:
        """The template of another repository that `path@alias` names (None for this repository)."""
        path, at, alias = reference.strip().partition("@")
        if not at or alias == "self":
            return None
        name, ref = self.repositories.get(alias, (f"{alias} (an undeclared repository)", ""))
        return RemoteRef(name, path.lstrip("/"), ref, reference.strip())


def repositories_of(data: dict) -> dict[str, tuple[str, str]]:
    """`resources.repositories` of a pipeline: alias -> (owner/name, ref)."""
    resources = data.get("resources")
    found: dict[str, tuple[str, str]] = {}
    for item in as_list(resources.get("repositories") if isinstance(resources, dict) else None):
        if isinstance(item, dict) and item.get("repository") and item.get("name"):
            found[str(item["repository"])] = (str(item["name"]), str(item.get("ref") or ""))
    return found


def parameter_choices(data: dict) -> dict[str, tuple[str, ...]]:
    """Runtime parameters offered as a choice (`values: [dev, prod]`): `parameters.x` -> the values."""
    found: dict[str, tuple[str, ...]] = {}
    for item in as_list(data.get("parameters")):
        if isinstance(item, dict) and item.get("name") and isinstance(item.get("values"), list):
            values = tuple(str(v) for v in item["values"] if isinstance(v, str | int | float))
            if len(values) > 1:
                found[f"parameters.{item['name']}"] = values
    return found


def script_env(variables: Mapping[str, str]) -> dict[str, str]:
    """Variables as a script sees them: by name, and as environment variables (a.b -> A_B)."""
    env = dict(variables)
    env.update({name.upper().replace(".", "_"): value for name, value in variables.items()})
    return env


@dataclass
class Stages:
    """Jobs of the stages seen so far, for `dependsOn` (the previous stage by default)."""

    jobs: dict[str, list[str]]
    previous: str | None = None
