"""Hostile answers: free text with quotes, backslashes, Jinja and shell syntax or any Unicode is
escaped wherever it lands (TOML, YAML, Markdown; never in Python source, where ruff's line length and
ambiguous-character rules would fail the project's CI on some texts), and an answer that would break the
project (a newline, a control character, a Python keyword as the package, a name YAML reads as a
boolean) is refused before anything is written. One project generated with the worst accepted
answers passes its own tests."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from mlops_ladder.cli.main import run
from mlops_ladder.errors import BadInputError, ExitCode
from mlops_ladder.generator.history import CURRENT_VERSION
from mlops_ladder.generator.layers import layer
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from mlops_ladder.generator.render import render_files

# Descriptions a user may well type: each must land verbatim (after unescaping) in every file.
ACCEPTED_DESCRIPTIONS = [
    'Predicts "churn" for the sales team',
    "It's the customer's model",
    r"Windows path C:\data\new\table and a trailing backslash \ ",
    "ends with a backslash \\",
    'ends with a quote "',
    "triple \"\"\" double and triple ''' single quotes",
    "Jinja {{ project_name }} {% if true %}x{% endif %} {# comment #} {% raw %}",
    "GitHub ${{ secrets.GITHUB_TOKEN }} and shell $(rm -rf ~) `uname` $HOME",
    "YAML-ish: key: value # not a comment - item & *anchor !tag |",
    "<script>alert(1)</script> **bold** [link](javascript:x)",
    "Ünïcødé ✓ 模型 🚀 café — naïve",
    r"\N{BULLET} \u0041 \x41 \n \t %s {0} %(name)s",
    "",
]
REFUSED_DESCRIPTIONS = [
    "two\nlines",
    "carriage\rreturn",
    "a\ttab",
    "nul\x00byte",
    "escape \x1b[31mred",
    "bidi \u202eoverride",
    "line separator \u2028",
    "x" * 201,
]
# Every other free-text answer: values that would break a file, each refused before anything is written.
REFUSED_NAMES = {
    "project_name": [
        'churn"model',
        "churn\\model",
        "churn\nmodel",
        "{{x}}",
        "ch urn",
        "modèle",
        "null",
        "yes",
    ],
    "package_name": ["class", "import", "json", "pandas", "pkg-name", 'p"q', "pkg\n", "{{x}}", "yes", "née"],
    "model_name": [
        'm"q',
        "m\\q",
        "m\nq",
        "{{ x }}",
        "${{ x }}",
        "true",
        "1.5",
        "0x1f",
        "2024-01-01",
        "mödel",
    ],
    "environments": ["dev,on", 'dev,"q"', "dev,p\\q", "dev,{{x}}", "dev,dév"],
    "compute_size": ["Standard_DS3_v2\n", 'Standard_"x"', "Standard_{{x}}", "Standard_DS3 v2", "Stándard_x"],
    "name_suffix": ["ab\n1", 'ab"1', "{{x}", "äb12"],
    "azure_location": ["west europe\n", '"westeurope"', "{{x}}"],
    "python_version": ["3.11\n", "3.11; rm -rf /"],
    "deployment_kind": ["online\n", "{{x}}"],
    "ci_system": ["github\n", "gitlab"],
}


def _docstring(source: bytes) -> str | None:
    return ast.get_docstring(ast.parse(source), clean=False)


@pytest.mark.parametrize("description", ACCEPTED_DESCRIPTIONS)
def test_a_hostile_description_lands_verbatim_in_every_file(description: str) -> None:
    answers = complete({"description": description, "name_suffix": "ab12"}, 3)
    level1 = render_files(layer(1).path, "level-1", answers, CURRENT_VERSION)
    level3 = render_files(layer(3).path, "level-3", answers, CURRENT_VERSION)
    assert _docstring(level1["src/churn_model/__init__.py"]).startswith("churn-model: ")
    assert tomllib.loads(level1["pyproject.toml"].decode())["project"]["description"] == description
    assert description in level1["README.md"].decode().splitlines()
    assert f"> {description}" in level3["MODEL_CARD.md"].decode().splitlines()
    endpoint = yaml.safe_load(level3["mlops/azureml/deploy/online/endpoint.yml"])
    assert endpoint["description"] == f"{description} (online scoring)"
    for path, content in {**level1, **level3}.items():  # nothing else broke
        if path.endswith(".py"):
            ast.parse(content, filename=path)
        elif path.endswith((".yml", ".yaml")):
            yaml.safe_load(content)
    recorded = yaml.safe_load(level1[".mlops-ladder/level-1.answers.yml"])
    assert recorded["description"] == description


@pytest.mark.parametrize("description", REFUSED_DESCRIPTIONS)
def test_a_description_that_is_not_one_line_of_text_is_refused(
    description: str, tmp_path: Path, capsys
) -> None:
    dest = tmp_path / "p"
    assert run(["new", str(dest), "--defaults", "--data", f"description={description}"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: --data description=") and len(err.strip().splitlines()) == 1
    assert "\x1b" not in err and "\u202e" not in err, "the refused text reached the terminal raw"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in REFUSED_NAMES.items() for value in values]
)
def test_a_name_that_would_break_a_file_is_refused_before_anything_is_written(name, value, tmp_path, capsys):
    dest = tmp_path / "p"
    code = run(["new", str(dest), "--level", "3", "--defaults", "--data", f"{name}={value}"])
    assert code == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"error: --data {name}=") and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


def test_the_same_rules_hold_for_answers_files(tmp_path: Path, capsys) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({"description": "two\nlines"}))
    assert run(["new", str(tmp_path / "p"), "--defaults", "--answers", str(answers)]) == ExitCode.BAD_INPUT
    assert f"{answers}: description: two\\nlines: must be one line" in capsys.readouterr().err
    with pytest.raises(BadInputError, match="is a Python keyword"):
        complete({"project_name": "class"}, 1)  # the derived package name `class`
    assert not (tmp_path / "p").exists()


# -- the worst accepted answers, end to end ------------------------------------------------------------

WORST = {
    # 200 characters of quotes, backslashes, template syntax and Unicode
    "description": 'Say "hi" \\ it\'s """ \'\'\' {{ x }} {% raw %} ${{ secrets.T }} $(id) `id` '
    "# c: v - é✓模型🚀 <b>x</b> %s {0} \\n \\",
    "project_name": "x-9",
    "model_name": "Churn.Model-v2_x",
    "environments": ["dev", "qa"],
    "name_suffix": "null",
    "compute_size": "Standard_NC4as_T4_v3",
}


