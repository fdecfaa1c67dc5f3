"""Azure ML YAML recognition (by $schema, by shape, by name) and the helpers that read assets."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.azureml.assets import (
    data_collector_collections,
    deployment_endpoint,
    deployment_model_ref,
    deployment_scoring_script,
    endpoint_mirror_traffic,
    endpoint_traffic,
    inline_environments,
    monitor_alert_emails,
    monitor_alerts_azure_monitor,
    monitor_signals,
    monitor_target,
    pipeline_steps,
    schedule_job_ref,
    step_component_refs,
)
from mlops_ladder.assessment.evidence.repo.azureml.collect import collect as collect_azureml
from mlops_ladder.assessment.evidence.repo.azureml.jobs import job_data_inputs
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind
from mlops_ladder.assessment.evidence.repo.azureml.values import (
    is_expression,
    is_true,
    parse_asset_ref,
    resolve_local_path,
)
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from tests.conftest import write_files

SCHEMA = "https://azuremlschemas.azureedge.net/latest/{}.schema.json"


def collect(root: Path, files: dict[str, str | bytes]):
    write_files(root, files)
    repo_files = list_repo_files(root)
    return collect_azureml(repo_files), repo_files


def only_asset(root: Path, path: str, text: str) -> AmlAsset:
    evidence, _ = collect(root, {path: text})
    assert len(evidence.assets) == 1, evidence.assets
    return evidence.assets[0]


# -- recognition by $schema ----------------------------------------------------------------

BY_SCHEMA = [
    ("commandJob", "command: python train.py\ncompute: azureml:cpu\n", AmlKind.COMMAND_JOB),
    ("pipelineJob", "type: pipeline\njobs: {}\n", AmlKind.PIPELINE_JOB),
    ("sweepJob", "type: sweep\n", AmlKind.SWEEP_JOB),
    ("sparkJob", "type: spark\nentry: {file: run.py}\n", AmlKind.SPARK_JOB),
    ("commandComponent", "name: prep\ntype: command\n", AmlKind.COMMAND_COMPONENT),
    ("pipelineComponent", "name: train\ntype: pipeline\n", AmlKind.PIPELINE_COMPONENT),
    ("environment", "name: env\nimage: python:3.11\n", AmlKind.ENVIRONMENT),
    ("data", "name: taxi\ntype: uri_file\npath: ./taxi.csv\n", AmlKind.DATA),
    ("model", "name: taxi-model\npath: ./model\n", AmlKind.MODEL),
    ("managedOnlineEndpoint", "name: ep\nauth_mode: key\n", AmlKind.ONLINE_ENDPOINT),
    ("kubernetesOnlineEndpoint", "name: ep\n", AmlKind.ONLINE_ENDPOINT),
    ("managedOnlineDeployment", "name: blue\nendpoint_name: ep\n", AmlKind.ONLINE_DEPLOYMENT),
    ("kubernetesOnlineDeployment", "name: blue\n", AmlKind.ONLINE_DEPLOYMENT),
    ("batchEndpoint", "name: ep\n", AmlKind.BATCH_ENDPOINT),
    ("batchDeployment", "name: dp\n", AmlKind.BATCH_DEPLOYMENT),
    ("modelBatchDeployment", "name: dp\n", AmlKind.BATCH_DEPLOYMENT),
    ("pipelineComponentBatchDeployment", "name: dp\n", AmlKind.BATCH_DEPLOYMENT),
    ("schedule", "name: s\ntrigger: {type: cron, expression: '0 2 * * *'}\ncreate_job: ./p.yml\n",
     AmlKind.JOB_SCHEDULE),
    ("schedule", "name: m\ncreate_monitor: {monitoring_signals: {}}\n", AmlKind.MONITOR_SCHEDULE),
    ("amlCompute", "name: cpu\ntype: amlcompute\n", AmlKind.COMPUTE),
    ("computeInstance", "name: ci\ntype: computeinstance\n", AmlKind.COMPUTE),
    ("kubernetesCompute", "name: k8s\n", AmlKind.COMPUTE),
    ("azureBlob", "name: blob\ntype: azure_blob\n", AmlKind.DATASTORE),
    ("azureDataLakeGen2", "name: adls\n", AmlKind.DATASTORE),
    ("azureFile", "name: files\n", AmlKind.DATASTORE),
    ("registry", "name: reg\n", AmlKind.REGISTRY),
    ("workspace", "name: ws\n", AmlKind.WORKSPACE),
    ("featureSetSpec", "source: {type: parquet}\n", AmlKind.FEATURESET_SPEC),
    ("MLTable", "paths:\n  - file: ./a.csv\n", AmlKind.MLTABLE),
]


@pytest.mark.parametrize(("schema", "body", "kind"), BY_SCHEMA, ids=[f"{s}-{k}" for s, _, k in BY_SCHEMA])
def test_recognised_by_schema(tmp_path: Path, schema: str, body: str, kind: AmlKind) -> None:
    asset = only_asset(tmp_path, "mlops/asset.yml", f"$schema: {SCHEMA.format(schema)}\n{body}")
    assert asset.kind is kind
    assert asset.path == "mlops/asset.yml"


@pytest.mark.parametrize(
    "schema",
    [
        "https://azuremlschemas.azureedge.net/2023-06-01-preview/managedOnlineDeployment.schema.json",
        "http://azureml/sdk-2-0/ManagedOnlineDeployment.json",
        "https://azuremlsdk2.blob.core.windows.net/latest/managedOnlineDeployment.schema.json ",
        "azureml://schemas/managedOnlineDeployment.schema.json",
    ],
)
def test_schema_address_variants(tmp_path: Path, schema: str) -> None:
    asset = only_asset(tmp_path, "deploy.yml", f"$schema: '{schema}'\nname: blue\n")
    assert asset.kind is AmlKind.ONLINE_DEPLOYMENT


def test_schema_wins_over_shape_and_wrong_shape_keeps_its_kind(tmp_path: Path) -> None:
    # Shaped like a deployment, declared as an environment: the declaration decides.
    text = f"$schema: {SCHEMA.format('environment')}\nendpoint_name: ep\nmodel: azureml:m:1\n"
    assert only_asset(tmp_path, "env.yml", text).kind is AmlKind.ENVIRONMENT


def test_asset_line_and_name(tmp_path: Path) -> None:
    text = f"# the blue deployment\n$schema: {SCHEMA.format('managedOnlineDeployment')}\nname: blue\n"
    asset = only_asset(tmp_path, "blue.yml", text)
    assert (asset.line, asset.name, str(asset.location)) == (2, "blue", "blue.yml:2")


def test_unmodelled_aml_schema_is_not_an_asset(tmp_path: Path) -> None:
    connection = f"$schema: {SCHEMA.format('azureBlobConnection')}\nname: c\n"
    evidence, _ = collect(tmp_path, {"conn.yml": connection})
    assert evidence.assets == []


# -- recognition by shape ------------------------------------------------------------------

BY_SHAPE = [
    ("type: pipeline\njobs:\n  a: {type: command, command: echo}\n", AmlKind.PIPELINE_JOB),
    ("type: command\ncommand: python train.py\ncode: ./src\ncompute: azureml:cpu\n", AmlKind.COMMAND_JOB),
    ("type: command\ncommand: python t.py\ninputs:\n  d: {type: uri_file, path: azureml:d:1}\nversion: 2\n",
     AmlKind.COMMAND_JOB),
    ("name: prep\nversion: 1\ntype: command\ncommand: python prep.py\ninputs:\n  raw: {type: uri_folder}\n",
     AmlKind.COMMAND_COMPONENT),
    ("type: sweep\ntrial: {command: python t.py}\n", AmlKind.SWEEP_JOB),
    ("name: taxi\ntype: uri_folder\npath: azureml://datastores/blob/paths/taxi/\n", AmlKind.DATA),
    ("name: taxi\ntype: mltable\npath: ./data\n", AmlKind.DATA),
    ("name: m\ntype: mlflow_model\npath: ./model\n", AmlKind.MODEL),
    ("name: blue\nendpoint_name: ep\nmodel: azureml:m:1\ninstance_type: Standard_DS3_v2\n",
     AmlKind.ONLINE_DEPLOYMENT),
    ("name: b\nendpoint_name: ep\nmodel: azureml:m:1\nmini_batch_size: 10\noutput_action: append_row\n",
     AmlKind.BATCH_DEPLOYMENT),
    ("name: b\nendpoint_name: ep\ntype: model\nmodel: azureml:m:1\nsettings: {mini_batch_size: 5}\n",
     AmlKind.BATCH_DEPLOYMENT),
    ("name: ep\nauth_mode: key\n", AmlKind.ONLINE_ENDPOINT),
    ("name: ep\nauth_mode: aad_token\ndefaults: {deployment_name: b}\n", AmlKind.BATCH_ENDPOINT),
    ("name: s\ntrigger: {type: cron, expression: '0 2 * * *'}\ncreate_job: ./p.yml\n", AmlKind.JOB_SCHEDULE),
    ("name: m\ntrigger: {type: recurrence, frequency: day, interval: 1}\ncreate_monitor: {}\n",
     AmlKind.MONITOR_SCHEDULE),
    ("name: env\nimage: mcr.microsoft.com/azureml/base:latest\nconda_file: conda.yml\n", AmlKind.ENVIRONMENT),
    ("name: env\nbuild:\n  path: ./docker\n", AmlKind.ENVIRONMENT),
    ("name: cpu\ntype: amlcompute\nmin_instances: 0\n", AmlKind.COMPUTE),
    ("name: blob\ntype: azure_blob\naccount_name: acct\ncontainer_name: data\n", AmlKind.DATASTORE),
    ("paths:\n  - folder: ./data\n", AmlKind.MLTABLE),
    ("type: automl\ntask: classification\ntraining_data: {path: azureml:d:1}\n", AmlKind.AUTOML_JOB),
    ("computeType: AKS\nautoScaler: {autoscaleEnabled: true}\n", AmlKind.V1_DEPLOYMENT_CONFIG),
    ("entryScript: score.py\nruntime: python\ncondaFile: conda.yml\n", AmlKind.V1_INFERENCE_CONFIG),
]


@pytest.mark.parametrize(("body", "kind"), BY_SHAPE, ids=[f"{k}-{i}" for i, (_, k) in enumerate(BY_SHAPE)])
def test_recognised_by_shape(tmp_path: Path, body: str, kind: AmlKind) -> None:
    assert only_asset(tmp_path, "mlops/asset.yaml", body).kind is kind


def test_recognised_by_file_name(tmp_path: Path) -> None:
    evidence, _ = collect(
        tmp_path,
        {
            "data/taxi/MLTable": "paths:\n  - pattern: ./*.parquet\ntransformations:\n  - read_parquet\n",
            "features/trips/spec/FeaturesetSpec.yaml": "source:\n  type: parquet\nfeatures: []\n",
        },
    )
    assert [(a.kind, a.path) for a in evidence.assets] == [
        (AmlKind.MLTABLE, "data/taxi/MLTable"),
        (AmlKind.FEATURESET_SPEC, "features/trips/spec/FeaturesetSpec.yaml"),
    ]


def test_sdk_v1_files_are_recognised_by_name(tmp_path: Path) -> None:
    evidence, _ = collect(
        tmp_path,
        {
            "model/config/train.runconfig": "script: train.py\ntarget: cpu-cluster\n",
            "configuration/training/azureml_environment.json": '{"name": "training", "python": {}}',
            "model/config/deploymentconfig.json": '{"computeType": "ACI", "authEnabled": true}',
            "infra/deploy.parameters.json": '{"parameters": {"computeType": {"value": "ACI"}}}',
        },
    )
    assert [(a.kind, a.path) for a in evidence.assets] == [
        (AmlKind.V1_ENVIRONMENT, "configuration/training/azureml_environment.json"),
        (AmlKind.V1_DEPLOYMENT_CONFIG, "model/config/deploymentconfig.json"),
        (AmlKind.RUN_CONFIG, "model/config/train.runconfig"),
    ]


# -- files that are not Azure ML -------------------------------------------------------------

NOT_AML = {
    ".github/workflows/train.yml": "on: push\njobs:\n  t: {runs-on: ubuntu-latest}\ntype: pipeline\n",
    "azure-pipelines.yml": "trigger: [main]\ncreate_job: x\n",
    "pipelines/azure-pipelines-train.yml": "trigger: none\njobs: []\n",
    ".gitlab-ci.yml": "stages: [test]\n",
    ".pre-commit-config.yaml": "repos: []\n",
    "docker-compose.yml": "services:\n  web:\n    image: python:3.11\n    build: {context: .}\n",
    "environment.yml": "name: train\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n",
    "conda.yaml": "name: score\nimage: x\nconda_file: y\ndependencies: [python]\n",
    "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template: {}\n",
    "mkdocs.yml": "site_name: docs\n",
    "config/app.yml": "$schema: https://json.schemastore.org/any.json\ntype: pipeline\njobs: {}\n",
    "config/list.yml": "- type: pipeline\n- jobs: {}\n",
    "notes.yml": "title: notes\n",
}


def test_non_aml_yaml_is_ignored(tmp_path: Path) -> None:
    evidence, repo_files = collect(tmp_path, NOT_AML)
    assert evidence.assets == []
    assert repo_files.notes == []


# -- bad input -------------------------------------------------------------------------------


def test_malformed_aml_yaml_is_noted(tmp_path: Path) -> None:
    broken = f"$schema: {SCHEMA.format('managedOnlineDeployment')}\nname: blue\nmodel: [azureml:m:1\n"
    good = f"$schema: {SCHEMA.format('managedOnlineEndpoint')}\nname: ep\n"
    evidence, repo_files = collect(tmp_path, {"deploy/blue.yml": broken, "deploy/endpoint.yml": good})
    assert [a.path for a in evidence.assets] == ["deploy/endpoint.yml"]
    [note] = repo_files.notes
    assert note.path == "deploy/blue.yml"
    assert note.reason.startswith("malformed YAML: line ")


def test_broken_yaml_of_other_tools_is_not_noted(tmp_path: Path) -> None:
    helm = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n  labels: {{- x }}\n"
    evidence, repo_files = collect(tmp_path, {"chart/templates/svc.yaml": helm})
    assert evidence.assets == []
    assert repo_files.notes == []


def test_binary_and_non_utf8_files_never_raise(tmp_path: Path) -> None:
    deployment = f"$schema: {SCHEMA.format('managedOnlineDeployment')}\nname: bl\xe9\nendpoint_name: ep\n"
    evidence, repo_files = collect(
        tmp_path,
        {
            "deploy/binary.yml": b"\x00\x01\x02binary",
            "deploy/latin1.yml": deployment.encode("latin-1"),
            "deploy/MLTable": b"\xff\xfe\x00\x00",
        },
    )
    assert [(a.path, a.kind) for a in evidence.assets] == [("deploy/latin1.yml", AmlKind.ONLINE_DEPLOYMENT)]
    reasons = {n.path: n.reason for n in repo_files.notes}
    assert reasons["deploy/binary.yml"] == "not read: binary file"
    assert reasons["deploy/MLTable"] == "not read: binary file"
    assert reasons["deploy/latin1.yml"].startswith("not UTF-8")


def test_scalar_and_empty_documents_are_skipped(tmp_path: Path) -> None:
    evidence, repo_files = collect(tmp_path, {"a.yml": "", "b.yml": "azureml\n", "MLTable": "just text\n"})
    assert evidence.assets == []
    assert repo_files.notes == []
    assert evidence.yaml_files_read == 3


# -- helpers ---------------------------------------------------------------------------------

PIPELINE = """\
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
inputs:
  raw:
    type: uri_folder
    path: azureml:taxi-raw:3
  extra:
    type: uri_file
    path: https://example.com/extra.csv
  epochs: 10
