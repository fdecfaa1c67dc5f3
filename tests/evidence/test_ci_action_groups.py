"""CI actions stored once per script reading and shared by the steps that run it (ci/actions.py):
what a step gets through the shared reading equals a fresh reading of its own, field by field."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.ci import builder as builder_module
from mlops_ladder.assessment.evidence.repo.ci.actions import ActionGroup, Actions
from mlops_ladder.assessment.evidence.repo.ci.collect import collect
from mlops_ladder.assessment.evidence.repo.ci.commands.reader import ScriptReader
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, CiEvidence, Trigger
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

K = ActionKind

HELPER = """\
az ml component create --file components/train.yml
az ml model share --name m --version 1 --registry-name shared || true
cd deploy
az ml online-deployment create --file blue.yml || az ml online-deployment delete --name blue
"""


def _workflow(name: str, condition: str, workdir: str) -> str:
    return f"""\
name: {name}
on:
  pull_request:
  schedule:
    - cron: "0 0 * * *"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: bootstrap
        run: bash scripts/helper.sh
      - name: setup
        if: {condition}
        continue-on-error: true
        working-directory: {workdir}
        run: |
          echo start
          source "${{{{ github.workspace }}}}/scripts/helper.sh"
          pytest tests
  deploy:
    needs: build
    environment: prod
    runs-on: ubuntu-latest
    steps:
      - run: bash scripts/helper.sh
"""


FILES = {
    "scripts/helper.sh": HELPER,
    "components/train.yml": "name: train\n",
    "deploy/blue.yml": "name: blue\n",
    **{
        f".github/workflows/w{n}.yml": _workflow(f"w{n}", cond, workdir)
        for n, cond, workdir in [
            (1, "github.event_name == 'schedule'", "src"),
            (2, "always()", "src"),
            (3, "github.event_name == 'pull_request'", "other"),
        ]
    },
}


class _FreshReader(ScriptReader):
    """A ScriptReader that remembers nothing: every step's scripts are read again, into scans of their own."""

    def scan(self, script, **kwargs):  # type: ignore[no-untyped-def]
        self._scans.clear()
        self._file_readings.clear()
        return super().scan(script, **kwargs)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_files(tmp_path, FILES)
    return tmp_path


