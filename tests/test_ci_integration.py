"""CI integration: the GitHub Action (action.yml), its example workflow, the Azure Pipelines template
and the pre-commit hook validate with the ecosystem's own tools, and the Action's steps run as a script.

The Action's `run:` steps are executed by bash in order, as a runner would: `${{ }}` expressions
and `if:` conditions evaluated from the inputs, the GitHub context and earlier steps' outputs, with
GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP as files and folders, and a stand-in `gh` on PATH
that serves the default branch's last report. `uses:` steps (setup-python, upload-sarif,
upload-artifact) cannot run here: the files they are given are checked instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import git
from tests.shared_data import SHARED

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "credit-risk"
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "ci" / "github" / "mlops-ladder.yml"
ADO_TEMPLATE = ROOT / "ci" / "azure-pipelines" / "mlops-ladder.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


@pytest.mark.parametrize(
    ("path", "schema", "extra"),
    [
        (ACTION, "vendor.github-actions", []),
        (WORKFLOW, "vendor.github-workflows", []),
        (ADO_TEMPLATE, "vendor.azure-pipelines", ["--regex-variant", "python"]),
    ],
    ids=["action", "example-workflow", "azure-pipelines-template"],
)
def test_ci_files_validate_against_their_schemas(path: Path, schema: str, extra: list[str]) -> None:
    proc = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, *extra, str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr


def test_the_action_and_workflow_pass_zizmor_and_actionlint(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            _tool("zizmor"),
            "--offline",
            "--persona",
            "auditor",
            "--format",
            "plain",
            str(ACTION),
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # not even informational findings
    # actionlint reads workflows from a repository's .github/workflows
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, tmp_path / ".github" / "workflows" / WORKFLOW.name)
    git(tmp_path, "init", "-q")
    proc = subprocess.run([_tool("actionlint")], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_action_pinned_to_a_commit() -> None:
    for path in (ACTION, WORKFLOW):
        doc = yaml.safe_load(path.read_text())
        jobs = doc.get("jobs", {}).values()
        steps = doc["runs"]["steps"] if "runs" in doc else [s for job in jobs for s in job["steps"]]
        for uses in (step["uses"] for step in steps if "uses" in step):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"


def test_the_action_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if not shellcheck:
        pytest.skip("shellcheck is not installed (Debian package shellcheck)")
    steps = [s for s in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if "run" in s]
    for i, step in enumerate(steps):
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\{\{[^}]*\}\}", "X", step["run"]))
        proc = subprocess.run([shellcheck, "-s", "bash", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{step['name']}:\n{proc.stdout}"


def test_the_pre_commit_hook_manifest_loads_and_its_command_gates(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(HOOKS))
    assert hook["id"] == "mlops-ladder" and hook["pass_filenames"] is False
    command = [_tool(hook["entry"].split()[0]), *hook["entry"].split()[1:]]
    ok = subprocess.run([*command, *hook["args"]], cwd=EXAMPLE, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    below = subprocess.run([*command, "--fail-under", "5"], cwd=EXAMPLE, capture_output=True, text=True)
    assert below.returncode == 1
    assert "Level 2 is below --fail-under 5." in below.stderr
    assert "To reach level 3" in below.stdout  # the report says what is missing


# -- the Action's steps, run as a script ----------------------------------------------------------------
class ActionRun:
    """Runs action.yml's steps like a runner: expressions, conditions, outputs, summary."""

    def __init__(self, workdir: Path, inputs: dict[str, str], github: dict[str, str], path: str) -> None:
        meta = yaml.safe_load(ACTION.read_text())
        self.inputs = {k: str(v.get("default", "")) for k, v in meta["inputs"].items()} | inputs
        self.github = github
        self.steps_meta = meta["runs"]["steps"]
        self.outputs: dict[str, dict[str, str]] = {}
        self.temp = workdir / "runner-temp"
        self.temp.mkdir()
        self.summary = workdir / "summary.md"
        self.summary.touch()
        self.env = {
            "PATH": path,
            "HOME": str(workdir),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "CI": "true",
            # Build the package with this environment's setuptools instead of fetching one.
            "PIP_NO_BUILD_ISOLATION": "1",
        }
        self.log: list[str] = []
        self.uses: list[tuple[str, dict[str, str]]] = []

    def value(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.inputs[rest]
        if head == "github":
            return self.github[rest]
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            return self.outputs.get(step, {}).get(output, "")
        raise AssertionError(f"the test does not know {name}")

    def expand(self, text: str) -> str:
        return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: self.value(m.group(1)), text)

    def condition(self, expression: str) -> bool:
        python = re.sub(
            r"\b(?:inputs|github|steps)\.[\w.-]+", lambda m: repr(self.value(m.group(0))), expression
        )
        python = python.replace("&&", " and ").replace("||", " or ").replace("always()", "True")
        return bool(eval(python, {"__builtins__": {}}))  # only the expressions action.yml holds

    def run(self, cwd: Path) -> int:
        for step in self.steps_meta:
            if "if" in step and not self.condition(step["if"]):
                self.log.append(f"skipped: {step['name']}")
                continue
            if "uses" in step:
                self.uses.append(
                    (step["uses"], {k: self.expand(str(v)) for k, v in step.get("with", {}).items()})
                )
                continue
            output_file = self.temp / f"output-{len(self.log)}"
            output_file.touch()
            env = {**self.env, "GITHUB_OUTPUT": str(output_file)}
            env.update({k: self.expand(str(v)) for k, v in step.get("env", {}).items()})
            # what a runner runs for `shell: bash`
            command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
            assert step.get("shell") == "bash", step["name"]
            proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
            self.log.append(f"{step['name']}: exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
            if "id" in step:
                self.outputs[step["id"]] = dict(
                    line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
                )
            if proc.returncode != 0:
                return proc.returncode
        return 0


FAKE_GH = """#!/usr/bin/env bash
# Stands in for the GitHub CLI: the default branch's last run, and its report artifact.
if [ "$1 $2" = "run list" ]; then echo 4242; exit 0; fi
if [ "$1 $2" = "run download" ]; then
  while [ $# -gt 0 ]; do [ "$1" = "--dir" ] && dir="$2"; shift; done
  cp "$FAKE_BASELINE" "$dir/report.json"; exit 0
fi
exit 1
"""


@pytest.fixture(scope="module")
def installed_path(tmp_path_factory) -> str:
    """PATH for the steps: a fresh virtual environment the install step installs into (this
    environment's packages are visible to it, so only mlops-ladder itself is built and installed)."""
    venv = tmp_path_factory.mktemp("action-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "_test_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return f"{venv / 'bin'}:/usr/bin:/bin"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "checkout"
    shutil.copytree(EXAMPLE, target)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "example")
    return target


def _github(tmp_path: Path) -> dict[str, str]:
    return {
        "action_path": str(ROOT),
        "token": "not-a-token",
        "repository": "contoso/credit-risk",
        "workflow_ref": "contoso/credit-risk/.github/workflows/maturity.yml@refs/pull/7/merge",
        "event.repository.default_branch": "main",
    }


@pytest.mark.slow
def test_the_action_runs_end_to_end_with_a_baseline(tmp_path: Path, repo: Path, installed_path: str) -> None:
    baseline = json.loads(
        subprocess.run(
            [shutil.which("mlops-ladder", path=str(BIN)), "assess", str(repo), "-f", "json", "-q"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    for finding in baseline["findings"]:  # the default branch had no tracked training yet
        if finding["id"] == "MLL-203":
            finding["outcome"] = "fail"
    baseline["level"] = 1
    (tmp_path / "base.json").write_text(json.dumps(baseline))
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    action = ActionRun(tmp_path, {"fail-under": "2"}, _github(tmp_path), f"{gh.parent}:{installed_path}")
    action.env["FAKE_BASELINE"] = str(tmp_path / "base.json")
    assert action.run(cwd=repo) == 0, "\n".join(action.log)

    out = action.outputs["assess"]
    assert out["level"] == "2"
    assert action.outputs["baseline"]["report"].endswith("mlops-ladder-baseline/report.json")
    summary = action.summary.read_text()
    assert summary.startswith("<!-- mlops-ladder report -->")
    assert (
        "## Since the baseline" in summary and "level 1 -> 2 (up 1); 1 criterion newly met, 0 lost" in summary
    )
    assert "**MLL-203**" in summary
    sarif = json.loads(Path(out["sarif"]).read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert sarif["runs"][0]["properties"]["baseline"]["level_before"] == 1
    (upload_sarif, sarif_with), (upload_artifact, artifact_with) = action.uses[1:]
    assert "upload-sarif" in upload_sarif and sarif_with["sarif_file"] == out["sarif"]
    assert "upload-artifact" in upload_artifact
    assert [Path(p).name for p in artifact_with["path"].split()] == [
        "report.json",
        "report.sarif",
        "report.html",
    ]
    assert all(Path(p).is_file() for p in artifact_with["path"].split())
    assert "<!DOCTYPE html>" in Path(out["html"]).read_text()[:50]


@pytest.mark.slow
def test_the_action_fails_under_the_level_and_works_without_a_baseline(
    tmp_path: Path, repo: Path, installed_path: str
) -> None:
    action = ActionRun(
        tmp_path, {"fail-under": "3", "upload-sarif": "false"}, _github(tmp_path), installed_path
    )
    assert action.run(cwd=repo) == 1
    assert "::notice title=mlops-ladder::no baseline" in action.log[1]
    assert "::error title=mlops-ladder::level 2 is below 3" in action.log[-1]
    assert "Since the baseline" not in action.summary.read_text()
    assert [name for name, _ in action.uses] == [action.steps_meta[0]["uses"], action.steps_meta[5]["uses"]]
    assert os.path.getsize(action.outputs["assess"]["report"]) > 1000
