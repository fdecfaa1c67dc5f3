"""Function bodies (ci/commands/functions.py): `$1`... in a body are a call's arguments, unknown
where the body is written, never the arguments the script was run with."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.ci.commands.functions import FunctionBodies
from mlops_ladder.assessment.evidence.repo.ci.commands.model import Scan
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.commands.split import split_commands
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

HELPERS = """\
#!/bin/bash
TOP="$1"
deploy() {
    local FILE="$1"
    if [[ -n "$FILE" ]]; then
        az ml online-deployment create --file "$FILE"
    fi
}
function submit {
    az ml job create --file "jobs/${2:-train}.yml"
}
one_line() { az ml model create --path "$1"; }
"$@"
"""


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a=1\nf() {\n  echo $1\n}\nb=2\n", [False, True, True, True, False]),
        ("function f\n{\n  x\n}\ny\n", [True, True, True, True, False]),
        ("f() { x; }\ny\n", [True, False]),
        ('f() {\n  if [ -n "${X}" ]; then { a; }; fi\n  b\n}\nc\n', [True, True, True, True, False]),
        ("echo ${X}\nfor i in a; do { x; }; done\n", [False, False]),
    ],
)
def test_function_bodies_are_followed_line_by_line(script: str, expected: list[bool]) -> None:
    bodies = FunctionBodies()
    assert [bodies.feed(line) for line in script.splitlines()] == expected


def test_commands_in_a_body_are_marked() -> None:
    commands = split_commands(HELPERS)
    marked = {" ".join(c.words[:3]): c.in_function for c in commands if c.words}
    assert marked["TOP=$1"] is False
    assert marked["az ml online-deployment"] is True
    assert marked["az ml model"] is True
    assert marked["$@"] is False
    assert all(not c.in_function for c in split_commands(HELPERS, windows=True))  # PowerShell: not read


def _scan(tmp_path: Path, script: str, reader: ScriptReader | None = None) -> tuple[ScriptReader, Scan]:
    reader = reader or ScriptReader(list_repo_files(tmp_path))
    return reader, reader.scan(script)


def test_a_body_does_not_take_the_scripts_arguments(tmp_path: Path) -> None:
    write_files(tmp_path, {"helpers.sh": HELPERS, "jobs/train.yml": "", "jobs/deploy.yml": "", "x.yml": ""})
    _, scan = _scan(tmp_path, "bash helpers.sh submit x.yml deploy")
    files = {found.kind: found.files for found in scan.actions}
    # before: `$1` in deploy() was "submit" and `${2:-train}` was "x.yml"
    assert files[ActionKind.SUBMIT_JOB] == ("jobs/train.yml",)
    assert all("submit" not in path and "x.yml" not in path for paths in files.values() for path in paths)


def test_the_script_itself_still_takes_its_arguments(tmp_path: Path) -> None:
    script = 'FILE="$1"\naz ml job create --file "$FILE"\nrun() { az ml job create --file "$1"; }\n'
    write_files(tmp_path, {"go.sh": script, "a.yml": ""})
    _, scan = _scan(tmp_path, "bash go.sh a.yml")
    assert next(found.files for found in scan.actions if found.kind == ActionKind.SUBMIT_JOB) == ("a.yml",)


def test_a_script_sourced_in_a_body_sees_the_bodys_arguments_as_unknown(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "inner.sh": 'az ml job create --file "$1"\n',
            "outer.sh": "f() {\n  source inner.sh\n}\nsource inner.sh\n",
            "a.yml": "",
        },
    )
    _, scan = _scan(tmp_path, "bash outer.sh a.yml")
    files = [found.files for found in scan.actions if found.kind == ActionKind.SUBMIT_JOB]
    assert files == [("$1",), ("a.yml",)]


def test_a_helper_called_with_other_arguments_is_read_once(tmp_path: Path) -> None:
    write_files(tmp_path, {"helpers.sh": HELPERS, "jobs/train.yml": ""})
    reader = ScriptReader(list_repo_files(tmp_path))
    first = [(f.kind, f.files) for f in _scan(tmp_path, "bash helpers.sh deploy a.yml", reader)[1].actions]
    second = [(f.kind, f.files) for f in _scan(tmp_path, "bash helpers.sh deploy b.yml", reader)[1].actions]
    assert first == second
    readings = [r for key, rs in reader._file_readings.items() for r in rs if key[0] == "helpers.sh"]
    assert len(readings) == 1  # the arguments are read only by `"$@"`, which names no file
