"""Clear errors: every mistake a user can make on the command line is one line on standard error,
`error: <what> (hint: <how to proceed>)`, with the exit code the README's table promises."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.conftest import git

EXAMPLE = Path(__file__).parent.parent / "examples" / "credit-risk"
COMMANDS = ("assess", "levels", "explain", "new", "upgrade", "update")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "(hint: " in lines[0] and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["assess", "--bogus"], "no such option: --bogus"),
        (["asess"], "no such command 'asess'"),
        (["new"], "missing argument 'DEST'"),
        (["assess", ".", "--fail-under", "9"], "--fail-under"),
        (["assess", ".", "--format", "xml"], "'xml' is not one of"),
        (["levels", "--level", "x"], "--level"),
        (["new", "x", "--level", "6"], "level 6 has no templates yet"),
        (["new", "x", "--level", "0"], "--level 0: not a level"),
        (["new", "x", "--defaults", "--data", "level=5"], "--data level=5: the level is not an answer"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint_and_exit_2(argv, expected, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = run(argv)
    line = one_line_error(capsys)
    assert expected in line
    if argv[-1] != "level=5":  # an answer that is not one is bad input (3), like any other bad answer
        assert code == ExitCode.USAGE, line
    else:
        assert code == ExitCode.BAD_INPUT
    assert "╭" not in line and not list(tmp_path.iterdir()), "a usage error wrote something"


def test_a_usage_error_points_at_the_commands_help(capsys) -> None:
    run(["upgrade", "--bogus"])
    assert one_line_error(capsys).endswith("(hint: see `mlops-ladder upgrade --help`)")


@pytest.mark.parametrize("command", ["assess", "upgrade", "update"])
def test_an_empty_path_is_refused_not_read_as_the_current_folder(command, capsys) -> None:
    assert run([command, ""]) == ExitCode.BAD_INPUT
    assert "an empty path" in one_line_error(capsys)


def test_new_refuses_an_empty_destination(capsys) -> None:
    assert run(["new", "", "--defaults"]) == ExitCode.BAD_INPUT
    assert "an empty DEST" in one_line_error(capsys)


def test_new_where_nothing_can_be_written_names_dest(tmp_path: Path, capsys) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n")
    for dest in (a_file / "project", Path("/proc/mlops-ladder-test/project")):
        assert run(["new", str(dest), "--defaults", "--no-git"]) == ExitCode.BAD_INPUT
        line = one_line_error(capsys)
        assert line.startswith(f"error: {dest}: cannot create the project there"), line
        assert "mlops-ladder-" not in line.replace("mlops-ladder-test", ""), "names the staging folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


# -- unreadable and unwritable folders: root reads and writes everything, so run as nobody ----------


def _unprivileged_command() -> list[str] | None:
    """A command line that runs mlops-ladder without root's rights, or None where that is impossible."""
    if not hasattr(os, "geteuid"):
        return None
    if os.geteuid() != 0:
        return [sys.executable, "-m", "mlops_ladder"]
    system_python = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not shutil.which("setpriv") or not system_python.exists():
        return None
    site_packages = next(p for p in sys.path if p.endswith("site-packages"))
    setup = f"import site, sys; site.addsitedir({site_packages!r}); "
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(system_python), "-c"]
    # the user must reach the installed tool: not so in a checkout under a private folder (mktemp -d)
    probe = subprocess.run([*as_nobody, setup + "import mlops_ladder.cli.main"], capture_output=True)
    if probe.returncode != 0:
        return None
    run = "sys.argv[0] = 'mlops-ladder'; from mlops_ladder.cli.main import main; main()"
    return [*as_nobody, setup + run]


UNPRIVILEGED = _unprivileged_command()


