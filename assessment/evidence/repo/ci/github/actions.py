"""What known GitHub actions do: azure/login (how it signs in), azure/arm-deploy and
azure/bicep-deploy (a template applied or validated), linter actions, dflook's terraform
actions, actions that run an inline script (azure/cli, azure/powershell), and the Azure ML
actions Azure/aml-run, aml-registermodel, aml-deploy... (aml_actions.py)."""

from __future__ import annotations

from collections.abc import Mapping

from mlops_ladder.assessment.evidence.repo.ci.builder import Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.github.aml_actions import read_aml_action
from mlops_ladder.assessment.evidence.repo.ci.github.workflow import Contexts, substitute
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

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


def read_action(
    build: Builder,
    ctx: JobContext,
    step: Step,
    node: dict,
    uses: str,
    contexts: Contexts,
    env: Mapping[str, str],
) -> bool:
    """Record what the `uses:` step *node* does when it is a known action; False when it is not one."""
    name = uses.split("@")[0].lower().rstrip("/")
    given = node.get("with") if isinstance(node.get("with"), dict) else {}
    values = action_inputs(node, contexts)
    lowered = {k.lower(): v for k, v in values.items()}
    if read_aml_action(build, ctx, step, name, uses, lowered):
        pass
    elif name == "azure/login":
        build.login(ctx, step.line, *_login_method(lowered, ctx.oidc_token))
    elif name in ("azure/arm-deploy", "azure/bicep-deploy"):
        _arm_deploy(build, ctx, step, name, uses, lowered, values, env)
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
    else:
        return False
    return True


def action_inputs(node: dict, contexts: Contexts) -> dict[str, str]:
    """The `with:` values of a `uses:` step, `${{ inputs.x }}` and `${{ matrix.x }}` filled in."""
    given = node.get("with") if isinstance(node.get("with"), dict) else {}
    return {str(k): substitute(str(v), contexts) for k, v in given.items() if v is not None}


def _arm_deploy(
    build: Builder,
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
    build.action(ctx, step, kind, command=uses, files=files, options=values)


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
