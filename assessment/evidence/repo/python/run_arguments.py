"""Data locations the repository hands to its own Python modules when it runs them: a URI passed as
an option (`python train.py --dataset-loc "https://..."`, `--data s3://...`) or exported in an
environment variable before the module runs (`export DATASET_LOC=https://...`).

They are read from three places, whether or not CI runs them (a job script counts as config):
- shell scripts of the repository (`*.sh`, `*.bash`) that hold `://`, read with the CI script reader
  (variables substituted, so `--dataset-loc "$DATASET_LOC"` gives the URI); a variable the script
  exports or sets counts for every module it runs;
- CI steps that run a module (the options of their RUN_PYTHON actions);
- the `command:` of Azure ML command jobs and components, run from their `code:` folder.

Only URIs count (web, object stores, data lakes, Azure ML datastores): a relative path names a file
committed to the repository. Each DataArgument says which module gets which URI under which name;
the data check (checks/azureml/data_sources.py) counts it when that module, or a project module it
imports, gives a loader what its caller passes under that name (python/data_sources.py, CALLER_GIVEN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.jobs import job_code
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlKind, AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.ci.commands.model import Found, Scan, ShellState
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiEvidence
from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.python.data_sources import is_uri

SHELL_SUFFIXES = (".sh", ".bash")
_COMMAND_KINDS = (AmlKind.COMMAND_JOB, AmlKind.COMMAND_COMPONENT)


@dataclass(frozen=True)
class DataArgument:
    """A URI the repository gives a module it runs."""

    location: Location  # the command that runs the module
    module: str  # repo path of the Python file run
    name: str  # how the module gets it: an option as it reads it (`dataset_loc`) or `$DATASET_LOC`
    option: str  # as written: `--dataset-loc`, `$DATASET_LOC`
    uri: str


def option_name(option: str) -> str | None:
    """The name a module reads an option under (argparse dest, click / typer parameter):
    `--dataset-loc` -> `dataset_loc`; None for short options (`-d`)."""
    if not option.startswith("--") or len(option) < 4:
        return None
    return option[2:].replace("-", "_")


def collect_run_arguments(
    files: RepoFiles, ci: CiEvidence, azureml: AzureMLEvidence, reader: ScriptReader | None = None
) -> list[DataArgument]:
    """Every URI the repository passes to a module it runs, in the order found, without repeats
    (*reader*: the one the CI collector used, whose scripts are then split and read once)."""
    found: list[DataArgument] = []
    reader = reader or ScriptReader(files)
    for repo_file in files.files:
        if repo_file.name.lower().endswith(SHELL_SUFFIXES):
            text = files.read_text(repo_file.path)
            if text is not None and "://" in text:
                found += _script(reader, repo_file.path, text)
    for action in ci.of_kind(ActionKind.RUN_PYTHON):
        if action.files:
            found += _options(action.location, action.files[0], action.options)
    for asset in azureml.of_kind(*_COMMAND_KINDS):
        code = job_code(asset)
        if code is not None and code.folder is not None and "://" in code.command:
            scan = reader.scan(code.command, cwd=code.folder)
            found += [a for f in _runs(scan) for a in _options(asset.location, f.files[0], f.options)]
    return list(dict.fromkeys(found))


def _script(reader: ScriptReader, path: str, text: str) -> list[DataArgument]:
    state = ShellState("", {}, windows=False)
    scan = Scan()
    reader.read_script(text, state, scan, depth=0, at_line=None)
    exported = {name: value for name, value in state.env.items() if is_uri(value)}
    found = []
    for run in _runs(scan):
        where = Location(path, run.line + 1)
        found += _options(where, run.files[0], run.options)
        found += [DataArgument(where, run.files[0], f"${name}", f"${name}", uri)
                  for name, uri in exported.items()]
    return found


def _runs(scan: Scan) -> list[Found]:
    return [f for f in scan.actions if f.kind is ActionKind.RUN_PYTHON and f.files]


def _options(where: Location, module: str, options: Mapping[str, str]) -> list[DataArgument]:
    found = []
    for option, value in options.items():
        name = option_name(option)
        uri = str(value).strip().strip("'\"")
        if name and is_uri(uri):
            found.append(DataArgument(where, module, name, option, uri))
    return found