@pytest.fixture
def locked(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("locked")
    for folder in (base, *base.parents):  # nobody must reach the folder to be refused by it
        if folder == Path("/") or folder.stat().st_mode & 0o005 == 0o005:
            break
        folder.chmod(folder.stat().st_mode | 0o005)
    locked = base / "locked"
    locked.mkdir()
    (locked / "train.py").write_text("import sklearn\n")
    locked.chmod(0)
    yield locked
    locked.chmod(0o755)


@pytest.mark.skipif(UNPRIVILEGED is None, reason="cannot run as an unprivileged user here")
@pytest.mark.parametrize("argv", [["assess"], ["upgrade"], ["update"], ["assess", "--format", "json"]])
def test_an_unreadable_folder_is_exit_3_with_one_line(locked: Path, argv) -> None:
    proc = subprocess.run(
        [*UNPRIVILEGED, argv[0], str(locked), *argv[1:]], capture_output=True, text=True, cwd="/"
    )
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert proc.stderr.strip() == (
        f"error: {locked}: permission denied (hint: check the folder's permissions)"
    ), proc.stderr
    assert proc.stdout == ""


@pytest.mark.skipif(UNPRIVILEGED is None, reason="cannot run as an unprivileged user here")
def test_new_into_an_unwritable_folder_is_exit_3_naming_dest(locked: Path) -> None:
    dest = locked.parent / "readonly" / "project"
    dest.parent.mkdir()
    dest.parent.chmod(0o555)
    try:
        proc = subprocess.run(
            [*UNPRIVILEGED, "new", str(dest), "--defaults", "--no-git"],
            capture_output=True,
            text=True,
            cwd="/",
        )
    finally:
        dest.parent.chmod(0o755)
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert proc.stderr.startswith(f"error: {dest}: cannot create the project there"), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert list(dest.parent.iterdir()) == []


# -- upgrade and update ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("gen") / "project"
    new_project(dest, 1, complete({"name_suffix": "ab12"}, 1))
    return dest


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(generated, copy, symlinks=True)
    return copy


def status(root: Path) -> str:
    return git(root, "status", "--porcelain", "--untracked-files=all")


def test_dry_run_works_on_a_dirty_work_tree_and_writes_nothing(project: Path, capsys) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nwork in progress\n")
    (project / "scratch.txt").write_text("notes\n")
    before = status(project)
    assert run(["upgrade", str(project), "--dry-run"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out and "mlops/azureml/train/pipeline.yml" in out
    assert "uncommitted changes (README.md, scratch.txt)" in out and "the real run will refuse" in out
    assert run(["update", str(project), "--dry-run"]) == ExitCode.OK
    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert status(project) == before
    # the real runs still refuse
    assert run(["upgrade", str(project)]) == ExitCode.REFUSED
    assert "uncommitted changes" in one_line_error(capsys)
    assert run(["update", str(project)]) == ExitCode.REFUSED
    assert status(project) == before


def test_update_outside_git_hints_git_add_all(tmp_path: Path, capsys) -> None:
    assert run(["update", str(tmp_path)]) == ExitCode.REFUSED
    line = one_line_error(capsys)
    assert "git add -A" in line and "commit -am" not in line


def test_a_stray_answers_file_names_the_file(project: Path, capsys) -> None:
    answers = project / ".mlops-ladder"
    shutil.copy(answers / "level-1.answers.yml", answers / "level-9.answers.yml")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "stray")
    for command in ("upgrade", "update"):
        assert run([command, str(project)]) == ExitCode.BAD_INPUT
        line = one_line_error(capsys)
        assert line.startswith("error: .mlops-ladder/level-9.answers.yml: level 9 has no template layer"), (
            line
        )
    assert status(project) == ""


def test_a_bad_value_in_a_recorded_answers_file_names_the_file_and_key(project: Path, capsys) -> None:
    answers = project / ".mlops-ladder" / "level-1.answers.yml"
    answers.write_text(answers.read_text().replace("compute_max_nodes: 2", "compute_max_nodes: lots"))
    git(project, "commit", "-q", "-am", "damaged")
    assert run(["upgrade", str(project)]) == ExitCode.BAD_INPUT
    line = one_line_error(capsys)
    assert line.startswith("error: .mlops-ladder/level-1.answers.yml: compute_max_nodes: lots: not a whole")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("compute_max_nodes: lots\n", "answers.yml: compute_max_nodes: lots: not a whole number"),
        ("compute_max_nodes: 500\n", "answers.yml: compute_max_nodes: 500: must be a whole number from 1"),
        ("level: 7\n", "answers.yml: level: 7: the level is not an answer"),
        ("projct_name: fraud\n", "answers.yml: unknown answer 'projct_name' (did you mean project_name?)"),
        ("python_version: 3.10\n", "answers.yml: python_version: 3.1: must be text"),
        ("environments: {dev: 1}\n", "answers.yml: environments: {'dev': 1}: must be a non-empty list"),
        ("package_name: class\n", "answers.yml: package_name: class: is a Python keyword"),
    ],
)
def test_answers_file_errors_name_the_file_and_the_key(content, expected, tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(content)
    code = run(["new", str(tmp_path / "p"), "--defaults", "--answers", str(answers)])
    assert code == ExitCode.BAD_INPUT
    line = one_line_error(capsys)
    assert f"error: {tmp_path}/{expected}" in line, line
    assert not (tmp_path / "p").exists()


def test_an_answers_file_may_repeat_the_level_it_is_used_with(tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("level: 1\nproject_name: fraud\n")
    assert run(["new", str(tmp_path / "p"), "--defaults", "--no-git", "--answers", str(answers)]) == 0
    assert "project_name: fraud" in (tmp_path / "p" / ".mlops-ladder" / "level-1.answers.yml").read_text()


# -- help texts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_plain_accurate_text(command, capsys) -> None:
    argv = [command, "--help"] if command else ["--help"]
    assert run(argv) == ExitCode.OK
    out = " ".join(capsys.readouterr().out.split())  # help is wrapped to the terminal's width
    assert "<bool>" not in out and "<list" not in out and "<int range>" not in out and "╭" not in out
    if command in ("upgrade", "update"):
        assert "to assess" not in out and f"to {command}" in out
        assert "works on a dirty work tree" in out
    if command in ("new", "upgrade"):
        assert "KEY=VALUE" in out and "1-5" in out and "no templates yet" not in out
