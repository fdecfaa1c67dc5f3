"""Every format from the one report model, for the bundled example, hand-made repositories of every
kind and the 19 calibration repositories: JSON against report.schema.json, SARIF against the official
SARIF 2.1.0 schema (../shared/schemas), HTML parsed and self-contained; baselines in every format."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml

from mlops_ladder.assessment.api import assess
from mlops_ladder.assessment.baseline import compare
from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.portfolio import assess_portfolio
from mlops_ladder.assessment.render.formats import FORMATS, render
from mlops_ladder.assessment.report import SCHEMA_PATH
from mlops_ladder.assessment.report_io import report_from_dict
from mlops_ladder.cli.main import run
from tests.conftest import git, make_repo
from tests.shared_data import SHARED

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "credit-risk"
HANDWRITTEN = ROOT / "tests" / "fixtures" / "handwritten"
SARIF_SCHEMA_PATH = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def sarif_schema() -> dict:
    """Read when a test validates, so a checkout without ../shared/ fails per test, not at import."""
    return json.loads(SARIF_SCHEMA_PATH.read_text())


REPORT_SCHEMA = json.loads(SCHEMA_PATH.read_text())
CALIBRATION = SHARED / "calibration"
VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "col", "area", "base", "source", "wbr"}


class StrictHTML(HTMLParser):
    """Parses a document and records every nesting error, duplicate id and external resource."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            if attributes["id"] in self.ids:
                self.errors.append(f"duplicate id {attributes['id']}")
            self.ids.add(attributes["id"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()


def check_html(text: str) -> StrictHTML:
    parser = StrictHTML()
    parser.feed(text)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    assert text.startswith("<!DOCTYPE html>")
    # self-contained: nothing is loaded (links to evidence are plain <a href>)
    assert not [t for t, a in parser.tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in parser.tags if a.get("src")]
    assert "url(" not in text and "@import" not in text
    metas = {a.get("name") or a.get("http-equiv"): a.get("content") for t, a in parser.tags if t == "meta"}
    assert (metas.get("generator") or "").startswith("mlops-ladder ")
    assert "default-src 'none'" in metas["Content-Security-Policy"]
    return parser


def check_all_formats(report) -> dict[str, str]:
    out = {fmt: render(report, fmt, show_all=True) for fmt in FORMATS}
    data = json.loads(out["json"])
    jsonschema.validate(data, REPORT_SCHEMA)
    assert report_from_dict(data).to_dict() == data  # the JSON reads back into the same report
    sarif = json.loads(out["sarif"])
    jsonschema.validate(sarif, sarif_schema())
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "mlops-ladder"
    check_html(out["html"])
    assert out["markdown"].startswith("<!-- mlops-ladder report -->")
    assert f"Level {report.level} of 5" in out["terminal"]
    return out


def sarif_results(report) -> list[dict]:
    return json.loads(render(report, "sarif"))["runs"][0]["results"]


# -- the bundled example and hand-made repositories of every kind ---------------------------------
@pytest.fixture(scope="module")
def example():
    return assess(EXAMPLE)


def test_every_format_of_the_bundled_example_validates(example) -> None:
    out = check_all_formats(example)
    sarif = json.loads(out["sarif"])["runs"][0]
    rules = sarif["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f.criterion.id for f in example.findings]
    assert rules[0]["help"]["markdown"].startswith("# MLL-101: Code is versioned in git")  # the doc
    failed = {f.criterion.id for f in example.findings if f.outcome == Outcome.FAIL}
    assert {r["ruleId"] for r in sarif["results"]} == failed  # every failure, each with a location
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["results"])


def test_sarif_puts_failures_on_their_files_and_lines(repo_factory) -> None:
    """A failure with file evidence is a result at that file and line, relative to the repository root
    (the assessed folder's prefix included), so code scanning shows it there."""
    root = repo_factory(
        {
            "ml/README.md": "# model\n",
            "ml/src/train.py": "import pandas as pd\n\ndef train():\n    return pd.read_csv('data.csv')\n",
            "ml/.github/CODEOWNERS": "# nobody yet\n",
        }
    )
    report = assess(root / "ml")
    by_rule = {r["ruleId"]: r for r in sarif_results(report)}
    codeowners = by_rule["MLL-114"]["locations"][0]["physicalLocation"]
    assert codeowners["artifactLocation"] == {"uri": "ml/.github/CODEOWNERS", "uriBaseId": "%SRCROOT%"}
    anchored = [r for r in by_rule.values() if r["properties"]["anchoredAtReadme"]]
    assert anchored and all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "ml/README.md" for r in anchored
    )
    with_lines = [
        r
        for r in by_rule.values()
        if "region" in r["locations"][0]["physicalLocation"] and not r["properties"]["anchoredAtReadme"]
    ]
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in with_lines)
    assert {r["level"] for r in by_rule.values()} <= {"error", "warning", "note"}
    assert by_rule["MLL-114"]["level"] == "warning"  # a minor practice of level 1
    levels = {f.criterion.id: f.criterion for f in report.findings}
    for rule, result in by_rule.items():  # errors block the next level; notes lie above it
        c = levels[rule]
        expected = "note" if c.level > report.next_level else "error" if c.core else "warning"
        assert result["level"] == expected, rule


