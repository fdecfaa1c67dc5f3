"""What known Azure DevOps tasks do: AzureCLI and AzurePowerShell (a sign-in through a service
connection, then a script), ARM template deployments, Terraform tasks, Bash / PowerShell /
CmdLine scripts and PythonScript, manual approvals (ManualValidation), the Azure ML extension's
tasks (AMLModelDeploy deploys a model, MLPublishedPipelineRestAPITask runs a published pipeline),
and any other task that is given a script to run (an `inlineScript` or `script` input)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from mlops_ladder.assessment.evidence.repo.ci.azdo.templates import substitute
from mlops_ladder.assessment.evidence.repo.ci.builder import Builder, JobContext, Step
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import dealias, expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.ci.values import truthy
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

K = ActionKind

_APPROVAL_TASKS = frozenset({"manualvalidation", "manualintervention"})  # a person approves the run
_CONNECTION_INPUTS = (
    "azuresubscription",
    "connectedservicenamearm",
    "azureresourcemanagerconnection",
    "connectedservicename",
    "environmentservicenameazurerm",
    "backendservicearm",
)


def read_task(
    build: Builder,
    repo_files: RepoFiles,
    ctx: JobContext,
    step: Step,
    item: dict,
    params: Mapping[str, object],
    env: dict[str, str],
) -> None:
    """Record what the `task:` step *item* does (*params*: the template parameters in scope)."""
    task = str(item["task"]).strip()
    name = task.split("@")[0].rsplit(".", 1)[-1].lower()  # marketplace tasks: publisher.extension.task.Name
    given = item.get("inputs") if isinstance(item.get("inputs"), dict) else {}
    inputs = task_inputs(item, params, env, ctx.path_aliases)
    lines = {str(k).lower(): given.key_line(k) for k in given}
    connection = next((inputs[key] for key in _CONNECTION_INPUTS if key in inputs), None)
    written = inputs.get("workingdirectory")
    workdir = resolve_path(expand(written, env)) if written else ""
    if name in ("azurecli", "azurepowershell"):
        _azure_script_task(build, repo_files, ctx, step, name, inputs, lines, env, workdir, connection)
        return
    if connection:
        build.login(
            ctx,
            step.line,
            "unknown",
            f"{task} with service connection {connection} (its type is not visible in YAML)",
        )
    if name in ("azureresourcemanagertemplatedeployment", "azureresourcegroupdeployment"):
        if inputs.get("action", "create").lower().startswith("delete"):
            return
        template = inputs.get("csmfile")
        kind = K.VALIDATE_IAC if inputs.get("deploymentmode", "").lower() == "validation" else K.APPLY_IAC
        files = (resolve_path(expand(template, env)),) if template else ()
        build.action(ctx, step, kind, command=task, files=files, options=inputs)
    elif name.startswith(("terraformtask", "terraformcli")):
        verb = inputs.get("command", "").lower()
        kind = {"apply": K.APPLY_IAC, "plan": K.VALIDATE_IAC, "validate": K.VALIDATE_IAC}.get(verb)
        if kind:
            build.action(ctx, step, kind, command=f"{task} {verb}", files=(workdir or ".",), options=inputs)
    elif name in ("bash", "powershell", "cmdline"):
        shell = "pwsh" if name == "powershell" else "bash"
        if inputs.get("targettype", "inline").lower() == "filepath" and inputs.get("filepath"):
            build.script_file(
                ctx, step, resolve_path(expand(inputs["filepath"], env)), env=env, workdir=workdir
            )
        elif "script" in inputs:
            build.script(
                ctx, step, inputs["script"], line=lines["script"], env=env, workdir=workdir, shell=shell
            )
    elif name in _APPROVAL_TASKS:
        build.action(ctx, step, K.APPROVAL, command=task, options=inputs)
    elif name == "amlmodeldeploy":  # the Azure ML extension: deploys a registered model (or a model file)
        configs = tuple(
            resolve_path(inputs[key]) for key in ("deployconfig", "inferencepath") if inputs.get(key)
        )
        model = inputs.get("modelname", "") + (
            f":{inputs['modelversion']}" if inputs.get("modelversion") else ""
        )
        source = inputs.get("modelsourcetype", "manualspec").lower()
        options = (
            {"--model": model} if source == "manualspec" and model else {"--model-metadata-file": source}
        )
        build.action(ctx, step, K.DEPLOY_MODEL, command=task, files=configs, options=options)
    elif name == "mlpublishedpipelinerestapitask":  # the Azure ML extension: runs a published pipeline
        build.action(ctx, step, K.RUN_PUBLISHED_PIPELINE, command=task, options=inputs)
    elif name == "pythonscript" and _runs_script_file(inputs):
        # scriptPath is relative to the repository root, whatever workingDirectory says
        path = resolve_path(expand(inputs["scriptpath"], env))
        command = f"python {shlex.quote(path)} {inputs.get('arguments', '')}"
        build.script(ctx, step, command, line=step.line, env=env, workdir="")
    elif name != "pythonscript" and ("inlinescript" in inputs or "script" in inputs):  # a task given a script
        key = "inlinescript" if "inlinescript" in inputs else "script"
        build.script(ctx, step, inputs[key], line=lines.get(key, step.line), env=env, workdir=workdir)


def task_inputs(
    item: dict, params: Mapping[str, object], env: Mapping[str, str], aliases: tuple[tuple[str, str], ...]
) -> dict[str, str]:
    """A task's inputs by lower-case name, with parameters, artifact folders and variables filled in."""
    given = item.get("inputs") if isinstance(item.get("inputs"), dict) else {}
    return {
        str(k).lower(): expand(dealias(substitute(str(v), params), aliases), env)
        for k, v in given.items()
        if v is not None
    }


