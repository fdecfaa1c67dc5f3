"""Checks on other ML platforms (checks/platforms/) and their composition."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.checks import alternatives
from mlops_ladder.assessment.checks.base import CheckResult, Outcome, failed, not_applicable, passed, unknown
from mlops_ladder.assessment.checks.platforms import monitoring as platform_monitoring
from mlops_ladder.assessment.checks.platforms import release as platform_release
from mlops_ladder.assessment.checks.platforms import training as platforms
from mlops_ladder.assessment.checks.platforms.data_pipeline import data_pipeline_is_promoted
from mlops_ladder.assessment.evidence.repo.ci.codebuild import _packaged_from
from mlops_ladder.assessment.evidence.repo.collect import collect_repo
from tests.conftest import make_repo
from tests.test_criteria_cases import load_case

WORKFLOW = """\
name: train
on: [push]
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: python train.py
"""


def repo_with(tmp_path: Path, train: str, **files: str):
    return collect_repo(
        make_repo(
            tmp_path / "repo",
            {
                "train.py": train,
                "requirements.txt": "scikit-learn\n",
                ".github/workflows/train.yml": WORKFLOW,
                **files,
            },
        )
    )


def test_a_script_that_fits_and_saves_trains(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        "import joblib\nfrom sklearn.svm import SVC\n"
        "model = SVC().fit([[0], [1]], [0, 1])\njoblib.dump(model, 'm')\n",
    )
    assert platforms.platform_defines_training_job(repo).outcome is Outcome.PASS
    assert platforms.platform_defines_training_environment(repo).outcome is Outcome.PASS
    assert platforms.platform_submits_training(repo).outcome is Outcome.PASS


def test_a_script_that_fits_but_keeps_nothing_does_not_train(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path, "from sklearn.svm import SVC\nprint(SVC().fit([[0], [1]], [0, 1]).score([[0]], [0]))\n"
    )
    result = platforms.platform_defines_training_job(repo)
    assert result.outcome is Outcome.FAIL
    assert "no training job" in result.found


def test_training_in_an_imported_module_counts(tmp_path: Path) -> None:
    model = "import mlflow\n\n\ndef fit(x, y, model):\n    mlflow.sklearn.log_model(model.fit(x, y), 'm')\n"
    repo = repo_with(
        tmp_path, "from pkg.model import fit\nfit([[0]], [0], None)\n", **{"pkg/model.py": model}
    )
    assert platforms.platform_defines_training_job(repo).outcome is Outcome.PASS


def test_a_script_that_cannot_be_parsed_is_unknown(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "def broken(:\n    pass\n")
    result = platforms.platform_defines_training_job(repo)
    assert result.outcome is Outcome.UNKNOWN
    assert "could not be read" in result.found


def test_no_platform_at_all_fails_without_guessing(tmp_path: Path) -> None:
    repo = collect_repo(make_repo(tmp_path / "repo", {"app.py": "print('hello')\n"}))
    for check in (*platforms.CHECKS, *platform_release.CHECKS, *platform_monitoring.CHECKS):
        outcome = check(repo).outcome
        expected = (
            Outcome.NOT_APPLICABLE
            if check is platform_monitoring.platform_collects_inference_data
            else Outcome.FAIL
        )
        assert outcome is expected, check.__name__


def _const(result: CheckResult):
    return lambda evidence: result


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ((failed("a"), passed("b")), Outcome.PASS),
        ((failed("a"), unknown("b")), Outcome.UNKNOWN),
        ((not_applicable("a"), failed("b")), Outcome.FAIL),
        ((not_applicable("a"), unknown("b")), Outcome.UNKNOWN),
        ((not_applicable("a"), not_applicable("b")), Outcome.NOT_APPLICABLE),
        ((failed("a"), failed("b")), Outcome.FAIL),
    ],
)
def test_any_of_leaves_out_alternatives_that_do_not_apply(results, expected: Outcome) -> None:
    combined = alternatives.any_of(None, [(f"alt{i}", _const(r)) for i, r in enumerate(results)])
    assert combined.outcome is expected
    if expected is Outcome.FAIL:
        assert "alt0: a" not in combined.found or results[0].outcome is Outcome.FAIL


def test_every_alternative_is_a_registered_check() -> None:
    from mlops_ladder.assessment.checks.registry import CHECKS

    for name, options in alternatives.ALTERNATIVES.items():
        assert name in CHECKS
        for _, check in options:
            assert check in CHECKS, f"{name} names {check}, which is not registered"


@pytest.mark.parametrize(
    ("artifact", "template", "expected"),
    [
        ("env-main.yaml-packaged", "env-main.yaml", True),
        ("endpoint-packaged.yaml", "endpoint.yaml", True),
        ("cfn-sm-endpoint.yaml", "cfn-sm-endpoint-template.yaml", True),
        ("endpoint.yaml", "network.yaml", False),
        ("endpoint.yaml", "endpointconfig.yaml", False),
    ],
)
def test_a_deployed_artifact_is_matched_to_the_template_it_was_packaged_from(
    artifact: str, template: str, expected: bool
) -> None:
    assert _packaged_from(artifact, template) is expected


def test_a_pipeline_started_by_name_counts_when_the_repository_defines_it(tmp_path: Path) -> None:
    import yaml

    shared = Path(__file__).parent.parent / "criteria_cases" / "_shared" / "sagemaker_training.yaml"
    files = yaml.safe_load(shared.read_text(encoding="utf-8"))["files"]
    files["infra/build.yaml"] = "Resources: {}\n"  # no CodePipeline: the workflow below starts it
    start = "      - run: aws sagemaker start-pipeline-execution --pipeline-name churn\n"
    files[".github/workflows/train.yml"] = WORKFLOW.replace("      - run: python train.py\n", start)
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    result = platforms.platform_submits_training(repo)
    assert result.outcome is Outcome.PASS
    assert "SageMaker Pipeline in seed/pipelines/churn/pipeline.py" in result.found
    files["seed/pipelines/churn/pipeline.py"] = "from sagemaker.workflow.pipeline import Pipeline\n"
    other = collect_repo(make_repo(tmp_path / "other", files))
    assert platforms.platform_submits_training(other).outcome is Outcome.UNKNOWN


def test_a_ci_script_that_submits_a_compiled_pipeline_starts_the_training(tmp_path: Path) -> None:
    import yaml

    shared = Path(__file__).parent.parent / "criteria_cases" / "_shared" / "vertex_pipelines.yaml"
    files = yaml.safe_load(shared.read_text(encoding="utf-8"))["files"]
    files["cloudbuild/terraform-apply.yaml"] = "steps:\n  - name: python:3.11\n    args: [python, -V]\n"
    files["cloudbuild/run.yaml"] = (
        "steps:\n  - name: python:3.11\n    entrypoint: bash\n"
        "    args: [-c, 'pip install -r pipelines/requirements.txt && python pipelines/submit.py']\n"
    )
    files["pipelines/submit.py"] = (
        "from google.cloud import aiplatform\n\n"
        "aiplatform.PipelineJob(display_name='train', template_path='training.json').run()\n"
    )
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    result = platforms.platform_submits_training(repo)
    assert result.outcome is Outcome.PASS
    assert "pipelines/submit.py, which submits Vertex AI / Kubeflow pipelines" in result.found


def test_data_pipeline_promotion_is_not_applicable_without_a_data_pipeline(tmp_path: Path) -> None:
    # A bundle whose only job trains: no data pipeline, whatever CI deploys.
    files = load_case("MLL-321", "pass")["files"]
    files["lake/notebooks/curate_orders.py"] = "# Databricks notebook source\nprint('nothing written')\n"
    result = data_pipeline_is_promoted(collect_repo(make_repo(tmp_path / "repo", files)))
    assert result.outcome is Outcome.NOT_APPLICABLE, result.found


def test_data_pipeline_deployed_to_a_target_set_at_run_time_is_unknown(tmp_path: Path) -> None:
    files = load_case("MLL-321", "fail")["files"]
    workflow = files[".github/workflows/deploy-lake.yml"]
    files[".github/workflows/deploy-lake.yml"] = workflow.replace("-t dev", '-t "$TARGET"')
    result = data_pipeline_is_promoted(collect_repo(make_repo(tmp_path / "repo", files)))
    assert result.outcome is Outcome.UNKNOWN, result.found
    assert "cannot be resolved" in result.found
