"""Check every `az` command line of generated CI against the Azure CLI's own argument tables.

* Core commands (`az group create`, `az deployment group create`, `az storage message get`...) are
  parsed by the real Azure CLI, installed in its own virtual environment (it is large and pins its
  own dependencies): `python -m venv .venv-azure-cli && .venv-azure-cli/bin/pip install azure-cli`,
  or set MLOPS_LADDER_AZ_PYTHON to its python. Each command runs in-process with no signed-in
  account: argparse rejects unknown or missing arguments with exit code 2 before anything else
  happens; any other outcome (exit code 1: "please run az login") means the arguments parsed.
* The `ml` extension cannot be installed offline, so `az ml ...` flags are checked against ML_FLAGS,
  transcribed from Azure/azure-cli-extensions src/machinelearningservices/azext_mlv2/manual/_params/
  (the options each command's argument context registers, plus --yes on deletes and --no-wait on
  long-running operations, which the command registrations add).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
AZ_PYTHON = Path(os.environ.get("MLOPS_LADDER_AZ_PYTHON", REPO_ROOT / ".venv-azure-cli" / "bin" / "python"))

GLOBAL_FLAGS = {"--output", "-o", "--query", "--only-show-errors", "--debug", "--verbose", "--help", "-h",
                "--subscription"}
_COMMON = {"--resource-group", "-g", "--workspace-name", "-w"}
_SET = {"--set"}
_FILE = {"--file", "-f"}
_NAME = {"--name", "-n"}
_LRO = {"--no-wait"}
_YES = {"--yes", "-y"}
_REGISTRY = {"--registry-name"}
ML_FLAGS: dict[str, set[str]] = {
    "ml data create": _COMMON | _SET | _NAME | {"--version", "-v", "--description", "-d", "--datastore",
                                                 "--skip-validation", "--path", "-p", "--type", "-t"}
    | _REGISTRY | _LRO | _FILE,
    "ml data show": _COMMON | _NAME | {"--version", "-v", "--label", "-l"} | _REGISTRY,
    "ml data share": _COMMON | _NAME | {"--version", "-v", "--share-with-name", "--share-with-version"}
    | _REGISTRY,
    "ml model create": _COMMON | _SET | _NAME | {"--version", "-v", "--tags", "--stage", "-s", "--path", "-p",
                                                  "--type", "-t", "--description", "--datastore",
                                                  "--default-deployment-template", "-d"} | _REGISTRY | _FILE,
    "ml model show": _COMMON | _NAME | {"--version", "-v", "--label", "-l"} | _REGISTRY,
    "ml model download": _COMMON | _NAME | {"--version", "-v", "--download-path", "-p"} | _REGISTRY,
    "ml model list": _COMMON | {"--name", "-n", "--stage", "-s", "--max-results", "-r", "--include-archived",
                                "--archived-only"} | _REGISTRY,
    "ml model update": _COMMON | _SET | _NAME | {"--version", "-v", "--label", "-l", "--stage", "-s",
                                                  "--description"} | _REGISTRY | _FILE,
    "ml model share": _COMMON | _NAME | {"--version", "-v", "--share-with-name", "--share-with-version"}
    | _REGISTRY,
    "ml environment create": _COMMON | _NAME | _REGISTRY | _FILE | _SET | {
        "--version", "-v", "--tags", "--description", "--datastore", "--image", "-i", "--conda-file", "-c",
        "--build-context", "-b", "--dockerfile-path", "-d", "--os-type", "--path", "-p"},
    "ml job create": _COMMON | _NAME | _SET | _FILE | {"--skip-validation", "--save-as", "-a", "--stream",
                                                        "-s", "--web", "-e"},
    "ml job show": _COMMON | _NAME | {"--web", "-e"},
    "ml job stream": _COMMON | _NAME,
    "ml job download": _COMMON | _NAME | {"--download-path", "-p", "--output-name", "--all"},
    "ml schedule create": _COMMON | _NAME | _SET | _FILE,
    "ml schedule show": _COMMON | _NAME,
    "ml workspace show": {"--resource-group", "-g", "--name", "-n"},
    "ml online-endpoint create": _COMMON | _NAME | _LRO | _FILE | _SET | {"--local", "--auth-mode", "--web",
                                                                       "-e"},
    "ml online-endpoint show": _COMMON | _NAME | {"--local", "--web", "-e"},
    "ml online-endpoint update": _COMMON | _NAME | _LRO | _FILE | {"--local", "--traffic", "-r",
                                                                   "--mirror-traffic", "--web", "-e"},
    "ml online-endpoint invoke": _COMMON | _NAME | _SET | {"--local", "--deployment-name", "-d",
                                                           "--request-file", "-r"},
    "ml online-endpoint get-credentials": _COMMON | _NAME,
    "ml online-deployment create": _COMMON | _NAME | _FILE | _SET | _LRO | {
        "--endpoint-name", "-e", "--local", "--local-enable-gpu", "--all-traffic", "--vscode-debug", "--web",
        "--skip-script-validation", "--package-model"},
    "ml online-deployment update": _COMMON | _NAME | _FILE | _SET | _LRO | {
        "--endpoint-name", "-e", "--local", "--vscode-debug", "--local-enable-gpu", "--web",
        "--skip-script-validation"},
    "ml online-deployment delete": _COMMON | _NAME | _LRO | _YES | {"--endpoint-name", "-e", "--local"},
    "ml online-deployment show": _COMMON | _NAME | {"--endpoint-name", "-e", "--local", "--web"},
    "ml online-deployment list": _COMMON | {"--endpoint-name", "-e", "--local"},
    "ml online-deployment get-logs": _COMMON | _NAME | {"--endpoint-name", "-e", "--local", "--lines", "-l",
                                                        "--container", "-c"},
    "ml batch-endpoint create": _COMMON | _NAME | _LRO | _FILE | _SET,
    "ml batch-endpoint show": _COMMON | _NAME,
    "ml batch-endpoint update": _COMMON | _NAME | _LRO | _FILE | _SET | {"--defaults"},
    "ml batch-endpoint invoke": _COMMON | _NAME | _SET | {
        "--deployment-name", "-d", "--input", "--input-type", "--output-path", "--mini-batch-size", "-m",
        "--instance-count", "-c", "--job-name", "--file", "-f", "--inputs", "--outputs", "--experiment-name"},
    "ml batch-deployment create": _COMMON | _NAME | _LRO | _FILE | _SET | {"--endpoint-name", "-e",
                                                                       "--set-default",
                                                                       "--skip-script-validation"},
    "ml batch-deployment delete": _COMMON | _NAME | _LRO | _YES | {"--endpoint-name", "-e"},
    "ml batch-deployment show": _COMMON | _NAME | {"--endpoint-name", "-e"},
    "ml batch-deployment list": _COMMON | _NAME | {"--endpoint-name", "-e"},
}
# Where a command starts in a shell line: the line start, or after a pipe, a list operator, `$(`,
# a subshell or a keyword (`if`, `then`, `!`...).
_COMMAND_START = re.compile(r"(?:^|[|;&(]|\$\(|\bthen\b|\bdo\b|\bif\b|\belse\b|!)\s*az\s", re.MULTILINE)


@dataclass(frozen=True)
class AzCall:
    file: str
    step: str
    args: tuple[str, ...]  # without the leading "az"

    def __str__(self) -> str:
        return f"{self.file} ({self.step}): az {' '.join(self.args)}"


def _scripts(workflow: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(workflow.read_text(encoding="utf-8")) or {}
    if isinstance(data.get("jobs"), dict):  # GitHub Actions: jobs is a mapping of job ids
        found = []
        for job_name, job in data["jobs"].items():
            for index, step in enumerate(job.get("steps") or []):
                if isinstance(step, dict) and isinstance(step.get("run"), str):
                    found.append((f"{job_name}/{step.get('name', index)}", step["run"]))
        return found
    return list(_azure_pipelines_scripts(data, "steps"))


def _azure_pipelines_scripts(node: object, where: str):
    """Azure Pipelines (pipelines and templates, at any depth of stages, jobs, deployment strategies
    and `${{ if }}` blocks): the inline scripts of AzureCLI@2 tasks and of bash/script steps (which
    run az without a sign-in, e.g. `az bicep build`)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _azure_pipelines_scripts(item, f"{where}[{index}]")
    elif isinstance(node, dict):
        name = node.get("displayName") or where
        task = str(node.get("task", ""))
        inputs = node.get("inputs") if isinstance(node.get("inputs"), dict) else {}
        if task.startswith("AzureCLI@") and isinstance(inputs.get("inlineScript"), str):
            yield str(name), inputs["inlineScript"]
        for key in ("bash", "script"):
            if isinstance(node.get(key), str):
                yield str(name), node[key]
        for key, value in node.items():
            if isinstance(value, list | dict) and key != "inputs":
                yield from _azure_pipelines_scripts(value, f"{where}/{key}")


