"""A script file read again from another state is replayed only when the reading would find the same:
the memo (ci/commands/memo.py) must give what a fresh reading gives."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Scan, ShellState
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

HELPERS = (
    'deploy() { az deployment group create --template-file "infra/$TARGET.bicep"; }\n'
    "export SET_BY_HELPER=infra\n"
    'cd "$WHERE"\n'
    "az ml job create --file job.yml\n"
)
REPO = {
    "helpers.sh": HELPERS,
    "infra/a.bicep": "",
    "infra/b.bicep": "",
    "a/job.yml": "",
    "b/job.yml": "",
}


Result = tuple[list[tuple[object, ...]], ShellState]


def run(reader: ScriptReader, script: str, env: dict[str, str]) -> Result:
    state, scan = ShellState("", dict(env), False), Scan()
    reader.read_script(script, state, scan, depth=0, at_line=None)
    return [(f.kind, f.files, f.line, f.cwd) for f in scan.actions], state


def fresh(tmp_path: Path, script: str, env: dict[str, str]) -> Result:
    return run(ScriptReader(list_repo_files(tmp_path)), script, env)


def test_a_replay_finds_what_a_fresh_reading_finds(tmp_path: Path) -> None:
    write_files(tmp_path, REPO)
    reader = ScriptReader(list_repo_files(tmp_path))
    script = "source helpers.sh\ndeploy\n"
    starts = [
        {"TARGET": "a", "WHERE": "a", "UNRELATED": "1"},
        {"TARGET": "a", "WHERE": "a", "UNRELATED": "2"},  # differs only where the script never looks
        {"TARGET": "b", "WHERE": "b", "UNRELATED": "1"},  # differs in what it reads
        {"TARGET": "a", "WHERE": "a"},
    ]
    for env in starts:
        found, state = run(reader, script, env)
        expected, expected_state = fresh(tmp_path, script, env)
        assert found == expected
        assert (state.cwd, state.env) == (expected_state.cwd, expected_state.env)
    readings = [r for key, rs in reader._file_readings.items() for r in rs if key[0] == "helpers.sh"]
    assert len(readings) == 2  # one per value of what the helper reads (TARGET, WHERE), not per start


def test_a_replay_points_at_the_calling_line_and_sets_the_variables(tmp_path: Path) -> None:
    helper = "export SET_BY_HELPER=infra\naz ml job create --file a/job.yml\n"
    write_files(tmp_path, {**REPO, "env.sh": helper})
    reader = ScriptReader(list_repo_files(tmp_path))
    script = "echo x\nsource env.sh\necho y\nsource env.sh\n"
    found, state = run(reader, script, {})
    expected, expected_state = fresh(tmp_path, script, {})
    assert found == expected
    assert sorted({line for _, _, line, _ in found}) == [1, 3]
    assert state.env == expected_state.env and state.env["SET_BY_HELPER"] == "infra"
    assert [len(readings) for readings in reader._file_readings.values()] == [1]  # the second is a replay


def test_a_variable_the_script_sets_before_reading_it_is_not_a_dependency(tmp_path: Path) -> None:
    script = "TARGET=a\naz deployment group create -f infra/$TARGET.bicep\n"
    write_files(tmp_path, {**REPO, "set_then_read.sh": script})
    reader = ScriptReader(list_repo_files(tmp_path))
    for target in ("x", "y", "z"):
        found, _ = run(reader, "bash set_then_read.sh\n", {"TARGET": target})
        assert found == fresh(tmp_path, "bash set_then_read.sh\n", {"TARGET": target})[0]
    assert len(reader._file_readings[next(iter(reader._file_readings))]) == 1
