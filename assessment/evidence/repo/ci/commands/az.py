"""The Azure CLI in CI scripts: `az ml` (jobs, endpoints, deployments, registrations), `az deployment`
and `az stack` (templates applied or validated; `az ts create` makes a template spec of a file that
`az deployment ... --template-spec` deploys), `az bicep`, and Azure sign-ins (`az login`,
PowerShell's Connect-AzAccount)."""

from __future__ import annotations

import posixpath
import re

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Add, FoundLogin, Scan, ShellState
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.commands.words import first_option, parse_options
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

K = ActionKind

_AZ_ML_KINDS: dict[tuple[str, str], ActionKind] = {
    ("job", "create"): K.SUBMIT_JOB,
    ("job", "stream"): K.WAIT_JOB,
    ("job", "show"): K.WAIT_JOB,
    ("schedule", "create"): K.CREATE_SCHEDULE,
    ("schedule", "update"): K.CREATE_SCHEDULE,
    ("online-endpoint", "create"): K.CREATE_ENDPOINT,
    ("batch-endpoint", "create"): K.CREATE_ENDPOINT,
    ("online-endpoint", "invoke"): K.INVOKE_ENDPOINT,
    ("batch-endpoint", "invoke"): K.INVOKE_ENDPOINT,
    ("online-deployment", "create"): K.DEPLOY_MODEL,
    ("online-deployment", "update"): K.DEPLOY_MODEL,
    ("batch-deployment", "create"): K.DEPLOY_MODEL,
    ("batch-deployment", "update"): K.DEPLOY_MODEL,
    ("online-deployment", "delete"): K.DELETE_DEPLOYMENT,
    ("batch-deployment", "delete"): K.DELETE_DEPLOYMENT,
    ("component", "create"): K.REGISTER_COMPONENT,
    ("environment", "create"): K.REGISTER_ENVIRONMENT,
    ("model", "create"): K.REGISTER_MODEL,
    ("model", "share"): K.SHARE_MODEL,
    ("data", "create"): K.REGISTER_DATA,
    ("compute", "create"): K.CREATE_COMPUTE,
    # CLI v1 (the azure-cli-ml extension)
    ("model", "register"): K.REGISTER_MODEL,
    ("model", "deploy"): K.DEPLOY_MODEL,
    ("run", "submit-script"): K.SUBMIT_JOB,
    ("run", "submit-hyperdrive"): K.SUBMIT_JOB,
    ("run", "submit-pipeline"): K.SUBMIT_JOB,
    ("pipeline", "create"): K.PUBLISH_PIPELINE,
    ("dataset", "register"): K.REGISTER_DATA,
    ("computetarget", "create"): K.CREATE_COMPUTE,
    ("environment", "register"): K.REGISTER_ENVIRONMENT,
}
_RUNCONFIG_FOLDERS = ("", ".azureml", "aml_config")  # where CLI v1 looks for NAME.runconfig
_DEPLOYMENT_SCOPES = frozenset({"group", "sub", "mg", "tenant"})


def read_az(
    repo_files: RepoFiles, args: list[str], state: ShellState, scan: Scan, line: int, add: Add
) -> None:
    """`az ml <group> <verb>`, `az login`, `az deployment ...`, `az stack ...`, `az bicep build|lint`."""
    count = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
    groups, options = args[:count], parse_options(args[count:])
    if groups[:1] == ["ml"] and groups[1:3] in (["run", "submit-script"], ["model", "deploy"]):
        _az_ml_v1(repo_files, groups[2], groups[3:], options, state, add)
    elif groups[:1] == ["ml"] and len(groups) >= 3:
        _az_ml(groups[1], groups[2], options, state, add)
    elif groups[:1] == ["login"]:
        login = _az_login(options)
        if login:
            scan.logins.append(FoundLogin(login[0], login[1], line))
    elif groups[:1] == ["deployment"] or groups[:2] == ["group", "deployment"] or groups[:1] == ["stack"]:
        verb = groups[2] if len(groups) > 2 else (groups[1] if len(groups) == 2 else "")
        if groups[:1] == ["deployment"] and len(groups) > 2 and groups[1] not in _DEPLOYMENT_SCOPES:
            return
        _az_deployment(repo_files, verb, options, state, add)
    elif groups[:1] == ["ts"] and groups[1:2] in (["create"], ["update"]):
        template = first_option(options, "--template-file", "-f")
        if template:  # a template spec: `az deployment ... create --template-spec` deploys it later
            state.template_spec = resolve_path(template, state.folder)
    elif groups[:1] == ["bicep"] and len(groups) > 1 and groups[1] in ("build", "lint", "build-params"):
        target = first_option(options, "--file", "-f")
        add(K.VALIDATE_IAC, (resolve_path(target, state.folder),) if target else (), options)


