"""Broken and hostile repositories are assessed without a hang or a traceback: each bad file gets
a note, the rest is still read, and the report is valid in every format.

The corpus is tests/fixtures/hostile (see its README): `bombs/` holds a billion-laughs alias bomb
in every YAML kind the collectors read, `malformed/` broken files of every kind. Links, odd file
names, oversized files and deep folders cannot be kept in git; they are made here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mlops_ladder.assessment.api import assess
from mlops_ladder.assessment.render import json_report, markdown, terminal
from mlops_ladder.assessment.report import SCHEMA_PATH
from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from tests.conftest import git

CORPUS = Path(__file__).parent / "fixtures" / "hostile"
GOOD_FILES = {  # the corpus files that are fine: the bad ones beside them must not hide them
    "bombs": {".github/workflows/uses_action.yml"},
    "malformed": {"requirements.txt", "src/churn/__init__.py"},
}
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
# Control characters a report may not print (a newline ends a line; nothing else is allowed).
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in a collector can swallow it."""


@pytest.fixture(autouse=True)
def no_hang():
    """Fail (instead of hanging CI) when one assessment takes over a minute."""

    def on_alarm(signum, frame):
        raise Hang("the assessment ran for over 60 s: hostile input is not bounded")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def corpus_repo(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(CORPUS / name, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    return root


def corpus_files(name: str) -> set[str]:
    base = CORPUS / name
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}


def assert_valid_in_every_format(root: Path, capsys) -> dict:
    """Assess *root* through the CLI (JSON) and render the report in the other formats; check each."""
    assert run(["assess", str(root), "--format", "json"]) == ExitCode.OK
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    captured.out.encode("utf-8")  # strict: a lone surrogate (a non-UTF-8 name) would raise here
    report = json.loads(captured.out)
    jsonschema.validate(report, SCHEMA)
    failed_checks = [f["id"] for f in report["findings"] if "failed:" in f["found"] or not f["sources"]]
    assert failed_checks == [], "a check crashed on hostile input"
    model = assess(root)
    for text in (
        json_report.render(model),
        markdown.render(model, show_all=True),
        terminal.render(model, show_all=True, color=False),
    ):
        text.encode("utf-8")
        assert CONTROL.search(text) is None, repr(CONTROL.search(text))
    lines = markdown.render(model).splitlines()
    notes = lines[lines.index("## Notes") + 2 :]
    assert len(notes) == len(report["notes"]) and all(line.startswith("- ") for line in notes)
    return report


def notes_by_path(report: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for note in report["notes"]:
        found.setdefault(note["path"], []).append(note["reason"])
    return found


def test_an_alias_bomb_in_every_yaml_kind_is_a_note(tmp_path: Path, capsys) -> None:
    root = corpus_repo(tmp_path, "bombs")
    report = assert_valid_in_every_format(root, capsys)
    notes = notes_by_path(report)
    for path in corpus_files("bombs") - GOOD_FILES["bombs"]:
        assert any("alias bomb" in reason for reason in notes.get(path, [])), f"{path}: {notes.get(path)}"
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["MLL-108"]["outcome"] == "pass", "the good workflow beside the bombs is still read"


def test_malformed_files_of_every_kind_each_get_a_note(tmp_path: Path, capsys) -> None:
    root = corpus_repo(tmp_path, "malformed")
    # what git cannot keep: link loops, a dangling link, a link to a folder above, an oversized file,
    # a file over the size limit and one that is almost at it, in a single line
    os.symlink("loop", root / "loop")
    os.symlink("b_link", root / "a_link")
    os.symlink("a_link", root / "b_link")
    os.symlink("missing.py", root / "src" / "churn" / "dangling.py")
    os.symlink("..", root / "src" / "churn" / "up")
    with (root / "data.yml").open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    (root / ".github" / "workflows" / "one_line.yml").write_text(
        "on: push\njobs: {build: {runs-on: x, steps: [{run: " + "a" * 1_500_000 + "}]\n", encoding="utf-8"
    )
    (root / "src" / "churn" / "long_line.py").write_text("X = '" + "x" * 1_500_000 + "'\n", encoding="utf-8")
    report = assert_valid_in_every_format(root, capsys)
    notes = notes_by_path(report)
    bad = corpus_files("malformed") - GOOD_FILES["malformed"]
    bad |= {"loop", "a_link", "b_link", "src/churn/dangling.py", "data.yml", ".github/workflows/one_line.yml"}
    missing = {path for path in bad if path not in notes}
    assert missing == set(), f"no note for {sorted(missing)}"
    assert "src/churn/long_line.py" not in notes, "a long but valid line is read"
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["MLL-101"]["outcome"] == "pass", "the pinned requirements beside them are read"


ODD_NAMES = {  # file name (bytes) -> how every report spells it
    b"\x1b[31mred\x1b[0m.py": "\\x1b[31mred\\x1b[0m.py",
    b"new\nline.py": "new\\nline.py",
    b"caf\xe9.py": "caf\\xe9.py",
    b"bidi\xe2\x80\xaetxt.py": "bidi\\u202etxt.py",
    b"back`tick|pipe.py": "back`tick|pipe.py",
    b"<!-- hide.py": "<!-- hide.py",
}


@pytest.mark.parametrize("use_git", [True, False], ids=["git", "plain-folder"])
def test_file_names_are_data_in_every_format(tmp_path: Path, capsys, use_git: bool) -> None:
    root = tmp_path / "odd"
    (root / "src").mkdir(parents=True)
    for name in ODD_NAMES:
        with open(os.path.join(os.fsencode(root / "src"), name), "wb") as handle:
            handle.write(b"def broken(:\n")  # a note names each file
    if use_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "odd names")
    report = assert_valid_in_every_format(root, capsys)
    shown = {f"src/{spelling}" for spelling in ODD_NAMES.values()}
    assert shown <= set(notes_by_path(report)), sorted(notes_by_path(report))
    model = assess(root)
    text = markdown.render(model)
    assert "- ``src/back`tick|pipe.py``: Python not parsed" in text  # a code span that holds a backtick
    assert "<!--" not in text.replace(markdown.MARKER, "").replace("`src/<!-- hide.py`", "")
    colored = terminal.render(model, color=True)
    assert "\x1b[31mred" not in colored and "\\x1b[31mred" in colored


def test_the_cli_writes_a_valid_utf8_json_report_for_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = tmp_path / "latin"
    root.mkdir()
    with open(os.path.join(os.fsencode(root), b"caf\xe9.py"), "wb") as handle:
        handle.write(b"def broken(:\n")
    proc = subprocess.run(
        [sys.executable, "-m", "mlops_ladder", "assess", str(root), "--format", "json"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.decode("utf-8"))  # strict decoding: the bytes are valid UTF-8
    assert [n["path"] for n in report["notes"]] == ["caf\\xe9.py"]


def test_upgrade_assesses_alias_bombs_without_hanging(tmp_path: Path, capsys) -> None:
    root = corpus_repo(tmp_path, "bombs")
    code = run(["upgrade", str(root), "--dry-run"])
    captured = capsys.readouterr()
    assert code != ExitCode.INTERNAL and "Traceback" not in captured.err, captured.err
    assert git(root, "status", "--porcelain") == "", "a dry run writes nothing"


def test_an_error_that_names_a_path_prints_it_escaped(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "x\x1b[2Jy"
    assert run(["assess", str(missing)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "\x1b" not in err and "x\\x1b[2Jy" in err and err.count("\n") == 1
