"""Other ML platforms, their clouds and package managers in CI scripts.

* Dependencies installed from files: `pip install -r X` / `pip install .`, `uv sync`, `uv pip
  install|sync`, `poetry install`, `pipenv install|sync`, `pdm install|sync`, `conda|mamba env
  create|update -f X`, `micromamba create|install -f X` (INSTALL_DEPENDENCIES, files: what they read).
* DVC: `dvc repro` / `dvc exp run` run the stages of dvc.yaml files (RUN_DVC_PIPELINE);
  `dvc pull` / `dvc fetch` only download data (PULL_DATA).
* Databricks: `databricks bundle deploy|run` (DEPLOY_BUNDLE, RUN_BUNDLE_JOB, files: the bundle's
  databricks.yml, options: --target and the job key), `databricks jobs run-now|submit`.
* AWS: `aws cloudformation deploy|create-stack|update-stack|create-stack-set|update-stack-set`
  (APPLY_IAC), `validate-template` (VALIDATE_IAC), `cdk deploy|diff|synth` (also through npx),
  `sam deploy|validate`, `aws sagemaker start-pipeline-execution|create-training-job`.
* Google Cloud: `gcloud deployment-manager deployments create|update` (APPLY_IAC), `gcloud ai
  custom-jobs create`, `gcloud ai endpoints deploy-model` (DEPLOY_MODEL).
* Console scripts a project declares (setup.py `entry_points`, pyproject `[project.scripts]`):
  `run-pipeline --module-name pkg.pipeline` runs the script's module (RUN_PYTHON, with the
  modules its arguments name).

`read_tool` answers False for any other command, so the dispatcher tries the next family.
"""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Add, ShellState, answer_of, ask_folder
from mlops_ladder.assessment.evidence.repo.ci.commands.python import PYTHON, module_path
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import is_unresolved, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.commands.words import first_option, parse_options
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import RepoFiles

K = ActionKind

_BUNDLE_FILES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
_BUNDLE_VALUE_OPTIONS = frozenset({"-t", "--target", "-p", "--profile", "--var", "-o", "--output", "--key"})
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--python",
        "--group",
        "--extra",
    }
)
_AWS_VALUE_OPTIONS = frozenset({"--region", "--profile", "--output", "--query", "--endpoint-url"})
_GCLOUD_VALUE_OPTIONS = frozenset({"--project", "--region", "--config", "--format"})
_PROJECT_INSTALLERS = {  # tool -> (subcommands that install the project's dependencies, files they read)
    "uv": (("sync",), ("pyproject.toml", "uv.lock")),
    "poetry": (("install", "sync"), ("pyproject.toml", "poetry.lock")),
    "pipenv": (("install", "sync"), ("Pipfile", "Pipfile.lock")),
    "pdm": (("install", "sync"), ("pyproject.toml", "pdm.lock")),
}
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_DVC_VALUE_OPTIONS = frozenset({"-n", "--name", "-S", "--set-param", "-j", "--jobs", "-r", "--remote"})
_CONDAS = frozenset({"conda", "mamba", "micromamba"})
_CFN_APPLY = frozenset({"deploy", "create-stack", "update-stack", "create-stack-set", "update-stack-set"})
# `run-pipeline=pkg.run:main` in setup.py entry_points, `run-pipeline = "pkg.run:main"` in pyproject.toml
_CONSOLE_SCRIPT = r"""(?m)(?:^|["'\s]){name}["']?\s*=\s*["']?([\w.]+)\s*:\s*\w+"""


def read_tool(files: RepoFiles, name: str, args: list[str], state: ShellState, add: Add) -> bool:
    """Record what the command *name* *args* does, when it is one of these tools; False otherwise."""
    if PYTHON.match(name) and args[:1] == ["-m"] and len(args) > 1 and args[1] in ("pip", "uv", "conda"):
        name, args = args[1], args[2:]
    if name == "npx" and args[:1] and args[0] in ("cdk", "aws-cdk"):
        name, args = "cdk", args[1:]
    reader = _READERS.get(name)
    if reader is not None:
        reader(files, args, state, add)
        return True
    if name in _PROJECT_INSTALLERS:
        return _project_installer(files, name, args, state, add)
    if name in _CONDAS:
        _conda(files, args, state, add)
        return True
    if "-" in name or "_" in name:
        return _console_script(files, name, args, state, add)
    return False


def _positional(args: list[str], value_options: frozenset[str]) -> list[str]:
    found, index = [], 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            break
        if arg in value_options:
            index += 2
            continue
        if not arg.startswith("-"):
            found.append(arg)
        index += 1
    return found


def _existing(files: RepoFiles, folder: str, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in (resolve_path(n, folder) for n in names) if files.exists(p))


# -- dependencies --------------------------------------------------------------------------------