jobs:
  prep:
    type: command
    component: file:./components/prep.yml
    inputs:
      raw: ${{parent.inputs.raw}}
  train:
    type: command
    component: ../shared/train.yml
    inputs:
      lookup:
        type: uri_file
        path: azureml:lookup@latest
  evaluate:
    component: azureml:evaluate:2
  register:
    type: command
    command: python register.py
    environment:
      image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
      conda_file: ../../env/conda.yml
"""


def test_pipeline_helpers(tmp_path: Path) -> None:
    pipeline = only_asset(tmp_path, "mlops/train/pipeline.yml", PIPELINE)
    assert pipeline_steps(pipeline) == ["prep", "train", "evaluate", "register"]
    assert step_component_refs(pipeline) == [
        "mlops/train/components/prep.yml",
        "mlops/shared/train.yml",
        "azureml:evaluate:2",
    ]
    inputs = job_data_inputs(pipeline)
    assert [(i.name, i.path, i.line) for i in inputs] == [
        ("inputs.raw", "azureml:taxi-raw:3", 6),
        ("inputs.extra", "https://example.com/extra.csv", 9),
        ("jobs.train.inputs.lookup", "azureml:lookup@latest", 23),
    ]
    assert [i.asset.version if i.asset else None for i in inputs] == ["3", None, None]
    assert inputs[2].asset.label == "latest"
    assert inline_environments(pipeline) == [("jobs.register.environment", "image + conda file", 29)]


def test_step_helpers_on_non_pipelines(tmp_path: Path) -> None:
    data = only_asset(tmp_path, "data.yml", "name: d\ntype: uri_file\npath: ./d.csv\n")
    assert pipeline_steps(data) == []
    assert step_component_refs(data) == []
    assert job_data_inputs(data) == []


DEPLOYMENT = """\
$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: taxi-online
model: azureml:taxi-model:4
code_configuration:
  code: ../../../src/serving
  scoring_script: score.py