def _azure_script_task(
    build: Builder,
    repo_files: RepoFiles,
    ctx: JobContext,
    step: Step,
    name: str,
    inputs: dict[str, str],
    lines: dict[str, int],
    env: dict[str, str],
    workdir: str,
    connection: str | None,
) -> None:
    """AzureCLI@1/2 and AzurePowerShell@4/5: a sign-in through a service connection, then a script."""
    if name == "azurecli":
        inline, path = inputs.get("inlinescript"), inputs.get("scriptpath")
        shell = "pwsh" if inputs.get("scripttype", "bash").lower() in ("ps", "pscore") else "bash"
        inline_key = "inlinescript"
    else:
        inline, path = inputs.get("inline"), inputs.get("scriptpath")
        shell, inline_key = "pwsh", "inline"
    from_file = inputs.get("scriptlocation", "").lower() == "scriptpath"
    if from_file or inputs.get("scripttype", "").lower() == "filepath":
        inline = None
    script_path = resolve_path(expand(path, env)) if path and not inline else None
    body = inline if inline is not None else ""
    if script_path and repo_files.exists(script_path):
        body = repo_files.read_text(script_path) or ""
    build.login(ctx, step.line, *_service_connection_login(name, connection, inputs, body))
    if inline is not None:
        build.script(
            ctx,
            step,
            inline,
            line=lines.get(inline_key, step.line),
            env=env,
            workdir=workdir,
            shell=shell,
        )
    elif script_path and repo_files.exists(script_path):
        build.script_file(ctx, step, script_path, env=env, workdir=workdir)


def _runs_script_file(inputs: Mapping[str, str]) -> bool:
    return inputs.get("scriptsource", "filepath").lower() == "filepath" and bool(inputs.get("scriptpath"))


def _service_connection_login(
    name: str, connection: str | None, inputs: dict[str, str], script: str
) -> tuple[str, str]:
    """How a task signs in: through a service connection, whose type only shows when the script uses it."""
    where = f"{'AzureCLI' if name == 'azurecli' else 'AzurePowerShell'} with service connection {connection}"
    if truthy(inputs.get("addspntoenvironment")):
        if "idToken" in script:
            return "oidc", f"{where}; the script signs in with its federated idToken"
        if "servicePrincipalKey" in script:
            return "secret", f"{where}; the script uses its servicePrincipalKey (a secret)"
    return "unknown", f"{where} (its type is not visible in YAML)"
