"""The portfolio: many repositories in parallel plus JSON reports made elsewhere, an unreadable one as a
row with its error, the table, JSON lines, and an HTML heat map linking to each repository's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_ladder.assessment.portfolio import assess_portfolio, read_repos_file
from mlops_ladder.cli.main import run
from mlops_ladder.errors import BadInputError
from tests.test_reports import check_html

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "credit-risk"
HANDWRITTEN = Path(__file__).resolve().parent / "fixtures" / "handwritten"


@pytest.fixture
def example_json(tmp_path: Path) -> Path:
    """A report made elsewhere, as a repository's CI publishes it."""
    path = tmp_path / "elsewhere" / "credit-risk.json"
    path.parent.mkdir()
    assert run(["assess", str(EXAMPLE), "-f", "json", "-o", str(path), "-q"]) == 0
    return path


def test_parallel_and_serial_portfolios_agree_and_keep_the_order(tmp_path: Path) -> None:
    items = [EXAMPLE, HANDWRITTEN, tmp_path / "missing"]
    serial = assess_portfolio(items, jobs=1)
    parallel = assess_portfolio(items, jobs=2)
    for rows in (serial, parallel):
        assert [r.name for r in rows] == ["credit-risk", "handwritten", "missing"]
        assert [r.report.level if r.report else None for r in rows] == [2, 1, None]
        assert rows[2].error == f"{tmp_path / 'missing'}: no such file or folder"
    assert [r.report.to_dict()["findings"] for r in serial[:2]] == [
        r.report.to_dict()["findings"] for r in parallel[:2]
    ]


def test_a_portfolio_from_the_cli_with_reports_made_elsewhere(
    tmp_path: Path, example_json: Path, capsys
) -> None:
    not_a_report = tmp_path / "package.json"
    not_a_report.write_text('{"name": "web"}')
    code = run(["assess", str(HANDWRITTEN), str(example_json), str(not_a_report), "-f", "json", "-q"])
    out, err = capsys.readouterr()
    assert code == 3  # a row could not be assessed: the rest is still there
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["name"], r["kind"], r.get("level")) for r in rows] == [
        ("handwritten", "scanned", 1),
        ("credit-risk", "report", 2),
        ("package.json", "report", None),
    ]
    assert rows[2]["error"] == f"{not_a_report}: not an mlops-ladder JSON report"
    assert rows[1]["dimensions"]["training"] == {
        "core_met": 6,
        "core_total": 6,
        "minor_met": 3,
        "minor_total": 5,
    }
    assert err == ""


def test_repos_file_lists_paths_relative_to_itself_with_comments(
    tmp_path: Path, example_json: Path, capsys
) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# our ML repositories\n{HANDWRITTEN}\n\nelsewhere/credit-risk.json   \n")
    assert read_repos_file(listing) == [HANDWRITTEN, tmp_path / "elsewhere" / "credit-risk.json"]
    assert run(["assess", "--repos", str(listing), "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!-- mlops-ladder portfolio -->\n# MLOps maturity portfolio: 2 repositories")
    assert "| handwritten | 1 |" in out and "| credit-risk | 2 |" in out
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    with pytest.raises(BadInputError, match="lists no repository"):
        read_repos_file(empty)


def test_output_dir_writes_a_heat_map_linking_to_each_report(
    tmp_path: Path, example_json: Path, capsys
) -> None:
    out_dir = tmp_path / "portfolio"
    code = run(["assess", str(EXAMPLE), str(HANDWRITTEN), str(example_json), "--output-dir", str(out_dir)])
    terminal = capsys.readouterr()
    assert code == 0
    assert "3 repositories (level 1: 1, level 2: 2)" in terminal.out
    assert f"Portfolio written to {out_dir / 'index.html'}" in terminal.err
    index = (out_dir / "index.html").read_text()
    parser = check_html(index)
    links = [a["href"] for tag, a in parser.tags if tag == "a"]
    assert links == ["reports/credit-risk.html", "reports/handwritten.html", "reports/credit-risk-2.html"]
    for link in links:
        check_html((out_dir / link).read_text())  # each repository's own report
        assert json.loads((out_dir / link).with_suffix(".json").read_text())["tool"]["name"] == "mlops-ladder"
    assert "hsl(" in index  # the heat map's colours
    jsonl = [json.loads(line) for line in (out_dir / "portfolio.jsonl").read_text().splitlines()]
    assert [r["report"] for r in jsonl] == links
    assert (out_dir / "portfolio.md").read_text().startswith("<!-- mlops-ladder portfolio -->")
    # run again: our own files are rewritten, never a file someone else wrote
    assert run(["assess", str(EXAMPLE), str(HANDWRITTEN), "--output-dir", str(out_dir), "-q"]) == 0
    (out_dir / "portfolio.md").write_text("my notes\n")
    assert run(["assess", str(EXAMPLE), str(HANDWRITTEN), "--output-dir", str(out_dir), "-q"]) == 4
    assert (out_dir / "portfolio.md").read_text() == "my notes\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "sarif"], "error: a portfolio has no SARIF form"),
        (["-f", "html"], "error: the HTML portfolio links to each repository's report"),
        (["--interactive"], "error: --interactive, --answers, --baseline and the Azure options apply to one"),
        (
            ["--subscription", "00000000-0000-0000-0000-000000000000"],
            "error: --interactive, --answers, --baseline",
        ),
    ],
)
def test_portfolio_usage_errors_are_one_line(capsys, args: list[str], message: str) -> None:
    assert run(["assess", str(EXAMPLE), str(HANDWRITTEN), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_fail_under_names_the_repositories_below(capsys) -> None:
    assert run(["assess", str(EXAMPLE), str(HANDWRITTEN), "--fail-under", "2", "-q", "-f", "json"]) == 1
    assert "1 below --fail-under 2: handwritten" in capsys.readouterr().err
