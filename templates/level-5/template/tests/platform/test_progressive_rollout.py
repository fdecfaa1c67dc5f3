"""scripts/progressive_rollout.py: the canary's traffic steps (each one is judged by canary_check.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import progressive_rollout as rollout


def test_the_shipped_steps_rise_to_all_traffic() -> None:
    steps = rollout.load_steps()
    assert steps[-1] == 100 and list(steps) == sorted(set(steps)) and len(steps) >= 2


@pytest.mark.parametrize(
    "steps", [[10, 50], [50, 10, 100], [0, 100], [], ["ten", 100]],
    ids=["no-100", "falling", "zero", "empty", "not-a-number"],
)
def test_bad_steps_are_refused(tmp_path: Path, steps: list) -> None:
    path = tmp_path / "rollout.json"
    path.write_text(json.dumps({"steps": steps}))
    with pytest.raises(rollout.RolloutError, match=r"rollout\.json"):
        rollout.load_steps(path)


def test_the_command_line_prints_the_steps_below_100(tmp_path: Path, capsys) -> None:
    path = tmp_path / "rollout.json"
    path.write_text(json.dumps({"steps": [5, 25, 60, 100]}))
    assert rollout.main(["--settings", str(path), "steps"]) == 0
    assert capsys.readouterr().out == "5 25 60\n"
    path.write_text("not json")
    assert rollout.main(["--settings", str(path), "steps"]) == 2
    assert "progressive_rollout:" in capsys.readouterr().err