_TERMINATORS = {";", "|", "||", "&&", "&", ")", ">", ">>", "<", "|&"}


def _words(text: str) -> tuple[str, ...]:
    """The words of the command at the start of *text*, up to the shell operator that ends it."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    words: list[str] = []
    try:
        while (token := lexer.get_token()) is not None and token not in _TERMINATORS:
            words.append(token)
    except ValueError:  # an unclosed quote after the command (`"$(az ...)"`): keep what was read
        pass
    if words and words[-1].isdigit() and token in (">", ">>", "<"):
        words.pop()  # the file descriptor of a redirection: `2>/dev/null`
    return tuple(words)


def az_calls(workflow: Path, root: Path) -> list[AzCall]:
    """Every `az ...` command of the workflow's run steps, split into arguments as the shell would."""
    calls = []
    for step, script in _scripts(workflow):
        text = re.sub(r"\\\n\s*", " ", script)  # continuation lines
        text = re.sub(r"(?m)^\s*#.*$", "", text)
        for match in _COMMAND_START.finditer(text):
            rest = text[match.end() - 1 :].split("\n", 1)[0]
            calls.append(AzCall(workflow.relative_to(root).as_posix(), step, _words(rest)))
    return calls


def script_calls(script: Path, root: Path) -> list[AzCall]:
    """Every `az ...` command of a shell script (a generated scripts/*.sh)."""
    text = re.sub(r"\\\n\s*", " ", script.read_text(encoding="utf-8"))
    text = re.sub(r"(?m)^\s*#.*$", "", text)
    where = script.relative_to(root).as_posix()
    return [AzCall(where, "script", _words(text[m.end() - 1 :].split("\n", 1)[0]))
            for m in _COMMAND_START.finditer(text)]


