"""Shell idioms in the scripts CI runs: command substitutions, parameter defaults, a script's own
folder, bash arrays, loops over files and arguments passed to scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.ci.collect import collect
from mlops_ladder.assessment.evidence.repo.ci.commands import split
from mlops_ladder.assessment.evidence.repo.ci.commands.metrics import metric_check_line
from mlops_ladder.assessment.evidence.repo.ci.commands.split import split_commands
from mlops_ladder.assessment.evidence.repo.ci.commands.variables import expand, resolve_path
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiEvidence
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

K = ActionKind


def read(tmp_path: Path, files: dict[str, str]) -> CiEvidence:
    write_files(tmp_path, files)
    return collect(list_repo_files(tmp_path))


def workflow(script: str) -> str:
    body = "".join(f"          {line}\n" for line in script.splitlines())
    return "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: |\n" + body


def kinds(evidence: CiEvidence) -> list[tuple[ActionKind, tuple[str, ...]]]:
    return [(a.kind, a.files) for a in evidence.actions]


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${PIPELINE:-mlops/p.yml}", {}, "mlops/p.yml"),
        ("${PIPELINE:-mlops/p.yml}", {"PIPELINE": "other.yml"}, "other.yml"),
        ("${PIPELINE:=mlops/p.yml}", {}, "mlops/p.yml"),
        ("${EMPTY:-d}", {"EMPTY": ""}, "d"),
        ("${EMPTY-d}", {"EMPTY": ""}, ""),
        ("${1:-${JOB_FILE:-job.yml}}", {}, "job.yml"),
        ("${0%/*}/x.yml", {"0": "//repo/scripts/run.sh"}, "//repo/scripts/x.yml"),
        ("${BASH_SOURCE[0]}", {"BASH_SOURCE": "//repo/s.sh"}, "//repo/s.sh"),
        ("$1", {"1": "a.yml"}, "a.yml"),
        ("${UNKNOWN}", {}, "${UNKNOWN}"),
        ("${X:+set}", {}, "${X:+set}"),
        ("${{ github.workspace }}/infra", {}, "//repo/infra"),
    ],
)
def test_parameter_expansions(text: str, env: dict[str, str], expected: str) -> None:
    assert expand(text, env) == expected


def test_paths_from_the_repository_root_ignore_the_working_directory() -> None:
    assert resolve_path("//repo/infra/main.bicep", "some/folder") == "infra/main.bicep"
    assert resolve_path("//repo", "x") == "."
    assert resolve_path("infra/main.bicep", "some") == "some/infra/main.bicep"


def test_substitutions_are_commands_of_their_own() -> None:
    script = (
        "run_id=$(az ml job create -f a.yml --query name -o tsv)\n"
        'if [[ $(az ml job stream -n "$run_id") ]]; then\n  echo ok\nfi\n'
        "echo `az ml model list`\n"
        "az ml $(endpoint_type)-deployment create -f d.yml\n"
        "echo $((1 + 2))"
    )
    commands = split_commands(script)
    inner = [[c.words[:4] for group in command.substitutions for c in group] for command in commands]
    assert inner[0] == [["az", "ml", "job", "create"]]
    assert inner[1] == [["az", "ml", "job", "stream"]]
    assert inner[3] == [["az", "ml", "model", "list"]]
    assert commands[4].words[:2] == ["az", "ml"] and not commands[4].substitutions  # $(name): a macro
    assert not commands[5].substitutions  # $((...)): arithmetic


def test_multi_line_substitutions_and_arrays_are_one_command() -> None:
    commands = split_commands(
        "X=$(\n  az ml job show -n a\n)\nARGS=(\n  --file x.yml\n)\nARGS+=(--set 'a=b c')"
    )
    assert commands[0].substitutions[0][0].words[:4] == ["az", "ml", "job", "show"]
    assert (commands[1].array, commands[1].words) == (("ARGS", False), ["--file", "x.yml"])
    assert (commands[2].array, commands[2].words) == (("ARGS", True), ["--set", "a=b c"])


def test_comments_in_an_array_literal_are_not_values() -> None:
    script = 'ARGS=(\n  --file job.yml  # the job\n  # a whole line\n  --name "a # b" x#y\n)\n'
    assert split_commands(script)[0].words == ["--file", "job.yml", "--name", "a # b", "x#y"]


def test_an_escaped_quote_in_an_array_literal_keeps_the_value_quoted() -> None:
    script = 'ARGS=(\n  --set "quote=\\"" \\#x  # dropped\n  --name "n # kept"\n)\n'
    assert split_commands(script)[0].words == ["--set", 'quote="', "#x", "--name", "n # kept"]


def test_a_hostile_nesting_of_substitutions_loses_nothing_else(tmp_path: Path) -> None:
    """Thousands of nested `$(` once exhausted the stack and the rest of the workflow went unread."""
    deep = "echo " + "$(" * 3000 + ")" * 3000
    evidence = read(tmp_path, {
        ".github/workflows/ci.yml": workflow(f"{deep}\naz ml job create --file job.yml"),
        "job.yml": "",
    })
    assert (K.SUBMIT_JOB, ("job.yml",)) in kinds(evidence)
    shallow = split_commands("x=$(dirname $(dirname $(readlink -f $0)))")
    assert [c.words[0] for c in shallow[0].substitutions[0]] == ["dirname"]


def test_a_line_of_unclosed_array_literals_is_read_in_linear_time(monkeypatch) -> None:
    """Each `NAME=(` whose `)` is missing made the splitter scan the rest of the line again: a line of
    thousands took quadratic time. The looks are capped per line; an array closed after a few unclosed
    ones is still one."""
    calls = []
    real = split.closing_paren
    monkeypatch.setattr(split, "closing_paren", lambda *a: calls.append(a) or real(*a))
    split_commands("a=( " * 2000)
    assert len(calls) <= split.MAX_UNCLOSED_ARRAYS
    calls.clear()
    last = split_commands("x=( ; " * 3 + "ARGS=(--file job.yml)")[-1]
    assert (last.array, last.words) == (("ARGS", False), ["--file", "job.yml"]) and len(calls) == 4


def test_a_script_that_finds_its_own_folder(tmp_path: Path) -> None:
    script = """\
