"""What layers 4 and 5 add for Azure DevOps beyond tests/test_generated_ado.py (which holds every ADO
level to the schema, the az argument tables, the naming contract, the round trip and the generated
tests), and level 5's canary.mirror_percent on both CI systems:

- the ADO-only Bicep (the drift alert's Logic App, the private agents) matches the published types;
- the drift alert's action starts the retrain pipeline through the Runs API with a managed identity;
- the mirror step of the level-5 release, run with a recording `az`, mirrors the configured share of
  live traffic for the configured minutes, stops mirroring and judges the mirrored requests, before
  the canary steps.

Projects are rendered once per session and only when a test needs them.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.conftest import needs_shared
from tests.validators.bicep_types import TYPES_ROOT, check_bicep_file

ADO = {"ci_system": "azure-devops", "name_suffix": "ab12"}
VARIANTS = {
    "level4-online": (4, {"deployment_kind": "online"}),
    "level4-batch": (4, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "level5-online": (5, {"deployment_kind": "online"}),
    "level5-batch": (5, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """name -> project root, rendered on first use and shared by every test of the session."""
    cache: dict[str, Path] = {}

    def render(name: str, ci_system: str = "azure-devops") -> Path:
        key = f"{name}-{ci_system}"
        if key not in cache:
            level, data = VARIANTS[name]
            dest = tmp_path_factory.mktemp("ado-upper") / key
            new_project(dest, level, complete({**ADO, **data, "ci_system": ci_system}, level), git=False)
            cache[key] = dest
        return cache[key]

    return render


@needs_shared(TYPES_ROOT / "index.json")
@pytest.mark.parametrize("name", ["level4-batch", "level5-online"])
def test_the_azure_devops_bicep_matches_the_published_types(rendered, name: str) -> None:
    bicep = sorted((rendered(name) / "infra").rglob("*.bicep"))
    assert {"41-retrain-trigger.bicep", "53-ci-agents.bicep"} & {p.name for p in bicep}
    problems = [str(p) for path in bicep for p in check_bicep_file(path, TYPES_ROOT)]
    assert problems == []


def test_the_drift_alert_starts_the_retrain_pipeline_through_the_runs_api(rendered) -> None:
    text = (rendered("level4-online") / "infra" / "layers" / "41-retrain-trigger.bicep").read_text()
    assert "/_apis/pipelines/${devops.retrainPipelineId}/runs?api-version=7.1" in text
    assert "logicAppReceivers" in text and "retrainTrigger.listCallbackUrl().value" in text
    assert "actionGroupId: retrainActionGroup.id" in text
    assert "audience: '499b84ac-1321-427f-aa17-267ca6975798'" in text  # Azure DevOps, no PAT
    pipeline = yaml.safe_load((rendered("level4-online") / ".azure-pipelines" / "retrain.yml").read_text())
    assert [p["name"] for p in pipeline["parameters"]] == ["reason"]  # templateParameters.reason


# -- level 5's release honours canary.mirror_percent ------------------------------------------------

def _github_deploy_steps(root: Path) -> list[tuple[str, str, str]]:
    """(name, condition, script) of the level-5 GitHub release's production deploy job."""
    workflow = yaml.safe_load((root / ".github" / "workflows" / "_release-registry.yml").read_text())
    job = workflow["jobs"]["deploy-prod"]
    return [(s.get("name", ""), s.get("if", ""), s.get("run", "")) for s in job["steps"]]


def _ado_deploy_steps(root: Path) -> list[tuple[str, str, str]]:
    """(name, condition, script) of the level-5 Azure DevOps release's deployment steps."""
    path = root / ".azure-pipelines" / "templates" / "deploy-from-registry.yml"
    steps = yaml.safe_load(path.read_text())["steps"]
    return [
        (s.get("displayName", ""), s.get("condition", ""), (s.get("inputs") or {}).get("inlineScript", ""))
        for s in steps
    ]


def _run_with_recording_az(script: str, tmp_path: Path, settings: dict[str, str]) -> list[list[str]]:
    """Run a release step's script with `az`, `sleep` and the scripts it calls replaced by recorders;
    the commands in the order they ran."""
    stubs, work = tmp_path / "bin", tmp_path / "work"
    (work / "scripts").mkdir(parents=True)
    stubs.mkdir()
    log = tmp_path / "calls.log"
    recorder = f'#!/usr/bin/env bash\nprintf "%s\\n" "$(basename "$0") $*" >> "{log}"\n'
    for name in ("az", "sleep"):
        (stubs / name).write_text(recorder + ('[ "$2" = get-access-token ] && echo token\nexit 0\n'))
        (stubs / name).chmod(stat.S_IRWXU)
    for name in ("score_client.py", "canary_check.py", "progressive_rollout.py"):
        (work / "scripts" / name).write_text(
            f"import sys\nopen({str(log)!r}, 'a').write(' '.join(['{name}', *sys.argv[1:]]) + '\\n')\n")
    env = {**os.environ, **settings, "PATH": f"{stubs}:{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path),
           "AGENT_TEMPDIRECTORY": str(tmp_path), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [line.split() for line in log.read_text().splitlines()]


@pytest.mark.parametrize("ci_system", ["github", "azure-devops"])
def test_the_level_5_release_mirrors_live_traffic_first_when_mirror_percent_is_set(
    rendered, ci_system: str, tmp_path: Path
) -> None:
    root = rendered("level5-online", ci_system)
    steps = _github_deploy_steps(root) if ci_system == "github" else _ado_deploy_steps(root)
    names = [name for name, _, _ in steps]
    mirror = next(i for i, name in enumerate(names) if name.startswith("Mirror live traffic"))
    canary = next(i for i, name in enumerate(names) if name.startswith("Canary"))
    assert mirror < canary
    _, condition, script = steps[mirror]
    # Skipped on a first release (nothing live to mirror) and when mirror_percent is 0.
    assert "LIVE_DEPLOYMENT" in condition and "MIRROR_PERCENT" in condition and "'0'" in condition
    settings = {"ONLINE_ENDPOINT": "ep", "NEW_DEPLOYMENT": "green", "LIVE_DEPLOYMENT": "blue",
                "MIRROR_PERCENT": "20", "MIRROR_MINUTES": "3", "PROBE_REQUESTS": "7", "ENDPOINT_ID": "/ep",
                "SCORING_URI": "https://ep/score", "SAMPLE_REQUEST": "request.json", "MAX_ERROR_RATE": "0.01",
                "MAX_LATENCY_P95_MS": "500", "RESOURCE_GROUP": "rg", "WORKSPACE": "ws"}
    calls = _run_with_recording_az(script, tmp_path, settings)
    updates = [c for c in calls if c[:4] == ["az", "ml", "online-endpoint", "update"]]
    assert [u[u.index("--mirror-traffic") + 1] for u in updates] == ["green=20", "green=0"]
    assert all("--traffic" not in u for u in updates)  # clients stay on the live deployment
    order = [c[0] if c[0] != "az" else " ".join(c[:4]) for c in calls]
    probes = next(c for c in calls if c[0] == "score_client.py")
    assert probes[probes.index("--seconds") + 1] == "180" and probes[probes.index("--count") + 1] == "7"
    assert "--deployment" not in probes  # probes go to the endpoint, whose live traffic is mirrored
    judged = next(c for c in calls if c[0] == "canary_check.py")
    assert judged[judged.index("--max-error-rate") + 1] == "0.01"
    first_update = order.index("az ml online-endpoint update")
    assert first_update < order.index("score_client.py") < len(order) - 1 - order[::-1].index(
        "az ml online-endpoint update") < order.index("canary_check.py")
