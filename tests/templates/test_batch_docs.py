"""The level-5 platform guide of a batch project describes the release a batch project has (a new
deployment, a smoke-test scoring job, a default switch, a one-step rollback), not the slots, mirrored
traffic and traffic steps of online deployments, with both CI systems."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete

ONLINE_ONLY = ("slot", "mirror", "Progressive delivery", "RequestLatency_P95")


def platform_guide(root: Path, ci_system: str, deployment_kind: str) -> str:
    answers = complete({"ci_system": ci_system, "deployment_kind": deployment_kind, "name_suffix": "ab12"}, 5)
    new_project(root, 5, answers)
    return (root / "docs" / "platform.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("ci_system", ["github", "azure-devops"])
def test_a_batch_project_reads_about_its_batch_release(tmp_path: Path, ci_system: str) -> None:
    guide = platform_guide(tmp_path / "batch", ci_system, "batch")
    assert "## Releasing a batch deployment" in guide
    assert "smoke-test scoring job" in guide and "`rollback.yml`" in guide
    assert [word for word in ONLINE_ONLY if word in guide] == []


def test_an_online_project_keeps_its_progressive_delivery(tmp_path: Path) -> None:
    guide = platform_guide(tmp_path / "online", "github", "online")
    assert "## Progressive delivery" in guide and "## Releasing a batch deployment" not in guide
    assert all(word in guide for word in ONLINE_ONLY)
