"""Generic checks on Azure resources: the same functions judge infrastructure code and live Azure.

The first parameter, `resources`, is any evidence with a `.resources: list[Resource]`
attribute: RepoEvidence (resources declared by Bicep, ARM or Terraform) or AzureEvidence
(resources read from subscriptions). Resource bodies are ARM-shaped, so property paths are
the same for both, e.g. `properties.publicNetworkAccess`.

Property paths are dotted keys into the body (`properties.managedNetwork.isolationMode`).
Keys match exactly, else case-insensitively (ARM property names are case-insensitive).
When a path crosses a list, every element is followed
(`properties.privateLinkServiceConnections.properties.groupIds`).

`existing` references (Bicep `existing`, Terraform `data`) are never counted: they use a
resource that is declared somewhere else.

Live Azure evidence may have gaps (calls that were denied or failed): a verdict that would fail
for want of a resource a gap may hide, or that would pass over a resource whose settings could
not be read, is UNKNOWN instead, with the reason.

Values that are expressions the code does not resolve (`Expr`) make a resource
undecidable for a test that needs the value: the outcome is then UNKNOWN, unless another
resource fails. An expression does count as "set".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlops_ladder.assessment.checks.base import CheckResult, failed, passed, refs, unknown
from mlops_ladder.assessment.evidence.common import Expr, Resource

_MISSING: Any = object()
_TESTS = ("equals", "one_of", "contains", "is_set")


# -- reading resources ----------------------------------------------------------------------------
def all_resources(evidence: Any) -> list[Resource]:
    """The resources of an evidence object (or of a plain list of resources)."""
    found = getattr(evidence, "resources", evidence)
    return list(found) if isinstance(found, Iterable) else []


def declared_resources(evidence: Any) -> list[Resource]:
    return [r for r in all_resources(evidence) if not r.existing]


def of_types(resources: Iterable[Resource], types: str | Sequence[str]) -> list[Resource]:
    wanted = _type_set(types)
    return [r for r in resources if r.type_lower in wanted]


def _type_set(types: str | Sequence[str]) -> set[str]:
    return {types.lower()} if isinstance(types, str) else {t.lower() for t in types}


def values_at(body: Any, path: str) -> list[Any]:
    """Every value at dotted *path* in *body*, following each element of the lists on the way.

    An `Expr` met on the way stands for everything below it (it is returned as is).
    An empty result means the property is absent.
    """
    nodes = [body]
    for key in path.split("."):
        following = []
        for node in nodes:
            for item in node if isinstance(node, list) else [node]:
                if isinstance(item, Expr):
                    following.append(item)
                elif isinstance(item, dict):
                    value = _get_key(item, key)
                    if value is not _MISSING:
                        following.append(value)
        nodes = following
    return nodes


def _get_key(mapping: dict, key: str) -> Any:
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    return next((v for k, v in mapping.items() if str(k).lower() == lowered), _MISSING)


def is_set(value: Any) -> bool:
    """Set: not None and not empty. An expression counts as set."""
    return value is not None and value != "" and value != [] and value != {}


def values_equal(actual: Any, expected: Any) -> bool:
    """Equality as the criteria mean it: strings case-insensitively, "true" equals True, "0" equals 0."""
    if isinstance(actual, Expr):
        return False
    if isinstance(expected, bool) or isinstance(actual, bool):
        return _as_bool(actual) is not None and _as_bool(actual) == _as_bool(expected)
    if isinstance(expected, (int, float)) or isinstance(actual, (int, float)):
        left, right = _as_number(actual), _as_number(expected)
        return left is not None and left == right
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    return actual == expected


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def matches_where(resource: Resource, where: dict | None) -> bool | None:
    """True when every `where` path has a matching value, False when one has none, None when
    an expression hides the answer. A value "*" means "is set"; when the value found is a list,
    any element may match."""
    outcome: bool | None = True
    for path, expected in (where or {}).items():
        found = leaves(values_at(resource.body, path))
        if expected == "*":
            verdict: bool | None = any(is_set(v) for v in found)
        elif any(values_equal(v, expected) for v in found):
            verdict = True
        else:
            verdict = None if any(isinstance(v, Expr) for v in found) else False
        if verdict is False:
            return False
        if verdict is None:
            outcome = None
    return outcome


def leaves(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


# -- describing what was looked at ---------------------------------------------------------------
def _is_repo(evidence: Any) -> bool:
    return hasattr(evidence, "iac")


def describe_scope(evidence: Any) -> str:
    """What the resources came from: "IaC declares 14 resources in 3 files" / "14 Azure resources"."""
    declared = declared_resources(evidence)
    if _is_repo(evidence):
        files = len({r.location.path for r in declared})
        return f"IaC declares {_count(len(declared), 'resource')} in {_count(files, 'file')}"
    subscriptions = getattr(evidence, "subscriptions", None) or []
    where = f" in {_count(len(subscriptions), 'subscription')}" if subscriptions else ""
    return f"{_count(len(declared), 'Azure resource')} read{where}"


def blind_spots(evidence: Any, types: str | Sequence[str]) -> list:
    """The gaps of live Azure evidence that may hide resources of *types* (none for code)."""
    gaps_for = getattr(evidence, "gaps_for", None)
    if gaps_for is None:
        return []
    found: dict = {}
    for resource_type in [types] if isinstance(types, str) else types:
        for gap in gaps_for(resource_type):
            found[gap] = None
    return list(found)


def gap_at(evidence: Any, resource: Resource) -> Any:
    """The gap that left *resource* itself half-read (live Azure only), or None."""
    finder = getattr(evidence, "gap_at", None)
    return finder(resource) if finder else None


def blind_text(gaps: list) -> str:
    """"/subscriptions/s/resourceGroups/rg could not be read (403 AuthorizationFailed: ...)"."""
    more = f" (and {_count(len(gaps) - 1, 'other scope')})" if len(gaps) > 1 else ""
    return f"{gaps[0].scope} could not be read ({gaps[0].reason}){more}"


def blind_refs(gaps: list) -> tuple:
    return refs((g.scope, f"not read: {g.reason}") for g in gaps)


def nothing_to_judge(evidence: Any) -> CheckResult:
    if _is_repo(evidence):
        languages = ("bicep", "arm", "terraform")
        iac_files = [f for f in getattr(evidence.iac, "files", ()) if f.language in languages]
        if iac_files:
            found = _count(len(iac_files), "infrastructure code file")
            return unknown(f"{found} found, but no resource could be read from them (see the notes)")
        return unknown("no infrastructure code (Bicep, ARM or Terraform) found")
    return unknown("no Azure resources were read")


def external_modules(evidence: Any, types: str | Sequence[str]) -> list:
    """Registry modules (Azure Verified Modules) of the repo that deploy one of *types*."""
    iac = getattr(evidence, "iac", None)
    wanted = _type_set(types)
    return [m for m in getattr(iac, "external_modules", ()) if m.resource_type in wanted]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def label(resource: Resource) -> str:
    """"workspaces 'mlw'" (the type after the provider namespace, and the name)."""
    short = resource.type.split("/", 1)[1] if "/" in resource.type else resource.type
    return f"{short} '{resource.name}'" if resource.name else short


def show(value: Any) -> str:
    if isinstance(value, Expr):
        return f"the expression `{value.text}`"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _where_text(where: dict | None) -> str:
    """"properties.workspaceId set and kind = Hub"."""
    parts = [f"{path} set" if value == "*" else f"{path} = {value}" for path, value in (where or {}).items()]
    return " and ".join(parts)


def _describe_where(where: dict | None) -> str:
    return f" with {_where_text(where)}" if where else ""


def _types_text(types: str | Sequence[str]) -> str:
    return types if isinstance(types, str) else " or ".join(types)


# -- resource_exists ------------------------------------------------------------------------------
def resource_exists(resources: Any, type: str | list[str], where: dict | None = None) -> CheckResult:
    """Is at least one resource of *type* (one of the types, if a list) declared, with every
    `where` path matching?

    `where` maps dotted body paths to a value (strings compare case-insensitively) or "*"
    ("is set"). PASS: a matching resource (the repo also passes on an Azure Verified Module of
    that type when there is no `where`). FAIL: resources exist but none matches. UNKNOWN: no
    resources at all (no IaC / nothing read from Azure), or the only candidates hide the
    `where` values behind expressions or inside a registry module.
    """
    everything = all_resources(resources)
    declared = [r for r in everything if not r.existing]
    candidates = of_types(declared, type)
    matching, undecided = [], []
    for resource in candidates:
        verdict = matches_where(resource, where)
        if verdict:
            matching.append(resource)
        elif verdict is None:
            undecided.append(resource)
    wanted = f"{_types_text(type)}{_describe_where(where)}"
    if matching:
        first = matching[0]
        more = f" (and {len(matching) - 1} more)" if len(matching) > 1 else ""
        return passed(
            f"{label(first)} ({first.type}) declared at {first.location}{more}",
            refs((r.location, f"{r.type} '{r.name}'{_where_values(r, where)}") for r in matching),
        )
    modules = external_modules(resources, type)
    if modules and not where:
        module = modules[0]
        return passed(
            f"{_types_text(type)} declared through the registry module {module.source} at {module.location}",
            refs((m.location, m.source) for m in modules),
        )
    if not everything:
        return nothing_to_judge(resources)
    if undecided or modules:
        where_text = ", ".join(where or {})
        parts = [f"{len(undecided)} set {where_text} with an expression"] if undecided else []
        if modules:
            parts.append(f"{_count(len(modules), 'registry module')} whose settings are not read")
        return unknown(
            f"cannot tell whether a {wanted} is declared: {' and '.join(parts)}",
            refs([(r.location, f"{r.type} '{r.name}'{_where_values(r, where)}") for r in undecided]
                 + [(m.location, m.source) for m in modules]),
        )
    blind = blind_spots(resources, type)
    if candidates:
        declared_text = _count(len(candidates), _types_text(type) + " resource")
        found = f"{declared_text} declared, none{_describe_where(where)}"
        evidence = refs((r.location, f"{r.type} '{r.name}'{_where_values(r, where)}") for r in candidates)
        if blind:
            return unknown(f"{found}; {blind_text(blind)}", evidence + blind_refs(blind))
        return failed(found, evidence)
    found = f"{describe_scope(resources)}, none of type {_types_text(type)}"
    if blind:
        return unknown(f"{found}; {blind_text(blind)}", blind_refs(blind))
    return failed(found)


def _where_values(resource: Resource, where: dict | None) -> str:
    if not where:
        return ""
    shown = []
    for path in where:
        values = values_at(resource.body, path)
        value_text = ", ".join(show(v) for v in values) if values else "not set"
        shown.append(f"{path} = {value_text}")
    return ": " + ", ".join(shown)


# -- resources_satisfy ----------------------------------------------------------------------------
def resources_satisfy(resources: Any, conditions: list[dict]) -> CheckResult:
    """Does every declared resource of the listed types satisfy its condition?

    Each condition is `{type, property, where?, default?}` plus one test:
      equals: V        the value equals V (strings case-insensitively)
      one_of: [A, B]   the value equals one of them
      contains: V      a string value contains V (case-insensitively), or a list value has V
      is_set: bool     the value is set (not null / empty) -- or, with false, is not set
    The resources checked are the declared (not `existing`) resources of `type` (a type or a
    list of types) whose `where` paths match (as in resource_exists). A property that is not
    written counts as `default` when the condition gives one (the platform's default, e.g.
    adminUserEnabled false), otherwise it violates every test except `is_set: false`.
    When the path crosses lists, every value found must pass.

    FAIL: some resource violates a condition (evidence: where, and the value found).
    UNKNOWN: none violates but some value is an expression (or the resource comes from a
    registry module whose settings are not read), or no resource of any listed type exists
    (the message names the types looked for). PASS: at least one resource was checked and
    every checked resource satisfies every condition that applies to it.
    """
    declared = declared_resources(resources)
    violations: list[tuple[Resource, str]] = []
    undecided: list[tuple[Any, str]] = []
    satisfied: list[tuple[Resource, str]] = []
    looked_for: list[str] = []
    for condition in conditions:
        _validate(condition)
        types = condition["type"]
        looked_for.extend([types] if isinstance(types, str) else types)
        for resource in of_types(declared, types):
            gap = gap_at(resources, resource)
            if gap is not None:
                undecided.append((resource, f"its settings could not be read ({gap.reason})"))
                continue
            scope = matches_where(resource, condition.get("where"))
            if scope is False:
                continue
            if scope is None:
                undecided.append((resource, f"cannot tell whether {_where_text(condition['where'])}"))
                continue
            verdict, detail = _judge(resource, condition)
            target = satisfied if verdict else violations if verdict is False else undecided
            target.append((resource, detail))
        for module in external_modules(resources, types):
            detail = f"{_describe_test(condition)}: settings of {module.source} are not read"
            undecided.append((module, detail))
    if violations:
        resource, detail = violations[0]
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        return failed(
            f"{label(resource)} at {resource.location}: {detail}{more}",
            refs((r.location, f"{r.type} '{r.name}': {d}") for r, d in violations),
        )
    if undecided:
        item, detail = undecided[0]
        checked = len({id(r) for r, _ in satisfied})
        ok = f"; {_count(checked, 'resource')} satisfy the rest" if satisfied else ""
        return unknown(
            f"{_undecided_label(item)} at {item.location}: {detail}{ok}",
            refs((i.location, f"{_undecided_label(i)}: {d}") for i, d in undecided),
        )
    blind = blind_spots(resources, looked_for)
    if satisfied:
        checked = {id(r): r for r, _ in satisfied}
        tests = "; ".join(dict.fromkeys(d for _, d in satisfied))
        if blind:
            return unknown(
                f"{_count(len(checked), 'resource')} checked satisfy: {tests}; but {blind_text(blind)}",
                blind_refs(blind),
            )
        return passed(
            f"{_count(len(checked), 'resource')} checked, all satisfy: {tests}",
            refs((r.location, f"{r.type} '{r.name}': {d}") for r, d in satisfied),
        )
    if not all_resources(resources):
        return nothing_to_judge(resources)
    types_text = ", ".join(dict.fromkeys(looked_for))
    if blind:
        return unknown(f"no {types_text} to check; {blind_text(blind)}", blind_refs(blind))
    return unknown(f"no {types_text} to check ({describe_scope(resources)})")


def _undecided_label(item: Any) -> str:
    return label(item) if isinstance(item, Resource) else "registry module"


def _validate(condition: dict) -> None:
    if not isinstance(condition, dict) or "type" not in condition or "property" not in condition:
        raise ValueError(f"resources_satisfy condition needs type and property: {condition!r}")
    tests = [t for t in _TESTS if t in condition]
    if len(tests) != 1:
        wanted = ", ".join(_TESTS)
        raise ValueError(f"resources_satisfy condition needs exactly one of {wanted}: {condition!r}")


def _expectation(condition: dict) -> str:
    """What the test wants, to follow "expected": "'Disabled'", "to be set"..."""
    if "equals" in condition:
        return show(condition["equals"])
    if "one_of" in condition:
        return "one of " + ", ".join(show(v) for v in condition["one_of"])
    if "contains" in condition:
        return f"to contain {show(condition['contains'])}"
    return "to be set" if condition["is_set"] else "not to be set"


def _describe_test(condition: dict) -> str:
    return f"{condition['property']} expected {_expectation(condition)}"


def _judge(resource: Resource, condition: dict) -> tuple[bool | None, str]:
    """(True, False, or None when undecidable; what was found)."""
    prop = condition["property"]
    expected = _expectation(condition)
    values = values_at(resource.body, prop)
    note = ""
    if not values:
        if "default" in condition:
            values, note = [condition["default"]], f" (not set; defaults to {show(condition['default'])})"
        else:
            ok = "is_set" in condition and not condition["is_set"]
            return ok, f"{prop} is not set" + ("" if ok else f" (expected {expected})")
    verdicts = [_test(value, condition) for value in values]
    found = ", ".join(show(v) for v in values)
    if all(v is True for v in verdicts):
        return True, f"{prop} is {found}{note}"
    if any(v is False for v in verdicts):
        return False, f"{prop} is {found}{note} (expected {expected})"
    return None, f"{prop} is {found} (expected {expected})"


def _test(value: Any, condition: dict) -> bool | None:
    if "is_set" in condition:
        return is_set(value) == bool(condition["is_set"])
    if isinstance(value, Expr):
        return None
    if "equals" in condition:
        return values_equal(value, condition["equals"])
    if "one_of" in condition:
        return any(values_equal(value, option) for option in condition["one_of"])
    wanted = condition["contains"]
    if isinstance(value, str):
        return str(wanted).casefold() in value.casefold()
    if isinstance(value, list):
        if any(values_equal(item, wanted) for item in value):
            return True
        return None if any(isinstance(item, Expr) for item in value) else False
    return False


CHECKS = (resource_exists, resources_satisfy)