@pytest.fixture(scope="module", params=["online", "batch"])
def worst_project(request, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("hostile") / request.param
    new_project(dest, 3, complete({**WORST, "deployment_kind": request.param}, 3))
    return dest


def test_the_worst_answers_make_files_that_parse_and_say_what_was_answered(worst_project: Path) -> None:
    assert len(WORST["description"]) <= 200
    files = [p for p in worst_project.rglob("*") if p.is_file() and ".git" not in p.parts]
    for path in files:
        if path.suffix == ".py":
            ast.parse(path.read_bytes(), filename=str(path))
        elif path.suffix in (".yml", ".yaml"):
            yaml.safe_load(path.read_bytes())
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())
    config = yaml.safe_load((worst_project / "mlops" / "config.yml").read_text())
    assert config["name_suffix"] == "null" and config["model_name"] == "Churn.Model-v2_x"
    assert config["project"] == "x-9"
    assert not [p for p in files if p.suffix == ".py" and "secrets.T" in p.read_text()], (
        "text in Python source"
    )
    pyproject = tomllib.loads((worst_project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == WORST["description"]


def test_the_worst_answers_make_a_project_whose_own_tests_pass(worst_project: Path, tmp_path: Path) -> None:
    work = tmp_path / "copy"
    shutil.copytree(worst_project, work, ignore=shutil.ignore_patterns(".git"))
    bin_dir = Path(sys.executable).parent
    lint = subprocess.run(
        [str(bin_dir / "ruff"), "check", "--no-cache", "."], cwd=work, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MLFLOW_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
