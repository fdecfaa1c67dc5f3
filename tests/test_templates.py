"""The template layers keep their contract: the same questions everywhere, disjoint files,
one answers file each, and `new` is all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlops_ladder.cli.main import run
from mlops_ladder.errors import ExitCode
from mlops_ladder.generator import new as new_module
from mlops_ladder.generator.layers import MAX_TEMPLATE_LEVEL, TEMPLATES_DIR, layer
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import QUESTIONS, complete

LEVELS = range(1, MAX_TEMPLATE_LEVEL + 1)


def copier_config(level: int) -> dict:
    return yaml.safe_load((TEMPLATES_DIR / f"level-{level}" / "copier.yml").read_text())


@pytest.mark.parametrize("level", LEVELS)
def test_every_layer_declares_every_question_with_the_same_default(level: int) -> None:
    config = copier_config(level)
    declared = {k for k in config if not k.startswith("_")}
    assert declared == {q.name for q in QUESTIONS}
    for q in QUESTIONS:
        if isinstance(q.default, str | int | list) and "{{" not in str(config[q.name].get("default")):
            if q.name == "name_suffix":
                continue  # the generator always sets it
            assert config[q.name].get("default") == q.default, q.name
    assert config["_answers_file"] == layer(level).answers_file
    assert config["_subdirectory"] == "template"


def test_layers_own_disjoint_files(tmp_path: Path) -> None:
    answers = complete({"name_suffix": "ab12"}, 3)
    owners: dict[str, int] = {}
    for level in LEVELS:
        dest = tmp_path / f"only-{level}"
        new_module.render_layer(layer(level), dest, answers)
        for path in dest.rglob("*"):
            if path.is_file():
                rel = path.relative_to(dest).as_posix()
                assert rel not in owners, f"{rel} is written by level {owners[rel]} and level {level}"
                owners[rel] = level


def test_new_refuses_a_non_empty_destination_before_asking_anything(tmp_path: Path, capsys) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine\n")
    assert run(["new", str(dest), "--level", "1"]) == ExitCode.REFUSED
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_new_without_a_terminal_needs_defaults(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert run(["new", str(tmp_path / "p")]) == ExitCode.BAD_INPUT
    assert "--defaults" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_bad_answers_write_nothing(tmp_path: Path, capsys) -> None:
    dest = tmp_path / "p"
    code = run(["new", str(dest), "--defaults", "--data", "project_name=Bad_Name"])
    assert code == ExitCode.BAD_INPUT
    assert "--data project_name=Bad_Name: must be 3-16 characters" in capsys.readouterr().err
    assert not dest.exists() and list(tmp_path.iterdir()) == []


def test_every_level_has_a_template_layer_and_level_6_is_refused(tmp_path: Path, capsys) -> None:
    assert MAX_TEMPLATE_LEVEL == 5
    assert all((TEMPLATES_DIR / f"level-{n}" / "copier.yml").is_file() for n in range(1, 6))
    assert run(["new", str(tmp_path / "p"), "--level", "6", "--defaults"]) == ExitCode.USAGE
    assert "level 6 has no templates yet" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_new_from_an_answers_file(tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: fraud\nenvironments: [dev, prod]\nname_suffix: zz99\n")
    dest = tmp_path / "fraud"
    assert run(["new", str(dest), "--level", "2", "--defaults", "--answers", str(answers)]) == ExitCode.OK
    config = (dest / "mlops" / "config.yml").read_text()
    assert "mlw-fraud-prod" in config and "rg-fraud-dev" in config
    assert (dest / ".git").is_dir()
    assert "level 2" in capsys.readouterr().out


def test_a_failure_mid_way_leaves_no_trace(tmp_path: Path, monkeypatch) -> None:
    real = new_module.render_layer

    def failing(lyr, dest, answers):
        if lyr.level == 2:
            raise RuntimeError("disk full")
        return real(lyr, dest, answers)

    monkeypatch.setattr(new_module, "render_layer", failing)
    with pytest.raises(RuntimeError):
        new_project(tmp_path / "p", 2, complete({"name_suffix": "ab12"}, 2))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_empty_folder_is_filled(tmp_path: Path) -> None:
    dest = tmp_path / "p"
    dest.mkdir()
    result = new_project(dest, 1, complete({"name_suffix": "ab12"}, 1), git=False)
    assert (dest / "README.md").exists() and "README.md" in result.files
    assert list(tmp_path.iterdir()) == [dest]