def _pip(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    if args[:1] == ["install"]:
        args = args[1:]
    elif args[:2] in (["pip", "install"], ["pip", "sync"]):  # `uv pip install`, `uv pip sync`
        if args[1] == "sync":
            targets = [resolve_path(a, state.folder) for a in _positional(args[2:], _PIP_VALUE_OPTIONS)]
            add(K.INSTALL_DEPENDENCIES, tuple(targets), parse_options(args[2:]))
            return
        args = args[2:]
    else:
        return
    options = parse_options(args)
    targets = [resolve_path(v, state.folder) for o in ("-r", "--requirement") for v in options.get(o, [])[:1]]
    targets += [
        resolve_path(a.partition("=")[2], state.folder)
        for a in args
        if a.startswith(("--requirement=", "-r="))
    ]
    projects = [*options.get("-e", [])[:1], *options.get("--editable", [])[:1]]
    for project in projects + _positional(args, _PIP_VALUE_OPTIONS):
        folder = project.split("[", 1)[0]  # `.[dev]`
        if folder.startswith((".", "/")) or "/" in folder:
            targets += _existing(files, resolve_path(folder, state.folder), _PROJECT_FILES)
    if targets:
        add(K.INSTALL_DEPENDENCIES, tuple(dict.fromkeys(targets)), options)


def _uv(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    if args[:1] == ["pip"]:
        _pip(files, args, state, add)
    else:
        _project_installer(files, "uv", args, state, add)


def _project_installer(files: RepoFiles, name: str, args: list[str], state: ShellState, add: Add) -> bool:
    subcommands, names = _PROJECT_INSTALLERS[name]
    positional = _positional(args, frozenset({"--directory", "--project", "-C", "--group", "--extra"}))
    if not positional or positional[0] not in subcommands:
        return False
    options = parse_options(args)
    folder = first_option(options, "--directory", "--project", "-C")
    where = resolve_path(folder, state.folder) if folder else state.cwd
    add(K.INSTALL_DEPENDENCIES, _existing(files, where, names) or (resolve_path(names[0], where),), options)
    return True


def _conda(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    """`conda env create|update -f X`, `conda create|install --file X`, `micromamba create -f X`."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] == ["env"]:
        words = words[1:]
    if not words or words[0] not in ("create", "update", "install"):
        return
    options = parse_options(args)
    targets = [resolve_path(v, state.folder) for o in ("-f", "--file") for v in options.get(o, [])[:1]]
    if not targets and args[:1] == ["env"] and files.exists(resolve_path("environment.yml", state.folder)):
        targets = [resolve_path("environment.yml", state.folder)]  # conda env create reads it by default
    if targets:
        add(K.INSTALL_DEPENDENCIES, tuple(targets), options)


# -- DVC and Databricks ---------------------------------------------------------------------------


def _dvc(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    positional = _positional(args, _DVC_VALUE_OPTIONS)
    command = positional[:2] if positional[:1] == ["exp"] else positional[:1]
    if command in (["pull"], ["fetch"], ["checkout"], ["get"], ["import"]):
        add(K.PULL_DATA, options=parse_options(args))
        return
    if command not in (["repro"], ["exp", "run"]):
        return
    targets = positional[len(command) :]
    options = parse_options(args)
    if {"-P", "--all-pipelines"} & set(args):
        found = tuple(f.path for f in files.named("dvc.yaml"))
    elif targets:
        found = tuple(dict.fromkeys(_dvc_file(files, t, state.cwd) for t in targets))
    else:
        found = (resolve_path("dvc.yaml", state.folder),)
    add(K.RUN_DVC_PIPELINE, found, options)


def _dvc_file(files: RepoFiles, target: str, cwd: str) -> str:
    """The dvc.yaml a `dvc repro` target names: a file, `file:stage`, a folder, or a stage of ./dvc.yaml."""
    path = resolve_path(target.split(":", 1)[0], cwd)
    if path.endswith(("dvc.yaml", ".dvc")) or is_unresolved(path):
        return path
    folder = resolve_path("dvc.yaml", path)
    return folder if files.exists(folder) else resolve_path("dvc.yaml", cwd)


def _databricks(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    positional = _positional(args, _BUNDLE_VALUE_OPTIONS)
    options = parse_options(args)
    target = first_option(options, "-t", "--target")
    flat = {"--target": [target]} if target else {}
    if positional[:2] in (["bundle", "deploy"], ["bundle", "run"]):
        config = _existing(files, state.cwd, _BUNDLE_FILES)[:1]
        if positional[1] == "deploy":
            add(K.DEPLOY_BUNDLE, config, flat)
        elif len(positional) > 2:
            add(K.RUN_BUNDLE_JOB, config, {**flat, "job": [positional[2]]})
    elif positional[:2] in (["jobs", "run-now"], ["jobs", "submit"]):
        add(K.START_PLATFORM_JOB, options=options)


# -- AWS and Google Cloud ----------------------------------------------------------------------------


def _aws(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    positional = _positional(args, _AWS_VALUE_OPTIONS)
    service, verb = [*positional, "", ""][:2]
    options = parse_options(args)
    if service == "cloudformation" and (verb in _CFN_APPLY or verb == "validate-template"):
        kind = K.VALIDATE_IAC if verb == "validate-template" else K.APPLY_IAC
        template = first_option(options, "--template-file", "--template-body")
        # --template-url (a template in S3) or an update that reuses the template: no file of the repo
        templates = (resolve_path(template.removeprefix("file://"), state.folder),) if template else ()
        add(kind, templates, options)
    elif service == "sagemaker" and verb in ("start-pipeline-execution", "create-training-job"):
        add(K.START_PLATFORM_JOB, options=options)


def _cdk(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    verb = next((a for a in args if not a.startswith("-")), "")
    kind = {"deploy": K.APPLY_IAC, "diff": K.VALIDATE_IAC, "synth": K.VALIDATE_IAC}.get(verb)
    if kind:  # the CDK app is the folder of cdk.json, where cdk runs
        add(kind, (state.cwd or ".",), parse_options(args))


def _sam(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    verb = next((a for a in args if not a.startswith("-")), "")
    kind = {"deploy": K.APPLY_IAC, "validate": K.VALIDATE_IAC}.get(verb)
    if kind:
        options = parse_options(args)
        template = first_option(options, "--template-file", "--template", "-t")
        default = _existing(files, state.cwd, ("template.yaml", "template.yml"))
        found = (resolve_path(template, state.folder),) if template else default
        add(kind, found, options)


def _gcloud(files: RepoFiles, args: list[str], state: ShellState, add: Add) -> None:
    positional = _positional(args, _GCLOUD_VALUE_OPTIONS)
    options = parse_options(args)
    verb = positional[2] if len(positional) > 2 else ""
    if positional[:2] == ["deployment-manager", "deployments"] and verb in ("create", "update"):
        config = first_option(options, "--config")
        add(K.APPLY_IAC, (resolve_path(config, state.folder),) if config else (), options)
    elif positional[:3] == ["ai", "custom-jobs", "create"]:
        add(K.START_PLATFORM_JOB, options=options)
    elif positional[:3] == ["ai", "endpoints", "deploy-model"]:
        add(K.DEPLOY_MODEL, options=options)


# -- console scripts -------------------------------------------------------------------------------


def _console_script(files: RepoFiles, name: str, args: list[str], state: ShellState, add: Add) -> bool:
    """A command the project installs as a console script runs that script's module."""
    # Most such commands are functions of the script or tools from elsewhere: whether the folder
    # defines one is all a memoised reading then learns of its folder (model.ask_folder).
    if not ask_folder(files, state.folder, _defines_console_script, name):
        return False
    pattern = re.compile(_CONSOLE_SCRIPT.format(name=re.escape(name)))
    for folder in dict.fromkeys((state.cwd, "")):
        for manifest in _MANIFESTS:
            path = resolve_path(manifest, folder)
            text = files.read_text(path) if files.exists(path) else None
            match = pattern.search(text or "")
            script = module_path(files, match.group(1), folder) if match else None
            if script:
                named = [
                    found
                    for value in args
                    if re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+", value)
                    and (found := module_path(files, value, folder))
                ]
                add(K.RUN_PYTHON, (script, *named), parse_options(args))
                return True
    return False


_MANIFESTS = ("setup.py", "pyproject.toml", "setup.cfg")


def _defines_console_script(files: RepoFiles, cwd: str, name: str) -> bool:
    """True when a manifest in *cwd* or at the root defines the console script *name* and its module
    is a file of the repository (what _console_script then reads)."""
    manifests = answer_of(files, _manifests_of, cwd, ())
    if not manifests:  # most folders (and most commands are asked about in many)
        return False
    pattern = re.compile(_CONSOLE_SCRIPT.format(name=re.escape(name)))
    for folder, path in manifests:  # type: ignore[attr-defined]
        match = pattern.search(files.read_text(path) or "")
        if match and module_path(files, match.group(1), folder):
            return True
    return False


def _manifests_of(files: RepoFiles, cwd: str) -> tuple[tuple[str, str], ...]:
    """(folder, path) of the package manifests in *cwd* and at the root, in the order they are read."""
    return tuple(
        (folder, path)
        for folder in dict.fromkeys((cwd, ""))
        for manifest in _MANIFESTS
        if files.exists(path := resolve_path(manifest, folder))
    )


_READERS = {
    "pip": _pip,
    "pip3": _pip,
    "uv": _uv,
    "dvc": _dvc,
    "databricks": _databricks,
    "aws": _aws,
    "cdk": _cdk,
    "sam": _sam,
    "gcloud": _gcloud,
}