def test_sarif_without_a_readme_leaves_unlocated_failures_out_of_the_results(tmp_path: Path) -> None:
    """Code scanning rejects a whole upload when one result has no location."""
    root = tmp_path / "plain"
    root.mkdir()
    (root / "notebook.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    report = assess(root)
    sarif = json.loads(render(report, "sarif"))
    jsonschema.validate(sarif, sarif_schema())
    run_ = sarif["runs"][0]
    assert all(r["locations"] for r in run_["results"])
    failed = {f.criterion.id for f in report.findings if f.outcome == Outcome.FAIL}
    assert set(run_["properties"]["unlocated"]) | {r["ruleId"] for r in run_["results"]} == failed
    assert "MLL-101" in run_["properties"]["unlocated"]  # not a git repository: nothing to point at


def test_html_links_evidence_to_the_repository_at_the_commit(repo_factory) -> None:
    root = repo_factory({"README.md": "# x\n", "src/train.py": "import mlflow\nmlflow.autolog()\n"})
    git(root, "remote", "add", "origin", "https://user:s3cret@github.com/contoso/churn.git")
    report = assess(root)
    assert report.target.remote == "https://github.com/contoso/churn"  # credentials never kept
    html = render(report, "html")
    commit = report.target.commit
    assert f'href="https://github.com/contoso/churn/blob/{commit}/' in html
    assert "s3cret" not in html and "s3cret" not in render(report, "json")


@pytest.mark.parametrize(
    "files",
    [
        {},  # an empty repository
        {"analysis.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
        {"README.md": "# <script>alert('x')</script> & | pipes | `code`\n", "src/a.py": "x = '<b>'\n"},
    ],
    ids=["empty", "notebook-only", "markup-in-names"],
)
def test_every_format_of_small_repositories_validates(repo_factory, files) -> None:
    check_all_formats(assess(repo_factory(files)))


def test_every_format_of_a_plain_folder_and_the_handwritten_project_validates(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "train.py").write_text("print('hi')\n")
    check_all_formats(assess(plain))
    check_all_formats(assess(HANDWRITTEN))


def test_answers_and_claims_are_labelled_in_every_format(example) -> None:
    from mlops_ladder.assessment.evidence.answers_model import AnswersEvidence

    answers = AnswersEvidence.from_values({"MLL-319": "yes", "MLL-208": "yes", "MLL-504": "no"})
    report = assess(EXAMPLE, answers=answers)
    out = check_all_formats(report)
    data = json.loads(out["json"])
    basis = {f["id"]: f["basis"] for f in data["findings"]}
    assert (basis["MLL-319"], basis["MLL-208"], basis["MLL-504"]) == ("answer", "claim", "claim")
    assert "claimed, not shown in the files" in out["markdown"]
    assert "Resting on the team's answers" in out["html"] and "badge claim" in out["html"]
    assert "3 criteria rest on the team's answers alone (2 claims)." in out["terminal"]


# -- baselines --------------------------------------------------------------------------------------
def test_the_baseline_shows_in_every_format(example, tmp_path: Path) -> None:
    old = example.to_dict()
    for f in old["findings"]:
        if f["id"] == "MLL-203":
            f["outcome"] = "fail"  # then lost tracking...
        if f["id"] == "MLL-302":
            f["outcome"] = "pass"  # ...and deployed by CI
    old["level"] = 3
    report = assess(EXAMPLE)
    report.baseline = compare(old, report, source="main.json")
    out = check_all_formats(report)
    b = json.loads(out["json"])["baseline"]
    assert (b["level_before"], b["level_after"], b["level_change"]) == (3, 2, -1)
    assert [c["id"] for c in b["newly_met"]] == ["MLL-203"] and [c["id"] for c in b["lost"]] == ["MLL-302"]
    assert "## Since the baseline (main.json" in out["markdown"]
    assert "level 3 -> 2 (down 1); 1 criterion newly met, 1 lost" in out["markdown"]
    assert (
        "| ✘ lost | **MLL-302** CI/CD deploys a registered model | 3 core | pass | fail |" in out["markdown"]
    )
    assert "Since the baseline" in out["terminal"] and "Since the baseline" in out["html"]
    results = {r["ruleId"]: r for r in json.loads(out["sarif"])["runs"][0]["results"]}
    assert results["MLL-302"]["baselineState"] == "new"
    assert {r["baselineState"] for i, r in results.items() if i != "MLL-302"} == {"unchanged"}


def test_baseline_and_report_commands_from_the_cli(tmp_path: Path, capsys) -> None:
    report_json = tmp_path / "now.json"
    assert run(["assess", str(EXAMPLE), "-f", "json", "-o", str(report_json), "-q"]) == 0
    assert capsys.readouterr().err == ""  # --quiet: nothing on stderr
    assert run(["report", str(report_json), "--baseline", str(report_json), "-f", "markdown"]) == 0
    assert "➡️ **level 2 (unchanged); 0 criteria newly met, 0 lost**" in capsys.readouterr().out
    for fmt in ("sarif", "html"):
        out = tmp_path / f"r.{fmt}"
        assert run(["report", str(report_json), "-f", fmt, "-o", str(out), "-q"]) == 0
        assert run(["report", str(report_json), "-f", fmt, "-o", str(out), "-q"]) == 0  # ours: rewritten
    foreign = tmp_path / "notes.html"
    foreign.write_text("<html><body>my notes</body></html>")
    assert run(["report", str(report_json), "-f", "html", "-o", str(foreign)]) == 4  # never overwritten
    assert foreign.read_text() == "<html><body>my notes</body></html>"
    assert run(["report", str(report_json), "--fail-under", "3", "-f", "json", "-q"]) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "x.json:1: not JSON"),
        ('{"tool": {"name": "other"}}', "x.json: not an mlops-ladder JSON report"),
        (
            '{"tool": {"name": "mlops-ladder"}, "schema_version": "1.0"}',
            "x.json: report schema 1.0 cannot be read",
        ),
        (
            '{"tool": {"name": "mlops-ladder", "version": "1"}, "schema_version": "2.0"}',
            "x.json: not a valid report",
        ),
    ],
)
def test_a_bad_baseline_is_a_one_line_error(tmp_path: Path, capsys, content: str, message: str) -> None:
    bad = tmp_path / "x.json"
    bad.write_text(content)
    assert run(["assess", str(EXAMPLE), "--baseline", str(bad), "-f", "json"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / message}") and err.count("\n") == 1


# -- the calibration repositories ---------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not (CALIBRATION / "labels.yaml").exists(), reason="../shared/calibration is not there")
def test_every_format_of_the_calibration_repositories_validates(tmp_path: Path) -> None:
    """19 real repositories of every platform and level (read, not copied), assessed as a portfolio."""
    labels = yaml.safe_load((CALIBRATION / "labels.yaml").read_text())["repos"]
    paths = []
    for entry in labels:
        folder = tmp_path / entry["repo"].replace("/", "+")
        with tarfile.open(CALIBRATION / "repos" / f"{entry['repo'].replace('/', '+')}.tar.gz") as archive:
            archive.extractall(folder, filter="tar")
        root = next(p for p in folder.iterdir() if p.is_dir()) if len(list(folder.iterdir())) == 1 else folder
        make_repo(root, {})
        paths.append(root / entry["path_hint"])
    rows = assess_portfolio(paths, jobs=2)
    assert [r.error for r in rows] == [None] * len(labels)
    for row in rows:
        out = check_all_formats(row.report)
        for result in json.loads(out["sarif"])["runs"][0]["results"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith("/") and ".." not in uri.split("/"), uri


def test_the_html_report_is_parsed_by_a_strict_parser_on_purpose() -> None:
    """The checker itself catches what it is there for (a test that could not fail proves nothing)."""
    with pytest.raises(AssertionError):
        check_html("<!DOCTYPE html><html><body><div></span></body></html>")
    with pytest.raises(AssertionError):
        check_html(
            re.sub(
                "<head>",
                '<head><script src="https://cdn.example/x.js"></script>',
                render(assess(EXAMPLE), "html"),
            )
        )


def test_the_installed_command_writes_every_format(tmp_path: Path) -> None:
    import shutil
    import sys

    command = shutil.which("mlops-ladder", path=str(Path(sys.executable).parent))
    for fmt in FORMATS:
        proc = subprocess.run(
            [command, "assess", str(EXAMPLE), "-f", fmt, "-q"], capture_output=True, text=True
        )
        assert proc.returncode == 0 and proc.stdout and proc.stderr == "", (fmt, proc.stderr)


@pytest.mark.parametrize(
    ("extra", "ci", "shown"),
    [([], None, True), (["--quiet"], None, False), ([], "true", False)],
    ids=["terminal", "quiet", "ci"],
)
def test_progress_shows_on_a_terminal_only(
    tmp_path: Path, extra: list[str], ci: str | None, shown: bool
) -> None:
    """A spinner naming the scan's stage on a terminal's stderr; nothing with --quiet or in CI."""
    import os
    import shutil
    import sys

    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    command = shutil.which("mlops-ladder", path=str(Path(sys.executable).parent))
    args = ["assess", str(HANDWRITTEN), "-f", "json", "-o", str(tmp_path / "r.json"), *extra]
    child = pexpect.spawn(command, args, env=env, encoding="utf-8", timeout=120)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert ("Assessing " in child.before and "reading project files" in child.before) == shown
    assert ("report written to" in child.before) == (extra != ["--quiet"])


def test_progress_runs_no_thread_so_the_scan_may_still_fork() -> None:
    """The scan forks parser workers only when no other thread runs (forking with threads is unsafe)."""
    import threading

    from mlops_ladder.cli import progress

    with progress.stages(True, "Assessing") as stage:
        stage("listing files")
        assert threading.active_count() == 1
    with progress.counter(True, "Assessing", 2) as done:
        done("a")
        assert threading.active_count() == 1
