"""The CLI end to end: exit codes, JSON schema, bad paths, output files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mlops_ladder.assessment.report import SCHEMA_PATH, SCHEMA_VERSION
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode

EXAMPLE = Path(__file__).parent.parent / "examples" / "credit-risk"


def test_assess_example_prints_level_and_next_level_gaps(capsys) -> None:
    assert run(["assess", str(EXAMPLE)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Level 2 of 5" in out
    assert "To reach level 3" in out
    assert "MLL-302" in out and "remedy" in out


def test_json_report_validates_against_the_published_schema(capsys) -> None:
    assert run(["assess", str(EXAMPLE), "--format", "json"]) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["level"] == 2
    ids = [f["id"] for f in report["findings"]]
    assert len(ids) == len(set(ids)) >= 45
    azure_only = [f for f in report["findings"] if {s["source"] for s in f["sources"]} == {"answers"}]
    assert azure_only and all(f["outcome"] == "unknown" for f in azure_only)


def test_evidence_points_at_file_and_line(capsys) -> None:
    run(["assess", str(EXAMPLE), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    scheduled = next(f for f in report["findings"] if f["id"] == "MLL-206")
    assert scheduled["outcome"] == "pass"
    assert any(e["location"].startswith(".github/workflows/train.yml:") for e in scheduled["evidence"])


def test_fail_under_gates_ci_with_exit_code_1(capsys) -> None:
    assert run(["assess", str(EXAMPLE), "--fail-under", "3"]) == ExitCode.BELOW_THRESHOLD
    assert "below --fail-under 3" in capsys.readouterr().err
    assert run(["assess", str(EXAMPLE), "--fail-under", "2"]) == ExitCode.OK


def test_fail_under_out_of_range_is_a_usage_error(capsys) -> None:
    assert run(["assess", str(EXAMPLE), "--fail-under", "9"]) == ExitCode.USAGE


def test_missing_path_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    assert run(["assess", str(tmp_path / "nope")]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no such file or folder" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_file_instead_of_a_folder_is_refused(tmp_path: Path, capsys) -> None:
    f = tmp_path / "x.txt"
    f.write_text("x")
    assert run(["assess", str(f)]) == ExitCode.BAD_INPUT
    assert "is a file" in capsys.readouterr().err


def test_empty_folder_is_level_0(tmp_path: Path, capsys) -> None:
    assert run(["assess", str(tmp_path), "--format", "json"]) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == 0
    assert report["target"]["is_git"] is False


def test_output_file_is_written_and_a_users_file_is_never_overwritten(tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.json"
    assert run(["assess", str(EXAMPLE), "-f", "json", "-o", str(out)]) == ExitCode.OK
    assert json.loads(out.read_text())["level"] == 2
    # Our own report may be refreshed ...
    assert run(["assess", str(EXAMPLE), "-f", "json", "-o", str(out)]) == ExitCode.OK
    # ... but a user's file is left alone unless --force.
    notes = tmp_path / "notes.md"
    notes.write_text("my notes\n")
    assert run(["assess", str(EXAMPLE), "-f", "markdown", "-o", str(notes)]) == ExitCode.REFUSED
    assert notes.read_text() == "my notes\n"
    assert run(["assess", str(EXAMPLE), "-f", "markdown", "-o", str(notes), "--force"]) == ExitCode.OK
    assert notes.read_text().startswith("<!-- mlops-ladder report -->")


def test_markdown_report_lists_the_gaps(capsys) -> None:
    assert run(["assess", str(EXAMPLE), "--format", "markdown"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("<!-- mlops-ladder report -->\n# MLOps maturity: level 2")
    assert "## To reach level 3" in out


def test_levels_and_explain(capsys) -> None:
    assert run(["levels"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "MLL-101" in out and "Level 5" in out
    assert run(["levels", "--json"]) == ExitCode.OK
    assert len(json.loads(capsys.readouterr().out)["criteria"]) >= 45
    assert run(["explain", "mll-205"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "# MLL-205: Training is submitted by automation" in out and "## How to fix" in out
    assert "## Links" in out and "https://learn.microsoft.com/" in out
    assert " · core · " in out.splitlines()[0]


def test_levels_say_which_criteria_are_core_and_list_the_retired_ones(capsys) -> None:
    assert run(["levels", "--level", "5"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "MLL-514  core" in out and "MLL-513  minor" in out
    assert "MLL-501  retired" in out and "merged into MLL-514" in out
    assert run(["levels", "--json"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    kinds = {c["id"]: c["core"] for c in data["criteria"]}
    assert kinds["MLL-205"] is True and kinds["MLL-206"] is False
    assert {c["id"] for c in data["retired"]} == {"MLL-501", "MLL-502"}
    assert run(["explain", "MLL-502"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "retired: merged into MLL-514" in out.splitlines()[0] and "**Retired**" in out


def test_explain_unknown_id_suggests_a_close_one(capsys) -> None:
    assert run(["explain", "MLL-2055"]) == ExitCode.BAD_INPUT
    assert "did you mean" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys) -> None:
    assert run(["asess"]) == ExitCode.USAGE


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root reads everything")
def test_unreadable_folder_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert run(["assess", str(locked)]) == ExitCode.BAD_INPUT
        assert "permission denied" in capsys.readouterr().err
    finally:
        locked.chmod(0o755)


def test_help_does_not_import_the_azure_sdks() -> None:
    code = (
        "import sys\n"
        "from mlops_ladder.cli.main import run\n"
        "try:\n    run(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('azure', 'copier', 'pycep', 'hcl2')))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_console_script_runs_as_a_module() -> None:
    proc = subprocess.run([sys.executable, "-m", "mlops_ladder", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("mlops-ladder ")


def test_json_report_is_the_same_whatever_the_hash_seed() -> None:
    """CI diffs reports between runs: the order of findings and evidence must be stable."""
    outputs = []
    for seed in ("1", "2", "3"):
        proc = subprocess.run(
            [sys.executable, "-m", "mlops_ladder", "assess", str(EXAMPLE), "--format", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        report = json.loads(proc.stdout)
        report.pop("generated_at")
        outputs.append(report)
    assert outputs[0] == outputs[1] == outputs[2]
