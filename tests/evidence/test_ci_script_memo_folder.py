"""The memo of script-file readings (ci/commands/memo.py) keys a reading by the folder it starts in only
when the reading looks at that folder: a helper sourced from many working directories is read once when
it finds its way from its own path, and once per folder when it resolves a relative path. Either way
a replay gives exactly what a fresh reading gives, the folder recorded in its findings included."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

# Finds its way from its own path, as infra/bootstrapping/sdk_helpers.sh-like helpers do: no folder read.
FOLDER_FREE = (
    'SCRIPT_DIR="$( cd "$( dirname "${BASH_SOURCE[0]}" )" && pwd )"\n'
    'source "$SCRIPT_DIR/common.sh"\n'
    'az deployment group create --template-file "$SCRIPT_DIR/infra/main.bicep"\n'
    "pushd //repo/infra\n"
    "popd\n"
    "export HELPERS_LOADED=1\n"
)
REPO = {
    "tools/helpers.sh": FOLDER_FREE,
    "tools/common.sh": 'az ml job create --file "//repo/jobs/train.yml"\n',
    "tools/infra/main.bicep": "",
    "jobs/train.yml": "",
    "a/job.yml": "",
    "a/x.sh": "az ml job create --file job.yml\n",
    "b/x.sh": "az ml online-deployment create --file deploy.yml\n",
    "b/deploy.yml": "",
}
STEP = 'source "$GITHUB_WORKSPACE/tools/helpers.sh"\naz ml job create --file job.yml\n'
FOLDERS = ("a", "b", "", "a")


def findings(reader: ScriptReader, folder: str) -> list[tuple[object, ...]]:
    scan = reader.scan(STEP, cwd=folder, env={"GITHUB_WORKSPACE": "//repo"})
    return [(f.kind, f.command, f.files, f.line, f.cwd) for f in scan.actions]


def readings_of(reader: ScriptReader, path: str) -> int:
    return sum(len(readings) for key, readings in reader._file_readings.items() if key[0] == path)


def check_against_fresh(tmp_path: Path, reader: ScriptReader, *, stays: bool = True) -> None:
    for folder in FOLDERS:
        got = findings(reader, folder)
        assert got == findings(ScriptReader(list_repo_files(tmp_path)), folder)
        # each finding records the folder it ran in: the step's, unless the helper moved
        assert got and (not stays or all(found[-1] == folder for found in got))


def test_a_helper_that_never_looks_at_the_folder_is_read_once_for_every_folder(tmp_path: Path) -> None:
    write_files(tmp_path, REPO)
    reader = ScriptReader(list_repo_files(tmp_path))
    check_against_fresh(tmp_path, reader)
    assert readings_of(reader, "tools/helpers.sh") == 1
    assert readings_of(reader, "tools/common.sh") == 1


@pytest.mark.parametrize(
    "use",
    [
        "./x.sh\n",  # a script file relative to the folder
        "az ml job create --file job.yml\n",  # a relative path in a command it recognises
        'HERE="$(pwd)"\n',  # the folder itself
        "cd sub\n",  # a folder relative to it
    ],
)
def test_a_helper_that_looks_at_the_folder_is_read_once_per_folder(tmp_path: Path, use: str) -> None:
    write_files(tmp_path, {**REPO, "tools/helpers.sh": FOLDER_FREE + use})
    reader = ScriptReader(list_repo_files(tmp_path))
    check_against_fresh(tmp_path, reader, stays=not use.startswith("cd"))
    assert readings_of(reader, "tools/helpers.sh") == 3  # a, b and the root; the second `a` is a replay


def test_a_nested_reading_that_looks_at_the_folder_makes_its_caller_depend_on_it(tmp_path: Path) -> None:
    inner = "az ml job create --file job.yml\n"  # relative: the folder of the step that sourced it all
    write_files(tmp_path, {**REPO, "tools/common.sh": inner})
    reader = ScriptReader(list_repo_files(tmp_path))
    check_against_fresh(tmp_path, reader)
    assert readings_of(reader, "tools/helpers.sh") == 3
    assert readings_of(reader, "tools/common.sh") == 3


def test_a_popd_back_to_the_callers_folder_is_rebased_and_counted_as_the_callers(tmp_path: Path) -> None:
    # The inner file's stack holds the outer reading's folder: its `popd` returns there, and its relative
    # path is resolved there. Two outer readings that differ only by a variable share the inner reading.
    outer = 'pushd //repo/tools\nsource "$GITHUB_WORKSPACE/tools/common.sh"\necho "$ONLY_OUTER"\n'
    inner = "popd\naz ml job create --file job.yml\n"
    write_files(tmp_path, {**REPO, "tools/helpers.sh": outer, "tools/common.sh": inner})
    reader = ScriptReader(list_repo_files(tmp_path))
    for env in ({"ONLY_OUTER": "1"}, {"ONLY_OUTER": "2"}, {"ONLY_OUTER": "1"}):
        for folder in FOLDERS:
            step_env = {"GITHUB_WORKSPACE": "//repo", **env}
            got = reader.scan(STEP, cwd=folder, env=step_env).actions
            fresh = ScriptReader(list_repo_files(tmp_path)).scan(STEP, cwd=folder, env=step_env).actions
            assert got == fresh and [f.cwd for f in got] == [folder, folder]
    assert readings_of(reader, "tools/helpers.sh") == 6  # (1, 2) x (a, b, root): it uses the folder
    assert readings_of(reader, "tools/common.sh") == 3  # one per folder on its stack, shared by both


def test_a_question_asked_of_the_folder_keys_the_reading_by_its_answer_only(tmp_path: Path) -> None:
    # `train-model` might be a console script of the folder's project, `bash "#"` a script file of the
    # folder: only in b is either true, so a, the root and a again share one reading, and b has its own.
    helper = FOLDER_FREE + 'train-model --epochs 1\nbash "#"\necho_info done\n'
    project = {
        "b/setup.py": 'setup(entry_points={"console_scripts": ["train-model = pkg.train:main"]})\n',
        "b/pkg/train.py": "",
    }
    write_files(tmp_path, {**REPO, **project, "tools/helpers.sh": helper})
    reader = ScriptReader(list_repo_files(tmp_path))
    check_against_fresh(tmp_path, reader)
    assert ("b/pkg/train.py",) in {found[2] for found in findings(reader, "b")}
    assert readings_of(reader, "tools/helpers.sh") == 2
    other = tmp_path / "other"
    write_files(other, {**REPO, "a/#": "az ml job create --file job.yml\n", "tools/helpers.sh": helper})
    reader = ScriptReader(list_repo_files(other))
    check_against_fresh(other, reader)
    assert readings_of(reader, "tools/helpers.sh") == 2  # a runs its `#`; b and the root have none