app_insights_enabled: true
data_collector:
  collections:
    model_inputs:
      enabled: 'True'
    model_outputs:
      enabled: 'False'
    request_logging: {}
"""


def test_deployment_helpers(tmp_path: Path) -> None:
    deployment = only_asset(tmp_path, "mlops/deploy/online/blue.yml", DEPLOYMENT)
    assert deployment_model_ref(deployment) == "azureml:taxi-model:4"
    assert deployment_endpoint(deployment) == "taxi-online"
    assert deployment_scoring_script(deployment) == "src/serving/score.py"
    assert data_collector_collections(deployment) == {
        "model_inputs": True, "model_outputs": False, "request_logging": True,
    }


def test_deployment_helpers_with_inline_model_and_no_code(tmp_path: Path) -> None:
    text = "name: b\nendpoint_name: ep\nmodel:\n  path: ./model\ninstance_type: Standard_F2s_v2\n"
    deployment = only_asset(tmp_path, "deploy/b.yml", text)
    assert deployment_model_ref(deployment) == {"path": "./model"}
    assert deployment_scoring_script(deployment) is None
    assert data_collector_collections(deployment) == {}


def test_endpoint_traffic(tmp_path: Path) -> None:
    text = "name: ep\nauth_mode: key\ntraffic:\n  blue: 90\n  green: 10\nmirror_traffic: {green: 5}\n"
    endpoint = only_asset(tmp_path, "endpoint.yml", text)
    assert endpoint_traffic(endpoint) == {"blue": 90, "green": 10}
    assert endpoint_mirror_traffic(endpoint) == {"green": 5}


@pytest.mark.parametrize(
    ("create_job", "expected"),
    [
        ("./pipeline.yml", "mlops/train/pipeline.yml"),
        ("../train/pipeline.yml", "mlops/train/pipeline.yml"),
        ("\n  type: pipeline\n  job: ./pipeline.yml\n  settings: {continue_on_step_failure: false}",
         "mlops/train/pipeline.yml"),
        ("azureml:nightly-training", None),
        ("\n  type: pipeline\n  jobs: {a: {command: echo}}", None),
    ],
)
def test_schedule_job_ref(tmp_path: Path, create_job: str, expected: str | None) -> None:
    text = f"name: nightly\ntrigger:\n  type: cron\n  expression: '0 2 * * *'\ncreate_job: {create_job}\n"
    schedule = only_asset(tmp_path, "mlops/train/schedule.yml", text)
    assert schedule.kind is AmlKind.JOB_SCHEDULE
    assert schedule_job_ref(schedule) == expected


def test_monitor_helpers(tmp_path: Path) -> None:
    text = """\
