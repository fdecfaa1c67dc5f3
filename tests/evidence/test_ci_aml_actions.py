"""The Azure ML GitHub actions (Azure/aml-run, aml-registermodel, aml-deploy, aml-compute, aml-workspace):
what each step does, read from its parameters file in .cloud/.azure/ (ci/github/aml_actions.py)."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind
from tests.evidence.test_ci import read

K = ActionKind
WORKFLOW = ".github/workflows/ml.yml"


def workflow(*steps: str) -> str:
    body = "".join(f"      - {step}\n" for step in steps)
    return f"on: [push, workflow_dispatch]\njobs:\n  ml:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


def uses(action: str, **inputs: str) -> str:
    given = "".join(f"\n          {key}: {value}" for key, value in inputs.items())
    return f"uses: {action}\n        with:\n          azure_credentials: ${{{{ secrets.AZURE }}}}{given}"


def kinds(evidence) -> list[tuple[ActionKind, tuple[str, ...]]]:
    return [(a.kind, a.files) for a in evidence.actions]


def test_aml_run_submits_the_first_file_that_exists_and_waits(tmp_path: Path) -> None:
    evidence, _ = read(tmp_path, {
        WORKFLOW: workflow(uses("Azure/aml-run@v1")),
        ".cloud/.azure/run.json": json.dumps({"pipeline_yaml_file": "/pipelines/train.yml"}),
        "pipelines/train.yml": "pipeline: {steps: {}}\n",
    })
    # the run configuration default (code/train/run_config.yml) does not exist: the pipeline YAML is next
    assert kinds(evidence) == [
        (K.SUBMIT_JOB, ("pipelines/train.yml", ".cloud/.azure/run.json")),
        (K.WAIT_JOB, ("pipelines/train.yml", ".cloud/.azure/run.json")),
    ]
    submit = evidence.actions[0]
    assert submit.command.startswith("Azure/aml-run@v1: submits pipelines/train.yml")
    assert submit.options == {"--parameters-file": ".cloud/.azure/run.json"}


def test_aml_run_defaults_python_config_and_no_wait(tmp_path: Path) -> None:
    evidence, _ = read(tmp_path, {
        WORKFLOW: workflow(uses("Azure/aml-run@v1", parameters_file="train.json")),
        ".cloud/.azure/train.json": json.dumps(
            {"runconfig_python_file": "ops/config", "wait_for_completion": False}
        ),
        "ops/config.py": "def main(ws):\n    return None\n",
    })
    assert kinds(evidence) == [(K.SUBMIT_JOB, ("ops/config.py", ".cloud/.azure/train.json"))]


def test_aml_run_without_parameters_uses_the_default_run_configuration(tmp_path: Path) -> None:
    evidence, _ = read(tmp_path, {WORKFLOW: workflow(uses("Azure/aml-run@v1"))})
    default = ("code/train/run_config.yml",)
    assert kinds(evidence) == [(K.SUBMIT_JOB, default), (K.WAIT_JOB, default)]


def test_aml_registermodel_gates_on_metrics_only_from_a_run(tmp_path: Path) -> None:
    params = {"model_name": "credit", "metrics_max": ["auc"], "metrics_min": ["loss"]}
    from_run = uses("Azure/aml-registermodel@v1", run_id="${{ steps.run.outputs.run_id }}",
                    experiment_name="${{ steps.run.outputs.experiment_name }}")
    evidence, _ = read(tmp_path, {
        WORKFLOW: workflow(from_run, uses("Azure/aml-registermodel@v1")),
        ".cloud/.azure/registermodel.json": json.dumps(params),
    })
    found = [(a.kind, a.step, a.command.split(": ", 1)[1]) for a in evidence.actions]
    assert [kind for kind, _, _ in found] == [K.ASSERT_METRICS, K.REGISTER_MODEL, K.REGISTER_MODEL]
    assert found[0][2] == "fails when the run's auc, loss is worse than the registered model credit's"
    assert found[2][2] == "registers model.pkl from a model file of the checkout"
    forced = tmp_path / "forced"
    evidence, _ = read(forced, {
        WORKFLOW: workflow(from_run),
        ".cloud/.azure/registermodel.json": json.dumps({**params, "force_registration": True}),
    })
    assert [a.kind for a in evidence.actions] == [K.REGISTER_MODEL]


def test_aml_deploy_deploys_a_registered_model_and_smoke_tests_it(tmp_path: Path) -> None:
    evidence, _ = read(tmp_path, {
        WORKFLOW: workflow(uses("Azure/aml-deploy@v1", model_name="credit", model_version="3",
                                parameters_file="deploy_aks.json")),
        ".cloud/.azure/deploy_aks.json": json.dumps({
            "inference_source_directory": "serve/", "inference_entry_script": "score.py",
            "conda_file": "env.yml", "deployment_compute_target": "aks-prod", "test_enabled": True,
            "test_file_path": "tests/smoke",
        }),
        "serve/score.py": "def init():\n    pass\n\n\ndef run(raw):\n    return raw\n",
        "tests/smoke.py": "def main(service):\n    service.run('{}')\n",
    })
    deploy, invoke = evidence.actions
    assert (deploy.kind, deploy.target_kind) == (K.DEPLOY_MODEL, "registered-model")
    assert deploy.files == (".cloud/.azure/deploy_aks.json", "serve/score.py")  # serve/env.yml does not exist
    assert deploy.options == {"--model": "credit:3", "--compute-target": "AKS cluster aks-prod"}
    assert invoke.kind is K.INVOKE_ENDPOINT
    assert invoke.files == (".cloud/.azure/deploy_aks.json", "tests/smoke.py")
    assert invoke.index > deploy.index


def test_aml_deploy_that_only_builds_an_image_deploys_nothing(tmp_path: Path) -> None:
    evidence, _ = read(tmp_path, {
        WORKFLOW: workflow(uses("Azure/aml-deploy@v1", model_name="m", model_version="1")),
        ".cloud/.azure/deploy.json": json.dumps({"skip_deployment": True, "create_image": "docker"}),
    })
    assert evidence.actions == []


def test_aml_compute_and_workspace(tmp_path: Path) -> None:
    evidence, _ = read(tmp_path, {
        WORKFLOW: workflow(uses("Azure/aml-workspace@v1"), uses("Azure/aml-compute@v1")),
        ".cloud/.azure/compute.json": json.dumps(
            {"name": "cpu", "compute_type": "amlcluster", "max_nodes": 2}
        ),
    })
    compute = evidence.actions
    assert [a.kind for a in compute] == [K.CREATE_COMPUTE]
    assert compute[0].options == {"--type": "amlcluster", "--min-instances": "0", "--max-instances": "2"}


def test_malformed_parameters_file_is_a_note_and_the_defaults_apply(tmp_path: Path) -> None:
    evidence, files = read(tmp_path, {
        WORKFLOW: workflow(uses("Azure/aml-run@v1")),
        ".cloud/.azure/run.json": "{ not json",
        "code/train/run_config.yml": "script: train.py\n",
    })
    assert [(a.kind, a.files[0]) for a in evidence.actions] == [
        (K.SUBMIT_JOB, "code/train/run_config.yml"), (K.WAIT_JOB, "code/train/run_config.yml"),
    ]
    assert any(n.path == ".cloud/.azure/run.json" and "malformed JSON" in n.reason for n in files.notes)
    listed, _ = read(tmp_path / "list", {
        WORKFLOW: workflow(uses("Azure/aml-deploy@v1", model_name="m", model_version="1")),
        ".cloud/.azure/deploy.json": "[1, 2]",
    })
    assert [a.kind for a in listed.actions] == [K.DEPLOY_MODEL]