def test_shared_readings_give_the_actions_of_fresh_readings(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = collect(list_repo_files(repo))
    monkeypatch.setattr(builder_module, "ScriptReader", _FreshReader)
    fresh = collect(list_repo_files(repo))

    assert list(shared.actions) == list(fresh.actions)
    assert len(shared.actions) == len(fresh.actions) == 3 * (4 + 5 + 4)  # the setup step adds pytest
    groups = [g for g in shared.actions.groups() if isinstance(g, ActionGroup)]
    # `bash scripts/helper.sh` from the repository root is one reading, shared by six steps
    bootstrap = [g for g in groups if g.run.step in ("bootstrap", "bash scripts/helper.sh")]
    assert len(bootstrap) == 6 and len({id(g.contents) for g in bootstrap}) == 1
    fresh_groups = [g for g in fresh.actions.groups() if isinstance(g, ActionGroup)]
    assert len({id(g.contents) for g in fresh_groups}) == len(fresh_groups)


def test_a_shared_reading_takes_each_steps_own_fields(repo: Path) -> None:
    evidence = collect(list_repo_files(repo))
    w1 = [a for a in evidence.actions if a.pipeline == ".github/workflows/w1.yml"]
    setup = [a for a in w1 if a.step == "setup"]
    share = next(a for a in setup if a.kind is K.SHARE_MODEL)
    # the sourced script's commands point at the `source` line (the block starts on line 17)
    assert share.location == Location(".github/workflows/w1.yml", 18)
    assert share.continue_on_error  # the step's continue-on-error (and `|| true`)
    assert share.condition == "github.event_name == 'schedule'"
    assert share.triggers == frozenset({Trigger.SCHEDULE})
    assert share.working_directory == "src"
    assert [a.index for a in w1 if a.job == "build"] == list(range(9))
    rollback = next(a for a in setup if a.kind is K.DELETE_DEPLOYMENT)
    assert rollback.condition == "|| (runs when the command before it fails)"
    assert rollback.working_directory == "src/deploy"
    deploy = [a for a in w1 if a.job == "deploy"]
    assert {a.environment for a in deploy} == {"prod"} and [a.index for a in deploy] == list(range(4))
    assert all(a.location == Location(".github/workflows/w1.yml", 25) for a in deploy)


def test_selections_ask_each_distinct_reading_once(repo: Path) -> None:
    evidence = collect(list_repo_files(repo))
    asked: list[str] = []

    def wanted(content: object) -> bool:
        asked.append(content.command)  # type: ignore[attr-defined]
        return content.kind is K.SHARE_MODEL  # type: ignore[attr-defined]

    shares = evidence.select(wanted)
    assert len(shares) == 9 and all(a.kind is K.SHARE_MODEL for a in shares)
    assert len(asked) < len(evidence.actions) / 2  # 39 actions from a few distinct readings
    assert list(evidence.of_kind(K.SHARE_MODEL)) == list(shares)
    assert [a for a in evidence.actions if a.kind is K.SHARE_MODEL] == list(shares)


def test_actions_using_a_file_are_those_of_a_scan_in_order() -> None:
    given = [
        CiAction(K.SUBMIT_JOB, Location("ci.yml", 1), "ci.yml", "j", "s1", files=("a.yml", "a.yml")),
        CiAction(K.DEPLOY_MODEL, Location("ci.yml", 2), "ci.yml", "j", "s2", files=("a.yml",)),
        CiAction(K.SUBMIT_JOB, Location("ci.yml", 3), "ci.yml", "j", "s3", files=("b.yml", "a.yml")),
    ]
    evidence = CiEvidence(actions=given)
    for path in ("a.yml", "b.yml", "c.yml"):
        for kinds in ((K.SUBMIT_JOB,), (K.SUBMIT_JOB, K.DEPLOY_MODEL), (K.DEPLOY_MODEL,)):
            expected = [a for a in evidence.of_kind(*kinds) if path in a.files]
            assert evidence.using_file(path, *kinds) == expected, (path, kinds)
    assert [a.step for a in evidence.using_file("a.yml", K.SUBMIT_JOB)] == ["s1", "s3"]  # each once
    # an action appended after the first question is seen (the index is made again)
    later = CiAction(K.SUBMIT_JOB, Location("ci.yml", 4), "ci.yml", "j", "s4", files=("a.yml",))
    evidence.actions.append(later)
    assert [a.step for a in evidence.using_file("a.yml", K.SUBMIT_JOB)] == ["s1", "s3", "s4"]


def test_running_after_decides_a_group_at_once_as_runs_after_does(repo: Path) -> None:
    evidence = collect(list_repo_files(repo))
    candidates = evidence.of_kind(K.SHARE_MODEL, K.DEPLOY_MODEL)
    for earlier in evidence.actions:
        expected = [a for a in candidates if evidence.runs_after(a, earlier)]
        assert list(evidence.running_after(candidates, earlier)) == expected
        assert list(evidence.running_after(list(candidates), earlier)) == expected


def _action(n: int, kind: ActionKind = K.RUN_TESTS) -> CiAction:
    return CiAction(kind, Location("ci.yml", n), "ci.yml", "j", f"s{n}", command=f"c{n}", index=n)


def test_actions_behave_as_a_list() -> None:
    given = [_action(1), _action(2, K.LINT), _action(3)]
    actions = Actions(given)
    assert len(actions) == 3 and actions == given and given == list(actions)
    assert actions[0] == given[0] and actions[-1] == given[2] and actions[1:] == given[1:]
    # concatenation with a list gives a list (checks add their own candidates to a selection)
    assert actions + [given[0]] == [*given, given[0]] and [given[0]] + actions == [given[0], *given]  # noqa: RUF005
    assert given[1] in actions and bool(Actions()) is False
    with pytest.raises(IndexError):
        actions[3]
    evidence = CiEvidence(actions=given)
    kinds = evidence.of_kind(K.RUN_TESTS)
    assert kinds == [given[0], given[2]]
    kinds.append(_action(9))  # a copy: the evidence's selection is unchanged
    assert evidence.of_kind(K.RUN_TESTS) == [given[0], given[2]]