$schema: http://azureml/sdk-2-0/Schedule.json
name: taxi-monitor
trigger: {type: recurrence, frequency: day, interval: 1}
create_monitor:
  monitoring_target:
    ml_task: regression
    endpoint_deployment_id: azureml:taxi-online:blue
  monitoring_signals:
    drift: {type: data_drift}
    quality: {type: data_quality}
  alert_notification:
    emails: [ml-team@example.com]
"""
    monitor = only_asset(tmp_path, "monitor.yml", text)
    assert monitor.kind is AmlKind.MONITOR_SCHEDULE
    assert monitor_signals(monitor) == {"drift": "data_drift", "quality": "data_quality"}
    assert monitor_target(monitor) == "azureml:taxi-online:blue"
    assert monitor_alert_emails(monitor) == ["ml-team@example.com"]
    assert not monitor_alerts_azure_monitor(monitor)


@pytest.mark.parametrize(
    ("value", "name", "version", "label"),
    [
        ("azureml:taxi-model:4", "taxi-model", "4", None),
        ("azureml:taxi-model@latest", "taxi-model", None, "latest"),
        ("azureml:taxi-model", "taxi-model", None, None),
        ("azureml:taxi-model:${{ inputs.version }}", "taxi-model", "${{ inputs.version }}", None),
        ("azureml://registries/shared/models/taxi-model/versions/7", "taxi-model", "7", None),
        ("azureml://registries/shared/models/taxi-model/labels/latest", "taxi-model", None, "latest"),
        ("azureml:/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w"
         "/models/taxi-model/versions/2", "taxi-model", "2", None),
    ],
)
def test_parse_asset_ref(value: str, name: str, version: str | None, label: str | None) -> None:
    ref = parse_asset_ref(value)
    assert ref is not None
    assert (ref.name, ref.version, ref.label) == (name, version, label)
    assert ref.is_pinned == (version is not None)


@pytest.mark.parametrize(
    "value",
    ["./model", "model/", "https://x.blob.core.windows.net/c/m", "azureml://datastores/blob/paths/taxi/",
     "azureml://jobs/123/outputs/model", None, {"path": "./model"}],
)
def test_parse_asset_ref_rejects_non_assets(value: object) -> None:
    assert parse_asset_ref(value) is None


@pytest.mark.parametrize(
    ("base", "ref", "expected"),
    [
        ("mlops/train/pipeline.yml", "file:./prep.yml", "mlops/train/prep.yml"),
        ("mlops/train/pipeline.yml", "../components/prep.yml", "mlops/components/prep.yml"),
        ("pipeline.yml", "components\\prep.yml", "components/prep.yml"),
        ("pipeline.yml", "../outside.yml", None),
        ("pipeline.yml", "/abs/prep.yml", None),
        ("pipeline.yml", "azureml:prep@latest", None),
        ("pipeline.yml", "https://example.com/prep.yml", None),
        ("pipeline.yml", "${{ inputs.file }}", None),
    ],
)
def test_resolve_local_path(base: str, ref: str, expected: str | None) -> None:
    assert resolve_local_path(base, ref) == expected


def test_is_expression_and_is_true() -> None:
    assert is_expression("${{ inputs.v }}")
    assert is_expression("$MODEL_VERSION")
    assert is_expression("{{ version }}")
    assert not is_expression("12")
    assert [is_true(v) for v in (True, "true", "True", "yes", 1, False, "False", None, "0")] == [
        True, True, True, True, True, False, False, False, False,
    ]
