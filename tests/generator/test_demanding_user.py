"""What a demanding user does to a generated project before `upgrade`, and what they are owed:
files with Windows line endings merge line by line (not as one whole-file conflict)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator.merge import Action, decide
from tests.conftest import git
from tests.generator.projects import commit_all


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


# -- Windows line endings ----------------------------------------------------------------------


def test_a_file_only_converted_to_crlf_is_updated_and_keeps_crlf() -> None:
    base, theirs = b"a\nb\nc\n", b"a\nB\nc\n"
    decision = decide(base, crlf(base), theirs, "f.txt")
    assert decision.action == Action.UPDATE and decision.content == crlf(theirs)


def test_a_crlf_file_with_edits_merges_line_by_line_in_crlf() -> None:
    base, theirs = b"a\nb\nc\nd\ne\n", b"a\nB\nc\nd\ne\n"
    ours = crlf(b"a\nb\nc\nd\ne\nmine\n")
    decision = decide(base, ours, theirs, "f.txt")
    assert decision.action == Action.MERGE and decision.content == crlf(b"a\nB\nc\nd\ne\nmine\n")


def test_a_crlf_file_already_holding_the_template_change_needs_nothing() -> None:
    assert decide(b"a\n", crlf(b"b\n"), b"b\n", "f.txt").action is None


def test_upgrade_of_crlf_files_merges_without_conflicts(project: Path, capsys) -> None:
    """A Windows checkout (core.autocrlf) has every text file in CRLF: the README the user appended to and a
    parameters file they never changed take the level's changes, keep CRLF, and nothing conflicts."""
    readme, params = project / "README.md", project / "infra" / "env" / "dev.bicepparam"
    readme.write_bytes(crlf(readme.read_bytes() + b"\n## Our notes\n\nOn call: alice\n"))
    params.write_bytes(crlf(params.read_bytes()))
    commit_all(project)
    assert run(["upgrade", str(project), "--to", "5"]) == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "CONFLICT" not in out
    text = readme.read_bytes()
    assert b"<<<<<<<" not in text and text.endswith(b"## Our notes\r\n\r\nOn call: alice\r\n")
    assert b"maturity level\r\n5**" in text and text.count(b"\n") == text.count(b"\r\n")
    assert b"param networkIsolation = true" in params.read_bytes()
    assert params.read_bytes().count(b"\n") == params.read_bytes().count(b"\r\n")


# -- a folder where the template has a file, a file where it has a folder -------------------------


@pytest.mark.parametrize(
    ("own", "path"),
    [("docs/training.md/notes.txt", "docs/training.md"), ("infra/layers", "infra/layers/20-training.bicep")],
)
def test_a_path_the_repository_uses_otherwise_is_kept_and_reported(
    project: Path, capsys, own: str, path: str
) -> None:
    """Level 2 adds docs/training.md and infra/layers/20-training.bicep: the user's folder or file in the
    way is left alone and listed, the rest of the level is added (not an internal error)."""
    (project / own).parent.mkdir(parents=True, exist_ok=True)
    (project / own).write_text("ours\n")
    commit_all(project)
    assert run(["upgrade", str(project)]) == ExitCode.OK, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"keep yours  {path}  [level-2]" in out and f"Note: {path} not written: the repository has" in out
    assert (project / own).read_text() == "ours\n"
    assert (project / "mlops" / "azureml" / "train" / "pipeline.yml").is_file()
    assert git(project, "status", "--porcelain", "--", own) == ""


# -- answers files edited by hand ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["two", "7", "0", "true", "[1]"])
@pytest.mark.parametrize("command", ["upgrade", "update"])
def test_a_hand_edited_level_in_an_answers_file_is_a_one_line_error_naming_it(
    project: Path, capsys, value: str, command: str
) -> None:
    answers = project / ".mlops-ladder" / "level-1.answers.yml"
    answers.write_text(answers.read_text().replace("\nlevel: 1\n", f"\nlevel: {value}\n"))
    commit_all(project)
    assert run([command, str(project)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: .mlops-ladder/level-1.answers.yml: level") and err.count("\n") == 1, err
    assert "failed to render" not in err and "hint: " in err


# -- conflicts committed without being resolved -------------------------------------------------


def test_committed_conflict_markers_are_refused_before_merging_again(project: Path, capsys) -> None:
    """A conflict of the last upgrade committed as it is: the next upgrade would nest a second set of markers
    in the first; it refuses (exit 4), names the file and writes nothing."""
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("1** on Azure Machine Learning.", "1** on Azure ML, ours."))
    commit_all(project)
    assert run(["upgrade", str(project)]) == ExitCode.CONFLICTS
    assert "<<<<<<< README.md (yours)" in readme.read_text()
    commit_all(project, "upgrade to 2, conflicts left")
    capsys.readouterr()
    for command in (["upgrade", str(project)], ["upgrade", str(project), "--dry-run"]):
        assert run(command) == ExitCode.REFUSED
        err = capsys.readouterr().err
        assert err.startswith("error: README.md: ") and "conflict markers" in err and err.count("\n") == 1
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    assert readme.read_text().count("<<<<<<<") == 1
