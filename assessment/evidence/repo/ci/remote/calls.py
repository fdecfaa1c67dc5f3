"""A call of a workflow or template of another repository, as CI facts.

A known template (catalog.py) does what the data says: each of its actions becomes a CiAction of
the calling job, with the files and options its inputs name (`${name}`: the caller's `with:` or
`parameters:` value; `$(name)`: a variable of the calling job), its sign-in becomes an AzureLogin,
and the call is recorded as a known RemoteCall (with the ref it was read at). An unknown one is
recorded as an unknown RemoteCall: the checks answer UNKNOWN for what it could do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, is_unresolved, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.commands.words import COMMAND_WIDTH
from mlops_ladder.assessment.evidence.repo.ci.remote.catalog import KnownTemplate, TemplateAction

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.ci.builder import Builder, JobContext, Step

_INPUT = re.compile(r"\$\{([\w-]+)\}")


def run_known(
    builder: Builder,
    ctx: JobContext,
    step: Step,
    template: KnownTemplate,
    reference: str,
    ref: str,
    inputs: Mapping[str, str],
    *,
    oidc: bool = False,
) -> None:
    """Record what the known *template*, called at *ref* with *inputs*, does in the job *ctx*."""
    read, note = template.ref_read(ref)
    where = f"{template.name}@{ref or read}" + (f" (as read at {read})" if note else "")
    login = template.login_at(read)
    if login:
        builder.login(ctx, step.line, *_login_method(login, where, oidc))
    for action in template.actions_at(read):
        if not _applies(action, inputs):
            continue
        files = tuple(path for path in (_file(text, inputs, ctx.env) for text in action.files) if path)
        options = {name: fill(value, inputs, ctx.env) for name, value in (action.options or {}).items()}
        command = f"{where}: {fill(action.command, inputs, ctx.env)}"
        builder.action(
            ctx,
            step,
            action.kind,
            command=command if len(command) <= COMMAND_WIDTH else command[: COMMAND_WIDTH - 3] + "...",
            files=files,
            options=options,
            masked=template.continue_on_error,
            target_kind=action.target,
        )
    detail = template.does + (f" ({note})" if note else f" (read at {read})")
    builder.remote_call(ctx, reference, step.line, known=True, detail=detail)


def record_unknown(builder: Builder, ctx: JobContext, reference: str, line: int) -> None:
    builder.remote_call(
        ctx,
        reference,
        line,
        known=False,
        detail="a workflow or template of another repository that mlops-ladder does not know: what it "
        "does cannot be read here",
    )


def fill(text: str, inputs: Mapping[str, str], env: Mapping[str, str]) -> str:
    """*text* with `${name}` replaced by the caller's input (left as an expression when unknown) and
    `$(name)` by the job's variables."""
    filled = _INPUT.sub(lambda m: inputs.get(m.group(1), "${{ inputs." + m.group(1) + " }}"), text)
    return expand(filled, env)


def _file(text: str, inputs: Mapping[str, str], env: Mapping[str, str]) -> str:
    value = fill(text, inputs, env).strip()
    if not value:
        return ""
    return value if is_unresolved(value) else resolve_path(value)  # from the checkout folder


def _applies(action: TemplateAction, inputs: Mapping[str, str]) -> bool:
    """Whether the action runs for these inputs (an input known only at run time: it may)."""

    def passes(name: str, value: str) -> bool | None:
        given = inputs.get(name, "")
        return None if is_unresolved(given) else given.strip().lower() == value.lower()

    if action.when and any(passes(name, value) is False for name, value in action.when.items()):
        return False
    return not (action.unless and all(passes(name, value) is True for name, value in action.unless.items()))


def _login_method(login: str, where: str, oidc: bool) -> tuple[str, str]:
    if login == "creds":
        return "secret", f"{where} signs in with creds (a stored service principal secret)"
    if login == "client-id":
        if oidc:
            return "oidc", f"{where} signs in with client-id and the caller's id-token: write (OIDC)"
        return (
            "unknown",
            f"{where} signs in with client-id, but the calling workflow grants no id-token: write",
        )
    return "unknown", f"{where} signs in through a service connection (its type is not visible in YAML)"


def template_outputs(template: KnownTemplate, inputs: Mapping[str, str], load) -> dict[str, str]:
    """The outputs a known template computes from a YAML file of the caller (literal values only);
    *load* reads a repo YAML file as a mapping (or None)."""
    if not template.outputs:
        return {}
    name = inputs.get(str(template.outputs.get("from_yaml", "")), "")
    if not name or is_unresolved(name):
        return {}
    data = load(resolve_path(name))
    section = data.get(template.outputs.get("under", "")) if isinstance(data, dict) else None
    if not isinstance(section, dict):
        return {}
    return {
        str(key): str(value)
        for key, value in section.items()
        if isinstance(value, str | int | float | bool) and "$" not in str(value)
    }
