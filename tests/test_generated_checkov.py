"""checkov, in its own virtual environment (it pins an old pycep-parser and other libraries:
`python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov`, or set
MLOPS_LADDER_CHECKOV_VENV), finds no failed check in the Bicep of a generated level-5 project; a
check that does not apply is suppressed in the Bicep with a written reason. checkov reports a file
its parser cannot read as a parsing error and then checks nothing in it, so every Bicep file of
layers 4 and 5 must also parse with checkov's own parser.

infra/main.bicep (layer 1) is not yet readable by checkov's parser (a run of comment lines; issue 9
makes it so): until then its resources are not checked here.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mlops_ladder.generator.layers import layer
from mlops_ladder.generator.new import new_project, render_layer
from mlops_ladder.generator.questions import complete

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("MLOPS_LADDER_CHECKOV_VENV", REPO_ROOT / ".venv-checkov"))
pytestmark = pytest.mark.skipif(not (VENV / "bin" / "checkov").exists(), reason=f"no checkov venv at {VENV}")
PARSE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from pycep import BicepParser\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        BicepParser().parse(text=Path(name).read_text())\n"
    "    except Exception as exc:\n"
    "        print(f'{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}')\n"
)


@pytest.fixture(scope="module", params=["online", "batch"])
def project(request, tmp_path_factory) -> tuple[Path, dict]:
    answers = complete({"name_suffix": "ab12", "deployment_kind": request.param}, 5)
    dest = tmp_path_factory.mktemp("checkov") / request.param
    new_project(dest, 5, answers, git=False)
    return dest, answers


def test_checkov_finds_no_failed_check(project) -> None:
    root, _ = project
    proc = subprocess.run(
        [str(VENV / "bin" / "checkov"), "-d", str(root / "infra"), "--framework", "bicep", "-o", "json",
         "--quiet"],
        capture_output=True, text=True, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"}, timeout=900,
    )
    report = json.loads(proc.stdout)
    report = report[0] if isinstance(report, list) else report
    checks = report.get("results", {}).get("failed_checks", [])
    failed = [f"{c['check_id']} {c['file_path']} {c['resource']}" for c in checks]
    assert failed == []
    assert report["summary"]["resource_count"] > 0


def test_every_level_4_and_5_bicep_file_parses_with_checkov_s_parser(project, tmp_path: Path) -> None:
    root, answers = project
    owned = []
    for n in (4, 5):
        dest = tmp_path / f"layer-{n}"
        render_layer(layer(n), dest, answers)
        owned += [root / p.relative_to(dest) for p in dest.rglob("*.bicep")]
    assert len(owned) >= 6
    proc = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", PARSE, *map(str, owned)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