def _az_ml(group: str, verb: str, options: dict[str, list[str]], state: ShellState, add: Add) -> None:
    target = first_option(options, "--file", "-f", "--pipeline-yaml", "-y")
    files = (resolve_path(target, state.folder),) if target else ()
    kind = _AZ_ML_KINDS.get((group, verb))
    if (group, verb) == ("run", "submit-pipeline") and first_option(options, "--pipeline-id", "-i"):
        kind = K.RUN_PUBLISHED_PIPELINE
    if group in ("online-endpoint", "batch-endpoint") and verb == "update":
        if files:
            add(K.CREATE_ENDPOINT, files, options)
        shifts = "--traffic" in options or any(
            "defaults.deployment_name" in value for value in options.get("--set", [])
        )
        if shifts:
            add(K.SHIFT_TRAFFIC, files, options)
    elif kind:
        add(kind, files, options)
    if "--registry-name" in options and kind is not K.SHARE_MODEL:
        add(K.SHARE_MODEL, files, options)


def _az_ml_v1(
    repo_files: RepoFiles,
    verb: str,
    positional: list[str],
    options: dict[str, list[str]],
    state: ShellState,
    add: Add,
) -> None:
    """CLI v1: `az ml run submit-script [script] -c NAME` submits the run configuration NAME.runconfig
    (or the script); `az ml model deploy -m name:version --dc X --ic Y` deploys a registered model
    with the deployment and inference configuration files X and Y."""
    if verb == "submit-script":
        name = first_option(options, "--run-configuration-name", "-c")
        script = positional[0] if positional else None
        folder = resolve_path(first_option(options, "--path", "-t") or ".", state.folder)
        runconfigs = [
            resolve_path(posixpath.join(sub, f"{name}.runconfig"), folder)
            for sub in _RUNCONFIG_FOLDERS
            if name
        ]
        found = next((path for path in runconfigs if repo_files.exists(path)), None)
        target = found or (
            runconfigs[0] if runconfigs else (resolve_path(script, folder) if script else None)
        )
        add(K.SUBMIT_JOB, (target,) if target else (), options)
    else:
        configs = [
            first_option(options, "--deploy-config-file", "--dc"),
            first_option(options, "--inference-config-file", "--ic"),
        ]
        add(K.DEPLOY_MODEL, tuple(resolve_path(c, state.folder) for c in configs if c), options)


def _az_deployment(
    repo_files: RepoFiles, verb: str, options: dict[str, list[str]], state: ShellState, add: Add
) -> None:
    if verb == "create":
        kind = K.VALIDATE_IAC if {"--what-if", "-w"} & set(options) else K.APPLY_IAC
    elif verb in ("what-if", "validate"):
        kind = K.VALIDATE_IAC
    else:
        return
    template = first_option(options, "--template-file", "-f")
    if template:
        files: tuple[str, ...] = (resolve_path(template, state.folder),)
    elif first_option(options, "--template-spec", "-s"):  # the spec made from a file by `az ts create`
        files = (state.template_spec,) if state.template_spec else ()
    else:  # `--parameters main.bicepparam` names its template with `using`
        parameters = options.get("--parameters", []) + options.get("-p", [])
        files = tuple(
            _bicepparam_template(repo_files, value, state)
            for value in parameters
            if value.endswith(".bicepparam")
        )
    add(kind, files, options)


def _bicepparam_template(repo_files: RepoFiles, value: str, state: ShellState) -> str:
    """The template a .bicepparam file is `using` (the deployment's real target), else the file itself."""
    path = resolve_path(value.lstrip("@"), state.folder)
    text = repo_files.read_text(path) if not is_unresolved(path) and repo_files.exists(path) else None
    match = re.search(r"^\s*using\s+'([^']+)'", text or "", re.M)
    if match and not match.group(1).startswith("br"):
        return resolve_path(match.group(1), posixpath.dirname(path))
    return path


def read_connect_azaccount(args: list[str], scan: Scan, line: int) -> None:
    """PowerShell's Connect-AzAccount: how it signs in."""
    flags = {arg.lower() for arg in args if arg.startswith("-")}
    if "-federatedtoken" in flags:
        scan.logins.append(FoundLogin("oidc", "Connect-AzAccount -FederatedToken", line))
    elif flags & {"-credential", "-certificatethumbprint", "-certificatepath", "-clientsecret"}:
        detail = "Connect-AzAccount with a service principal credential"
        scan.logins.append(FoundLogin("secret", detail, line))
    elif "-identity" in flags:
        scan.logins.append(FoundLogin("unknown", "Connect-AzAccount -Identity (managed identity)", line))


def _az_login(options: dict[str, list[str]]) -> tuple[str, str] | None:
    if "--federated-token" in options:
        return "oidc", "az login --federated-token (workload identity federation)"
    for flag in ("-p", "--password", "--client-secret", "--secret"):
        if flag in options:
            return "secret", f"az login with {flag} (a stored secret)"
    if "--certificate" in options:
        return "secret", "az login with --certificate (a stored credential)"
    if "--identity" in options or "-i" in options:
        return "unknown", "az login --identity (managed identity)"
    return None
