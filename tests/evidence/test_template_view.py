"""The template view: project templates read as the project they generate; Databricks source notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.collect import collect_repo
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.template_view import neutral_text
from mlops_ladder.assessment.evidence.yamlfile import load_yaml
from tests.conftest import make_repo, write_files

GO_WORKFLOW = """\
name: Tests for {{ .input_project_name }}
on:
  pull_request:
defaults:
  run:
    working-directory: ./{{template `project_name` .}}/
env:
  {{ if (eq .input_cloud `azure`) -}}
  ARM_CLIENT_ID: {{`${{ secrets.CLIENT_ID }}`}}
  {{ else -}}
  DATABRICKS_TOKEN: {{`${{ secrets.TOKEN }}`}}
  {{- end }}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: databricks bundle run train_job -t test
"""

COOKIECUTTER_WORKFLOW = """\
name: ci
on: [push]
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "{{ cookiecutter.python_version }}"
      - run: echo {% raw %}${{ github.sha }}{% endraw %}
      - run: python -m {{ cookiecutter.package | lower }}.train
"""

COOKIECUTTER_TRAIN = """\
{# the training entry point #}
from sklearn.linear_model import LogisticRegression
{% if cookiecutter.use_mlflow == 'yes' %}
import mlflow
{% endif %}

MODEL_NAME = "{{ cookiecutter.model_name }}"


def main():
    model = LogisticRegression().fit([[0], [1]], [0, 1])
    return model
"""


def listing(tmp_path: Path, files: dict[str, str]):
    write_files(tmp_path, files)
    return list_repo_files(tmp_path)


def test_an_ordinary_repository_is_not_changed(tmp_path: Path) -> None:
    files = {
        "deploy/app.yml.tmpl": "name: {{ .name }}\n",
        "roles/web.conf.j2": "x={{ y }}\n",
        "a.py": "x = 1\n",
    }
    repo_files = listing(tmp_path, files)
    assert sorted(f.path for f in repo_files.files) == sorted(files)
    assert all(f.source is None for f in repo_files.files)
    assert repo_files.read_text("deploy/app.yml.tmpl") == "name: {{ .name }}\n"
    assert repo_files.notes == []


def test_a_databricks_go_template_is_read_as_the_generated_project(tmp_path: Path) -> None:
    repo_files = listing(
        tmp_path,
        {
            "databricks_template_schema.json": "{}",
            "template/{{.input_root_dir}}/.github/workflows/{{.input_project_name}}-ci.yml.tmpl": GO_WORKFLOW,
            "template/{{.input_root_dir}}/{{template `project_name` .}}/databricks.yml.tmpl": (
                "bundle:\n  name: {{ .input_project_name }}\n"
            ),
            "template/{{.input_root_dir}}/{{template `project_name` .}}/data/sample.csv": "a,b\n{{ x }}\n",
            "library/helpers.tmpl": '{{ define "x" }}y{{ end }}\n',
        },
    )
    workflow = ".github/workflows/input_project_name-ci.yml"
    assert repo_files.get(workflow).source.endswith("-ci.yml.tmpl")
    data = load_yaml(repo_files.read_text(workflow))
    assert data["name"] == "Tests for input_project_name"
    assert data["defaults"]["run"]["working-directory"] == "./project_name/"
    # a condition reads as its first branch; the raw strings are their literal text
    assert data["env"] == {"ARM_CLIENT_ID": "${{ secrets.CLIENT_ID }}"}
    assert load_yaml(repo_files.read_text("project_name/databricks.yml")) == {
        "bundle": {"name": "input_project_name"}
    }
    # files a Go template copies as written are listed at their rendered path, not rewritten
    assert repo_files.read_text("project_name/data/sample.csv") == "a,b\n{{ x }}\n"
    assert [n.path for n in repo_files.notes] == ["databricks_template_schema.json"]


def test_a_cookiecutter_template_renders_every_file_of_its_project_folder(tmp_path: Path) -> None:
    repo_files = listing(
        tmp_path,
        {
            "cookiecutter.json": '{"package": "demo"}',
            "hooks/post_gen_project.py": "print('done')\n",
            "{{cookiecutter.project_slug}}/.github/workflows/ci.yml": COOKIECUTTER_WORKFLOW,
            "{{cookiecutter.project_slug}}/{{cookiecutter.package}}/train.py": COOKIECUTTER_TRAIN,
        },
    )
    workflow = load_yaml(repo_files.read_text(".github/workflows/ci.yml"))
    steps = workflow["jobs"]["train"]["steps"]
    assert steps[0]["with"]["python-version"] == "python_version"
    assert steps[1]["run"] == "echo ${{ github.sha }}"  # {% raw %} keeps the GitHub expression
    assert steps[2]["run"] == "python -m package.train"
    train = repo_files.read_text("package/train.py")
    assert train.count("\n") == COOKIECUTTER_TRAIN.count("\n")  # line numbers are kept
    compile(train, "train.py", "exec")
    assert repo_files.get("hooks/post_gen_project.py").source is None


def test_copier_renders_jinja_files_from_its_subdirectory(tmp_path: Path) -> None:
    repo_files = listing(
        tmp_path,
        {
            "copier.yml": "_subdirectory: template\npackage: {type: str}\n",
            "template/src/{{ package }}/train.py.jinja": "NAME = '{{ package }}'\n",
            "template/README.md": "# {{ package }}\n",
        },
    )
    assert repo_files.read_text("src/package/train.py") == "NAME = 'package'\n"
    assert repo_files.get("README.md") is None  # copier copies files without .jinja as they are


def test_a_real_file_keeps_its_path_and_notes_name_the_template_file(tmp_path: Path) -> None:
    repo_files = listing(
        tmp_path,
        {
            "cookiecutter.json": "{}",
            "{{cookiecutter.slug}}/setup.py": "from setuptools import setup\n",
            "setup.py": "# the template's own setup\n",
            "{{cookiecutter.slug}}/bad.py": "def broken(:\n",
        },
    )
    assert repo_files.read_text("setup.py") == "# the template's own setup\n"
    repo_files.note("bad.py", "Python not parsed: line 1: invalid syntax")
    note = repo_files.notes[-1]
    assert note.path == "{{cookiecutter.slug}}/bad.py"
    assert "read as bad.py" in note.reason


def test_the_generated_project_reaches_the_collectors(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            "cookiecutter.json": "{}",
            "{{cookiecutter.project_slug}}/.github/workflows/ci.yml": COOKIECUTTER_WORKFLOW,
            "{{cookiecutter.project_slug}}/{{cookiecutter.package}}/train.py": COOKIECUTTER_TRAIN,
        },
    )
    repo = collect_repo(root)
    assert repo.python.module_at("package/train.py") is not None
    assert [a.files for a in repo.ci.actions if a.kind == "run-python"] == [("package/train.py",)]


@pytest.mark.parametrize(
    ("text", "flavour", "expected"),
    [
        ("a: {{ .x }}\n", "go", "a: x\n"),
        ("{{/* it's a comment */}}b: 1\n", "go", "b: 1\n"),
        ("{{- if .a }}\nx: 1\n{{- end }}\n", "go", "\nx: 1\n\n"),
        ("v: {{ cookiecutter.name | replace(' ', '_') }}\n", "jinja", "v: name\n"),
        ("v: {{ '${{' }} x }}\n", "jinja", "v: ${{ x }}\n"),
        ("{% for a in b %}\nx\n{% endfor %}\n", "jinja", "\nx\n\n"),
        ("{% if a %}x: 1{% elif b %}x: 2{% else %}x: 3{% endif %}\n", "jinja", "x: 1\n"),
        (
            "{{ if .a }}\nk: 1\n{{ else if .b }}\nk: 2\n{{ end }}\nz: {{ .endpoint }}\n",
            "go",
            "\nk: 1\n\n\n\nz: endpoint\n",
        ),
        ("broken: {{ .x\nnext: 1\n", "go", "broken: {{ .x\nnext: 1\n"),
        ("{# a\nmultiline comment #}y\n", "jinja", "\ny\n"),
    ],
)
def test_neutral_text(text: str, flavour: str, expected: str) -> None:
    assert neutral_text(text, flavour) == expected


def test_databricks_source_notebooks_read_line_magics_as_comments(tmp_path: Path) -> None:
    notebook = (
        "# Databricks notebook source\nimport os\n%cd $notebook_path\n!pip install x\n"
        "# MAGIC %pip install -r requirements.txt\nprint(os.getcwd())\n"
    )
    repo_files = listing(tmp_path, {"notebooks/Train.py": notebook, "script.py": "%cd here\n"})
    text = repo_files.read_text("notebooks/Train.py")
    compile(text, "Train.py", "exec")
    assert text.splitlines()[2] == "# %cd $notebook_path"
    assert repo_files.read_text("script.py") == "%cd here\n"  # only Databricks source notebooks