def ml_problems(call: AzCall) -> list[str]:
    words = list(call.args)
    command = " ".join(w for w in words[:3] if not w.startswith("-"))
    allowed = ML_FLAGS.get(command)
    if allowed is None:
        return [f"{call}: `az {command}` is not in the transcribed ml extension tables"]
    flags = [w.split("=", 1)[0] for w in words[3:] if w.startswith("-") and not re.fullmatch(r"-\d+", w)]
    unknown = [f for f in flags if f not in allowed | GLOBAL_FLAGS]
    return [f"{call}: unknown flag {f} for az {command}" for f in unknown]


def core_problems(calls: list[AzCall]) -> list[str]:
    """Parse each core command with the real Azure CLI; the problems it reports."""
    unique = sorted({c.args for c in calls})
    if not unique:
        return []
    script = (
        "import contextlib, io, json, sys\n"
        "from azure.cli.core import get_default_cli\n"
        "out = []\n"
        "for args in json.load(sys.stdin):\n"
        "    err = io.StringIO()\n"
        "    with contextlib.redirect_stderr(err):\n"
        "        try:\n"
        "            code = get_default_cli().invoke(args, out_file=io.StringIO())\n"
        "        except SystemExit as exc:\n"
        "            code = exc.code\n"
        "    out.append([args, code, err.getvalue()])\n"
        "json.dump(out, sys.stdout)\n"
    )
    home = Path(os.environ.get("TMPDIR", "/tmp")) / "mlops-ladder-az-home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "AZURE_CONFIG_DIR": str(home),
           "AZURE_CORE_COLLECT_TELEMETRY": "0"}
    proc = subprocess.run(
        [str(AZ_PYTHON), "-c", script], input=json.dumps([list(a) for a in unique]), capture_output=True,
        text=True, env=env, timeout=900, cwd=home,
    )
    if proc.returncode != 0:
        return [f"the Azure CLI could not run: {proc.stderr[-500:]}"]
    problems = []
    for args, code, err in json.loads(proc.stdout):
        if code == 2:
            lines = [line for line in err.splitlines() if line.startswith("ERROR") or "argument" in line]
            first = lines[0] if lines else err
            where = next(str(c) for c in calls if list(c.args) == args)
            problems.append(f"{where}: {first.strip()}")
    return problems


def check_workflows(root: Path, workflows: list[Path]) -> tuple[list[str], int]:
    """(problems, number of az commands checked) for the workflows of a generated project."""
    calls = [call for workflow in workflows for call in az_calls(workflow, root)]
    ml = [c for c in calls if c.args[:1] == ("ml",)]
    core = [c for c in calls if c.args[:1] != ("ml",)]
    problems = [p for c in ml for p in ml_problems(c)]
    return problems + core_problems(core), len(calls)