#!/bin/bash
set -e
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
PIPELINE_FILE="${PIPELINE_FILE:-$PROJECT_ROOT/mlops/pipeline.yml}"
ARGS=(--file "$PIPELINE_FILE")
ARGS+=(--set "display_name=run")
JOB_NAME="$(az ml job create "${ARGS[@]}" --query name -o tsv)"
if az ml job show --name "$JOB_NAME" --query status; then
  az ml component create --file "$(dirname "$0")/component.yml"
fi
"""
    evidence = read(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("cd scripts\nJOB_LOG=x ./pipeline/submit.sh"),
            "scripts/pipeline/submit.sh": script,
            "mlops/pipeline.yml": "type: pipeline\n",
        },
    )
    assert kinds(evidence) == [
        (K.SUBMIT_JOB, ("mlops/pipeline.yml",)),
        (K.WAIT_JOB, ()),
        (K.REGISTER_COMPONENT, ("scripts/pipeline/component.yml",)),
    ]
    assert evidence.actions[0].options["--set"] == "display_name=run"


def test_variables_set_before_a_script_and_its_arguments(tmp_path: Path) -> None:
    evidence = read(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("PIPELINE_FILE=train/job.yml bash run.sh deploy/blue.yml"),
            "run.sh": 'az ml job create -f "${PIPELINE_FILE:-default.yml}"\n'
            'az ml online-deployment create -f "$1"\n',
        },
    )
    assert kinds(evidence) == [(K.SUBMIT_JOB, ("train/job.yml",)), (K.DEPLOY_MODEL, ("deploy/blue.yml",))]


def test_loops_over_found_files_take_the_first_one(tmp_path: Path) -> None:
    script = """\
for ENDPOINT_FILE in $(find .aml/endpoints/*/endpoint.yml); do
  FOLDER=$(dirname $ENDPOINT_FILE)
  DEPLOYMENTS=$(find $FOLDER/deployments -name '*.yml')
  for DEPLOYMENT_FILE in $DEPLOYMENTS; do
    az ml online-deployment create -f $DEPLOYMENT_FILE
  done
done
for comp in prep train; do az ml component create -f components/$comp.yml; done
"""
    evidence = read(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(script),
            ".aml/endpoints/web/endpoint.yml": "name: web\n",
            ".aml/endpoints/web/deployments/main.yml": "name: main\n",
        },
    )
    assert kinds(evidence) == [
        (K.DEPLOY_MODEL, (".aml/endpoints/web/deployments/main.yml",)),
        (K.REGISTER_COMPONENT, ("components/prep.yml",)),
    ]


def test_a_substitution_runs_in_a_subshell(tmp_path: Path) -> None:
    script = 'ROOT=$(cd infra && pwd)\naz deployment group create -g rg -f "$ROOT/main.bicep"\n'
    script += "az ml job create -f j.yml"
    evidence = read(tmp_path, {".github/workflows/ci.yml": workflow(script)})
    assert kinds(evidence) == [(K.APPLY_IAC, ("infra/main.bicep",)), (K.SUBMIT_JOB, ("j.yml",))]
    assert evidence.actions[1].working_directory == ""  # the `cd` inside $(...) did not move the script


def test_a_variable_whose_substitution_reads_itself_ends(tmp_path: Path) -> None:
    """`ID=$(sh -c 'echo $ID')` twice: the second value holds the first, which holds `$ID`..."""
    script = "ID=$(bash -c 'source /etc/os-release && echo $ID')\n" * 2 + "az ml job create -f j.yml"
    evidence = read(tmp_path, {".github/workflows/ci.yml": workflow(script)})
    assert kinds(evidence) == [(K.SUBMIT_JOB, ("j.yml",))]


def test_a_trailing_backtick_is_a_powershell_continuation_only() -> None:
    assert len(split_commands("X=`az ml job list`\naz ml job create -f a.yml")) == 2
    assert len(split_commands("az ml job create `\n  -f a.yml", windows=True)) == 1


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            'ACC=$(az ml job show -n "$RUN" --query properties.metrics.accuracy -o tsv)\n'
            'if (( $(echo "$ACC < 0.8" | bc -l) )); then exit 1; fi',
            1,
        ),
        ('AUC=$(python read_metric.py)\n[ "$AUC" -lt 80 ] && exit 2', 1),
        ("THRESHOLD=0.9\necho metric check\nexit 1", 0),  # no comparison: the threshold's line
        ("az ml job show -n run --query metrics\n", None),  # reads, never fails
        ("pytest tests\nif [ $? -gt 0 ]; then exit 1; fi", None),  # no metric
    ],
)
def test_metric_checks_in_scripts(script: str, expected: int | None) -> None:
    assert metric_check_line(script) == expected


def test_a_metric_check_is_an_action(tmp_path: Path) -> None:
    script = "ACC=$(cat metrics.json | jq .accuracy)\nawk -v a=$ACC 'BEGIN {exit !(a >= 0.8)}' || exit 1"
    evidence = read(tmp_path, {".github/workflows/ci.yml": workflow(script)})
    assert kinds(evidence) == [(K.ASSERT_METRICS, ())]
