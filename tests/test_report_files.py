"""`assess -o FILE` replaces only reports this tool wrote, recognised by their structure; any
other file (even one that mentions or calls mlops-ladder) is refused with exit 4 unless --force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_ladder.assessment.render import markdown
from mlops_ladder.assessment.report_files import is_report, is_report_text, marker_line
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode

EXAMPLE = Path(__file__).parent.parent / "examples" / "credit-risk"

USER_FILES = {
    "README.md": "# Churn\n\nWe assess this project with mlops-ladder (see `mlops-ladder assess .`).\n",
    "assess.sh": "#!/bin/sh\nmlops-ladder assess . --format json -o report.json\n",
    "package.json": json.dumps({"name": "mlops-ladder", "version": "1.0.0", "tool": {"name": "x"}}),
    "tool.json": json.dumps({"tool": {"name": "mlops-ladder"}, "notes": "no schema_version"}),
    "notes.md": "<!-- mlops-ladder report --> was the old marker; this file only quotes it\n",
    "quoted.md": "> mlops-ladder 0.1.0 · /repo (git) · evidence: repo\n> Level 2 of 5 · Automated training\n",
    "deep.json": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("name", sorted(USER_FILES))
def test_a_users_file_is_refused_and_left_as_it_was(tmp_path: Path, capsys, name: str) -> None:
    target = tmp_path / name
    target.write_text(USER_FILES[name], encoding="utf-8")
    assert not is_report(target)
    assert run(["assess", str(EXAMPLE), "-f", "markdown", "-o", str(target)]) == ExitCode.REFUSED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an mlops-ladder report" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == USER_FILES[name]


def test_force_overwrites_a_users_file(tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text(USER_FILES["README.md"], encoding="utf-8")
    assert run(["assess", str(EXAMPLE), "-f", "json", "-o", str(target), "--force"]) == ExitCode.OK
    assert json.loads(target.read_text(encoding="utf-8"))["tool"]["name"] == "mlops-ladder"


@pytest.mark.parametrize(
    "first,second", [("json", "markdown"), ("markdown", "terminal"), ("terminal", "json")]
)
def test_a_report_in_any_format_is_replaced_by_the_next(tmp_path: Path, first: str, second: str) -> None:
    target = tmp_path / "report.out"
    assert run(["assess", str(EXAMPLE), "-f", first, "-o", str(target)]) == ExitCode.OK
    assert is_report(target), f"the {first} report is not recognised"
    assert run(["assess", str(EXAMPLE), "-f", second, "-o", str(target)]) == ExitCode.OK
    assert is_report(target), f"the {second} report is not recognised"


def test_an_empty_file_may_be_replaced(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.touch()
    assert run(["assess", str(EXAMPLE), "-f", "json", "-o", str(target)]) == ExitCode.OK


def test_the_marker_api_for_other_renderers() -> None:
    assert markdown.MARKER == marker_line() == "<!-- mlops-ladder report -->"
    html = f"<!DOCTYPE html>\n{marker_line()}\n<html><body>report</body></html>\n"
    assert is_report_text(html)
    assert is_report_text(marker_line("#") + "\nlevel: 2\n")  # a format with # comments
    assert not is_report_text("<!DOCTYPE html>\n<p>see the mlops-ladder report</p>\n")
    sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "mlops-ladder"}}, "results": []}]}
    assert is_report_text(json.dumps(sarif))
    sarif["runs"][0]["tool"]["driver"]["name"] = "ruff"
    assert not is_report_text(json.dumps(sarif))
