"""scripts/progressive_rollout.py: the canary's steps and its verdicts on Azure Monitor metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import progressive_rollout as rollout

SETTINGS = rollout.load_settings()


def metrics(requests: dict[str, float], latency_ms: list[float]) -> dict:
    """The shape of `az monitor metrics list` output for the two metrics the release reads."""
    return {
        "value": [
            {
                "name": {"value": "RequestsPerMinute"},
                "timeseries": [
                    {
                        "metadatavalues": [{"name": {"value": "statusCodeClass"}, "value": status}],
                        "data": [{"total": count / 2}, {"total": count / 2}],
                    }
                    for status, count in requests.items()
                ],
            },
            {
                "name": {"value": "RequestLatency_P95"},
                "timeseries": [{"data": [{"average": value} for value in latency_ms] + [{"average": None}]}],
            },
        ]
    }


def test_the_shipped_settings_end_at_all_traffic() -> None:
    assert SETTINGS.steps[-1] == 100 and list(SETTINGS.steps) == sorted(set(SETTINGS.steps))


def test_a_healthy_canary_is_promoted() -> None:
    verdict = rollout.judge(metrics({"2xx": 990, "5xx": 2}, [120, 180]), SETTINGS)
    assert verdict.promote and "992 requests" in verdict.reason


def test_server_errors_above_the_threshold_roll_back() -> None:
    verdict = rollout.judge(metrics({"2xx": 900, "5xx": 100}, [120]), SETTINGS)
    assert not verdict.promote and "server errors" in verdict.reason


def test_client_errors_are_not_the_deployment_s_fault() -> None:
    assert rollout.judge(metrics({"2xx": 500, "4xx": 500}, [120]), SETTINGS).promote


def test_slow_answers_roll_back() -> None:
    verdict = rollout.judge(metrics({"2xx": 1000}, [SETTINGS.max_latency_p95_ms * 2]), SETTINGS)
    assert not verdict.promote and "latency" in verdict.reason


@pytest.mark.parametrize("policy", ["promote", "rollback"])
def test_too_little_traffic_follows_the_policy(policy: str) -> None:
    settings = rollout.Settings(**{**SETTINGS.__dict__, "insufficient_traffic": policy})
    verdict = rollout.judge(metrics({"2xx": 3}, [100]), settings)
    assert verdict.promote is (policy == "promote") and "only 3 requests" in verdict.reason


@pytest.mark.parametrize(
    "steps", [[10, 50], [50, 10, 100], [0, 100], []], ids=["no-100", "falling", "zero", "empty"]
)
def test_bad_steps_are_refused(tmp_path: Path, steps: list) -> None:
    path = tmp_path / "rollout.json"
    path.write_text(json.dumps({**json.loads(rollout.DEFAULT_SETTINGS.read_text()), "steps": steps}))
    with pytest.raises(rollout.RolloutError, match="steps"):
        rollout.load_settings(path)


def test_the_command_line_exits_1_to_roll_back(tmp_path: Path, capsys) -> None:
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(metrics({"2xx": 10, "5xx": 990}, [100])))
    assert rollout.main(["judge", "--metrics", str(path), "--deployment", "green"]) == 1
    assert capsys.readouterr().out.startswith("green: roll back:")
    path.write_text("not json")
    assert rollout.main(["judge", "--metrics", str(path), "--deployment", "green"]) == 2
