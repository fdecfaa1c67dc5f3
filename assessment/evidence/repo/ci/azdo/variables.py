"""Azure DevOps variables: the literal values a pipeline, stage, job or template defines (a mapping, a
list of `name`/`value` items, variable templates), the variable template files read, and the
choices that `${{ if }}` branches make.

A variable set to `dev` in one branch (`${{ if ne(variables['Build.SourceBranchName'], 'main') }}`)
and to `prod` in another, directly or through per-environment variable templates, names one
environment or the other depending on the branch: the walk reads every branch (the last value
wins, as before), and `choices` keeps every value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from mlops_ladder.assessment.evidence.repo.ci.azdo.templates import substitute
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand


class Scope(Protocol):
    file: str
    variables: Mapping[str, str]

    @property
    def values(self) -> Mapping[str, object]: ...


# (template reference, scope, parameters) -> (the template's path, its YAML, the scope inside it)
OpenTemplate = Callable[[object, Scope, object], tuple[str, dict, Scope] | None]
Items = Callable[[object, Scope], Iterator[tuple[dict, int, Scope]]]


@dataclass
class VariableSet:
    values: dict[str, str] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def merge(self, other: VariableSet) -> None:
        self.values.update(other.values)
        for name, values in other.choices.items():
            self.choices[name] = tuple(dict.fromkeys((*self.choices.get(name, ()), *values)))
        self.files = tuple(dict.fromkeys((*self.files, *other.files)))


def read_variables(node: object, scope: Scope, open_template: OpenTemplate, items: Items) -> VariableSet:
    """The variables of a `variables:` block, with the choices its `${{ if }}` branches make."""
    found = VariableSet()
    branches: list[dict[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.strip().startswith("${{"):
                branch = read_variables(value, scope, open_template, items)
                branches.append(branch.values)
                found.merge(branch)
            elif (text := literal_value(value, scope, {**scope.variables, **found.values})) is not None:
                found.values[str(key)] = text
    elif isinstance(node, list):
        for item in node:
            key = next(iter(item)) if isinstance(item, dict) and len(item) == 1 else None
            if isinstance(key, str) and key.strip().startswith("${{ each"):
                for flat, _line, item_scope in items([item], scope):
                    found.merge(_item_variables(flat, item_scope, found, open_template, items))
            elif isinstance(key, str) and key.strip().startswith("${{"):
                branch = read_variables(item[key], scope, open_template, items)
                branches.append(branch.values)
                found.merge(branch)
            elif isinstance(item, dict):
                found.merge(_item_variables(item, scope, found, open_template, items))
    _add_choices(found, branches)
    return found


def _item_variables(
    item: dict, scope: Scope, found: VariableSet, open_template: OpenTemplate, items: Items
) -> VariableSet:
    if "name" in item:
        text = literal_value(item.get("value"), scope, {**scope.variables, **found.values})
        return VariableSet({str(item["name"]): text} if text is not None else {})
    if "template" in item:
        opened = open_template(item["template"], scope, item.get("parameters"))
        if opened is not None:
            path, data, inner = opened
            template = read_variables(data.get("variables"), inner, open_template, items)
            template.files = (path, *template.files)
            return template
    return VariableSet()


def _add_choices(found: VariableSet, branches: list[dict[str, str]]) -> None:
    """A variable that the branches set to different values is a choice between them."""
    if len(branches) < 2:
        return
    for name in {name for branch in branches for name in branch}:
        values = tuple(dict.fromkeys(branch[name] for branch in branches if name in branch))
        if len(values) > 1:
            found.choices[name] = tuple(dict.fromkeys((*found.choices.get(name, ()), *values)))


def literal_value(value: object, scope: Scope, known: Mapping[str, str]) -> str | None:
    """A variable's value when it is, or resolves to, a literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return None
    text = expand(substitute(value, scope.values), known)
    return None if "$" in text else text


def literal_values(mapping: object, scope: Scope, known: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(mapping, dict):
        return {}
    values = {str(k): literal_value(v, scope, known) for k, v in mapping.items()}
    return {k: v for k, v in values.items() if v is not None}
