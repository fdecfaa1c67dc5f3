"""The Azure ML checks, on evidence built by hand: Azure ML YAML collected from tmp_path, CI actions,
Python modules and IaC resources constructed directly (so these tests do not depend on the other
collectors)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlops_ladder.assessment.checks.azureml.common import set_values
from mlops_ladder.assessment.checks.azureml.data import declares_data_sources, versions_data
from mlops_ladder.assessment.checks.azureml.deployment import (
    defines_model_deployment,
    deployments_pin_model_version,
    uses_safe_rollout,
)
from mlops_ladder.assessment.checks.azureml.environment import defines_training_environment
from mlops_ladder.assessment.checks.azureml.monitoring import (
    collects_inference_data,
    defines_model_monitor,
    endpoints_send_telemetry,
    monitoring_raises_alerts,
)
from mlops_ladder.assessment.checks.azureml.training import (
    defines_training_pipeline,
    pipeline_uses_versioned_data,
)
from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.evidence.common import Location, Resource
from mlops_ladder.assessment.evidence.repo.azureml.collect import collect as collect_azureml
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, CiEvidence
from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence, collect_repo
from mlops_ladder.assessment.evidence.repo.files import list_repo_files
from mlops_ladder.assessment.evidence.repo.python.data_sources import LOCAL_FILE
from mlops_ladder.assessment.evidence.repo.python.model import Call, DataSource, PythonEvidence, PythonModule
from tests.conftest import write_files

WORKFLOW = ".github/workflows/deploy.yml"


def schema(name: str) -> str:
    return f"$schema: https://azuremlschemas.azureedge.net/latest/{name}.schema.json\n"


def make_repo(
    root: Path,
    files: dict[str, str],
    *,
    actions: Iterable[CiAction] = (),
    modules: Iterable[PythonModule] = (),
    resources: Iterable[Resource] = (),
) -> RepoEvidence:
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    repo_files = list_repo_files(root)
    return RepoEvidence(
        root=root,
        files=repo_files,
        ci=CiEvidence(actions=list(actions)),
        iac=SimpleNamespace(resources=list(resources)),
        azureml=collect_azureml(repo_files),
        python=PythonEvidence(modules=list(modules)),
        project=None,
    )


def action(
    kind: ActionKind, command: str, files: tuple[str, ...] = (), line: int = 20, **options: str
) -> CiAction:
    return CiAction(
        kind=kind, location=Location(WORKFLOW, line), pipeline=WORKFLOW, job="deploy", step=command[:40],
        command=command, files=files, options={f"--{k.replace('_', '-')}": v for k, v in options.items()},
    )


def module(
    path: str, *calls: str | Call, is_test: bool = False, sources: Iterable[DataSource] = ()
) -> PythonModule:
    """A module with these calls (names on lines 3, 4...; a Call as given) and data sources."""
    return PythonModule(
        path=path, module=path[:-3].replace("/", "."), is_test=is_test, imports=frozenset(),
        functions=frozenset(),
        calls=tuple(c if isinstance(c, Call) else Call(c, line) for line, c in enumerate(calls, start=3)),
        data_sources=tuple(sources),
    )


# -- shared YAML ----------------------------------------------------------------------------

DATA_V3 = schema("data") + "name: taxi-raw\nversion: 3\ntype: uri_folder\npath: azureml://datastores/b/paths/t/\n"
DATA_NO_VERSION = schema("data") + "name: taxi-raw\ntype: uri_folder\npath: azureml://datastores/b/paths/t/\n"


def pipeline(path: str = "azureml:taxi-raw:3", steps: int = 2) -> str:
    jobs = "".join(
        f"  step{i}:\n    type: command\n    component: azureml:step{i}:1\n" for i in range(steps)
    )
    return (schema("pipelineJob") + "type: pipeline\ninputs:\n  raw:\n    type: uri_folder\n"
            f"    path: {path}\njobs:\n{jobs}")


def deployment(name: str = "blue", model: str = "azureml:taxi-model:4", extra: str = "") -> str:
    return (schema("managedOnlineDeployment") + f"name: {name}\nendpoint_name: taxi-online\nmodel: {model}\n"
            "instance_type: Standard_DS3_v2\ninstance_count: 1\n" + extra)


ENDPOINT = schema("managedOnlineEndpoint") + "name: taxi-online\nauth_mode: key\n"
BATCH = (schema("batchDeployment") + "name: batch\nendpoint_name: taxi-batch\nmodel: azureml:taxi-model:4\n"
         "compute: azureml:batch-cluster\nmini_batch_size: 10\n")
BLUE = "mlops/deploy/blue.yml"
GREEN = "mlops/deploy/green.yml"


# -- MLL-104 declares_data_sources ----------------------------------------------------------


def test_data_sources_from_data_assets_and_dvc(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"data/raw.yml": DATA_V3, "data/taxi/MLTable": "paths:\n  - folder: ./\n",
                                "data/big.csv.dvc": "outs:\n- md5: abc\n  path: big.csv\n"})
    result = declares_data_sources(repo)
    assert result.outcome is Outcome.PASS
    assert "data asset, MLTable, DVC" in result.found
    assert result.evidence[0].location == "data/raw.yml:1"


def test_data_sources_from_job_inputs_and_run_configurations(tmp_path: Path) -> None:
    for index, path in enumerate(("azureml:taxi-raw:3", "azureml:taxi-raw@latest",
                                  "azureml://datastores/lake/paths/taxi/", "https://example.org/taxi.csv",
                                  "abfss://raw@lake.dfs.core.windows.net/taxi/")):
        repo = make_repo(tmp_path / str(index), {"mlops/pipeline.yml": pipeline(path)})
        result = declares_data_sources(repo)
        assert result.outcome is Outcome.PASS, path
        assert result.evidence[0].location == "mlops/pipeline.yml:6"
    run_config = ("script: train.py\ndata:\n  training:\n    dataLocation:\n      dataset:\n"
                  "        name: credit\n        version: 2\n")
    result = declares_data_sources(make_repo(tmp_path / "rc", {"config/train.runconfig": run_config}))
    assert result.outcome is Outcome.PASS
    assert "dataset credit version 2" in result.found


def test_data_sources_named_by_code(tmp_path: Path) -> None:
    source = module("src/data.py", sources=[DataSource(4, "uri", "https://example.org/taxi.csv")])
    result = declares_data_sources(make_repo(tmp_path / "a", {}, modules=[source]))
    assert result.outcome is Outcome.PASS
    assert "src/data.py:4" in result.found
    local = module("src/data.py", sources=[DataSource(4, LOCAL_FILE, "data/census.csv")])
    result = declares_data_sources(make_repo(tmp_path / "b", {}, modules=[local]))
    assert result.outcome is Outcome.FAIL
    assert "reads data/census.csv from the repository by a relative path" in result.found


def test_data_sources_missing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"data/raw.csv": "a,b\n", "mlops/pipeline.yml": pipeline("../data")})
    result = declares_data_sources(repo)
    assert result.outcome is Outcome.FAIL
    assert "looked at 1 YAML file" in result.found


# -- MLL-112 versions_data -------------------------------------------------------------------


def test_versions_data(tmp_path: Path) -> None:
    versioned = make_repo(tmp_path / "a", {"data/raw.yml": DATA_V3})
    assert versions_data(versioned).outcome is Outcome.PASS
    loose = make_repo(tmp_path / "b", {"data/raw.yml": DATA_V3, "data/extra.yml": DATA_NO_VERSION})
    result = versions_data(loose)
    assert result.outcome is Outcome.FAIL
    assert "data/extra.yml (taxi-raw)" in result.found
    dvc = make_repo(tmp_path / "c", {"dvc.lock": "schema: '2.0'\n", "data/extra.yml": DATA_NO_VERSION})
    assert versions_data(dvc).outcome is Outcome.PASS
    mltable_only = make_repo(tmp_path / "d", {"data/taxi/MLTable": "paths:\n  - folder: ./\n"})
    result = versions_data(mltable_only)
    assert result.outcome is Outcome.FAIL
    assert "only 1 datastore or MLTable file" in result.found


def test_versions_data_read_by_jobs(tmp_path: Path) -> None:
    pinned = make_repo(tmp_path / "a", {"p.yml": pipeline("azureml:taxi-raw:3")})
    result = versions_data(pinned)
    assert result.outcome is Outcome.PASS
    assert "inputs.raw = azureml:taxi-raw:3" in result.found
    latest = make_repo(tmp_path / "b", {"p.yml": pipeline("azureml:taxi-raw@latest")})
    result = versions_data(latest)
    assert result.outcome is Outcome.FAIL
    assert "azureml:taxi-raw@latest" in result.found


# -- MLL-201 defines_training_pipeline -------------------------------------------------------

FITS = "sklearn.ensemble.GradientBoostingRegressor.fit"


def command_job(command: str = "python train.py --data ${{inputs.raw}}", code: str = "../src") -> str:
    return (schema("commandJob") + f"type: command\ncode: {code}\ncommand: {command}\n"
            "environment: azureml:taxi-env:1\ncompute: azureml:cpu\n")


def component(name: str, script: str) -> str:
    return (schema("commandComponent") + f"name: {name}\nversion: '1'\ntype: command\ncode: ../src\n"
            f"command: python {script}\n")


def test_training_job_is_a_command_job_whose_script_trains(tmp_path: Path) -> None:
    trains = module("src/train.py", FITS)
    repo = make_repo(tmp_path / "a", {"mlops/train.yml": command_job()}, modules=[trains])
    result = defines_training_pipeline(repo)
    assert result.outcome is Outcome.PASS
    assert "command job mlops/train.yml trains: src/train.py trains" in result.found
    evaluate = module("src/train.py", "mlflow.sklearn.load_model", "mlflow.log_metric")
    result = defines_training_pipeline(make_repo(tmp_path / "b", {"mlops/train.yml": command_job()},
                                                 modules=[evaluate]))
    assert result.outcome is Outcome.FAIL
    assert "none trains a model" in result.found
    result = defines_training_pipeline(make_repo(tmp_path / "c", {"mlops/train.yml": command_job()}))
    assert result.outcome is Outcome.UNKNOWN
    assert "no script it names is in src" in result.found


def test_training_pipeline_follows_local_and_registered_components(tmp_path: Path) -> None:
    job = (schema("pipelineJob") + "type: pipeline\njobs:\n  prep:\n    component: file:./prep.yml\n"
           "  train:\n    component: azureml:taxi_train@latest\n")
    files = {"mlops/pipeline.yml": job, "mlops/prep.yml": component("taxi_prep", "prep.py"),
             "mlops/train.yml": component("taxi_train", "train.py")}
    modules = [module("src/prep.py", "pandas.read_parquet"), module("src/train.py", FITS)]
    result = defines_training_pipeline(make_repo(tmp_path / "a", files, modules=modules))
    assert result.outcome is Outcome.PASS
    assert "src/train.py" in result.found
    remote = make_repo(tmp_path / "b", {"mlops/pipeline.yml": pipeline()})
    result = defines_training_pipeline(remote)
    assert result.outcome is Outcome.UNKNOWN
    assert "azureml:step0:1, which no YAML of the repository defines" in result.found


def test_training_from_sdk_code(tmp_path: Path) -> None:
    dsl = module("src/pipe.py", "azure.ai.ml.dsl.pipeline",
                 Call("azure.ai.ml.load_component", 4, string_args=("train.yml",)))
    files = {"src/train.yml": component("taxi_train", "train.py").replace("../src", ".")}
    trains = module("src/train.py", FITS)
    result = defines_training_pipeline(make_repo(tmp_path / "a", files, modules=[dsl, trains]))
    assert result.outcome is Outcome.PASS
    assert "@dsl.pipeline in src/pipe.py:3" in result.found
    keywords = (("source_directory", "../src"), ("script", "train.py"))
    run = module("ops/submit.py", Call("azureml.core.ScriptRunConfig", 5, frozenset(dict(keywords)),
                                       tuple(dict(keywords).values()), keywords))
    result = defines_training_pipeline(make_repo(tmp_path / "b", {}, modules=[run, trains]))
    assert result.outcome is Outcome.PASS
    assert "SDK v1 ScriptRunConfig" in result.found
    for name, other in (("t", module("tests/test_p.py", "azure.ai.ml.dsl.pipeline", is_test=True)),
                        ("k", module("pipelines/p.py", "kfp.dsl.pipeline"))):  # a test; Kubeflow's DSL
        result = defines_training_pipeline(make_repo(tmp_path / name, {}, modules=[other]))
        assert result.outcome is Outcome.FAIL


# -- MLL-202 defines_training_environment ----------------------------------------------------


def test_training_environment(tmp_path: Path) -> None:
    env = schema("environment") + "name: train\nimage: mcr.microsoft.com/azureml/base\nconda_file: c.yml\n"
    result = defines_training_environment(make_repo(tmp_path / "a", {"env.yml": env}))
    assert result.outcome is Outcome.PASS
    component = (schema("commandComponent") + "name: train\ntype: command\ncommand: python t.py\n"
                 "environment:\n  build:\n    path: ../docker\n")
    result = defines_training_environment(make_repo(tmp_path / "b", {"c/train.yml": component}))
    assert result.outcome is Outcome.PASS
    assert "build context" in result.found
    image_only = schema("environment") + "name: train\nimage: myacr.azurecr.io/train:1\n"
    result = defines_training_environment(make_repo(tmp_path / "c", {"env.yml": image_only}))
    assert result.outcome is Outcome.FAIL
    assert "only an image" in result.found


def test_training_environment_sdk_v1_files_and_code(tmp_path: Path) -> None:
    folder = {"config/training/azureml_environment.json": '{"name": "train"}',
              "config/training/conda_dependencies.yml": "dependencies: [python=3.10]\n"}
    result = defines_training_environment(make_repo(tmp_path / "a", folder))
    assert result.outcome is Outcome.PASS
    assert "conda_dependencies.yml" in result.found
    run_config = ("script: train.py\nenvironment:\n  python:\n    condaDependenciesFile: config/conda.yml\n")
    files = {"m/config/train.runconfig": run_config, "m/config/conda.yml": "dependencies: [python=3.10]\n"}
    result = defines_training_environment(make_repo(tmp_path / "b", files))
    assert result.outcome is Outcome.PASS
    assert "run configuration environment from conda file m/config/conda.yml" in result.found
    environment = Call("azure.ai.ml.entities.Environment", 7, frozenset({"image", "conda_file"}))
    code = module("ops/env.py", environment)
    assert defines_training_environment(make_repo(tmp_path / "c", {}, modules=[code])).outcome is Outcome.PASS


def test_curated_environment_by_name_is_not_defined(tmp_path: Path) -> None:
    curated = "azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"
    job = command_job().replace("azureml:taxi-env:1", curated)
    result = defines_training_environment(make_repo(tmp_path / "a", {"mlops/train.yml": job}))
    assert result.outcome is Outcome.FAIL
    assert "curated Azure ML environments referenced by name" in result.found
    result = defines_training_environment(make_repo(tmp_path / "b", {"mlops/train.yml": command_job()}))
    assert result.outcome is Outcome.FAIL
    assert "azureml:taxi-env:1) that no file of the repository defines" in result.found


# -- MLL-211 pipeline_uses_versioned_data ----------------------------------------------------


def test_pipeline_versioned_data(tmp_path: Path) -> None:
    pinned = make_repo(tmp_path / "a", {"p.yml": pipeline("azureml:taxi-raw:3")})
    assert pipeline_uses_versioned_data(pinned).outcome is Outcome.PASS
    latest = make_repo(tmp_path / "b", {"p.yml": pipeline("azureml:taxi-raw@latest")})
    result = pipeline_uses_versioned_data(latest)
    assert result.outcome is Outcome.FAIL
    assert "inputs.raw = azureml:taxi-raw@latest" in result.found
    assert result.evidence[0].location == "p.yml:6"
    by_path = make_repo(tmp_path / "c", {"p.yml": pipeline("azureml://datastores/b/paths/raw/")})
    assert pipeline_uses_versioned_data(by_path).outcome is Outcome.UNKNOWN
    none = make_repo(tmp_path / "d", {"data.yml": DATA_V3})
    assert pipeline_uses_versioned_data(none).outcome is Outcome.NOT_APPLICABLE


def test_pipeline_versioned_data_set_by_ci(tmp_path: Path) -> None:
    submit = action(ActionKind.SUBMIT_JOB, "az ml job create --file p.yml", ("p.yml",),
                    set="inputs.raw.path=azureml:taxi-raw:${{ inputs.data_version }}")
    repo = make_repo(tmp_path, {"p.yml": pipeline("azureml:taxi-raw@latest")}, actions=[submit])
    result = pipeline_uses_versioned_data(repo)
    assert result.outcome is Outcome.PASS
    assert result.evidence[0].location == f"{WORKFLOW}:20"


def test_versioned_data_of_command_jobs_and_run_configurations(tmp_path: Path) -> None:
    job = command_job() + "inputs:\n  raw:\n    type: uri_folder\n    path: azureml:taxi-raw@latest\n"
    assert pipeline_uses_versioned_data(make_repo(tmp_path / "a", {"t.yml": job})).outcome is Outcome.FAIL
    run_config = "script: t.py\ndata:\n  d:\n    dataLocation:\n      dataset: {name: credit, version: 1}\n"
    result = pipeline_uses_versioned_data(make_repo(tmp_path / "b", {"c/t.runconfig": run_config}))
    assert result.outcome is Outcome.PASS
    assert "dataset credit version 1" in result.found


# -- MLL-301 defines_model_deployment --------------------------------------------------------


def test_model_deployment(tmp_path: Path) -> None:
    result = defines_model_deployment(make_repo(tmp_path / "a", {BLUE: deployment()}))
    assert result.outcome is Outcome.PASS
    assert "azureml:taxi-model:4 to endpoint taxi-online" in result.found
    result = defines_model_deployment(make_repo(tmp_path / "b", {"b.yml": BATCH}))
    assert result.outcome is Outcome.PASS
    no_model = schema("managedOnlineDeployment") + "name: blue\nendpoint_name: taxi-online\n"
    result = defines_model_deployment(make_repo(tmp_path / "c", {BLUE: no_model}))
    assert result.outcome is Outcome.FAIL
    assert "blue.yml names no model" in result.found
    no_endpoint = schema("managedOnlineDeployment") + "name: blue\nmodel: azureml:taxi-model:4\n"
    result = defines_model_deployment(make_repo(tmp_path / "e", {BLUE: no_endpoint}))
    assert result.outcome is Outcome.PASS
    assert "the endpoint given when it is created" in result.found


def test_model_deployment_in_code_and_v1_files(tmp_path: Path) -> None:
    built = module("src/deploy.py", "azure.ai.ml.entities.ManagedOnlineDeployment")
    result = defines_model_deployment(make_repo(tmp_path / "a", {}, modules=[built]))
    assert result.outcome is Outcome.FAIL
    assert "builds ManagedOnlineDeployment but no code creates it" in result.found
    created = module("src/deploy.py", "azure.ai.ml.entities.ManagedOnlineDeployment",
                     "ml_client.online_deployments.begin_create_or_update")
    assert defines_model_deployment(make_repo(tmp_path / "b", {}, modules=[created])).outcome is Outcome.PASS
    v1 = module("ops/deploy.py", "azureml.core.webservice.AciWebservice.deploy_configuration",
                "azureml.core.model.InferenceConfig", "azureml.core.model.Model.deploy")
    result = defines_model_deployment(make_repo(tmp_path / "c", {}, modules=[v1]))
    assert result.outcome is Outcome.PASS
    assert "SDK v1 Model.deploy with AciWebservice, InferenceConfig" in result.found
    files = {"config/deploymentconfig.yml": "computeType: AKS\nautoScaler: {autoscaleEnabled: true}\n"}
    result = defines_model_deployment(make_repo(tmp_path / "d", files))
    assert result.outcome is Outcome.PASS
    assert "CLI v1 deployment configuration (computeType AKS)" in result.found
    client = module("ops/deploy.py", "mlflow.deployments.get_deploy_client", "client.create_deployment")
    assert defines_model_deployment(make_repo(tmp_path / "e", {}, modules=[client])).outcome is Outcome.PASS


def test_model_deployment_model_given_by_ci(tmp_path: Path) -> None:
    no_model = schema("managedOnlineDeployment") + "name: blue\nendpoint_name: taxi-online\n"
    deploy = action(ActionKind.DEPLOY_MODEL, f"az ml online-deployment create --file {BLUE}", (BLUE,),
                    set="model=azureml:taxi-model:${{ inputs.version }}")
    repo = make_repo(tmp_path, {BLUE: no_model}, actions=[deploy])
    assert defines_model_deployment(repo).outcome is Outcome.PASS


# -- MLL-305 uses_safe_rollout ---------------------------------------------------------------


def test_safe_rollout_by_endpoint_traffic_split(tmp_path: Path) -> None:
    endpoint = ENDPOINT + "traffic:\n  blue: 90\n  green: 10\n"
    result = uses_safe_rollout(make_repo(tmp_path, {"ep.yml": endpoint, BLUE: deployment()}))
    assert result.outcome is Outcome.PASS
    assert "blue=90 green=10" in result.found


def test_safe_rollout_by_two_deployments_and_ci_shift(tmp_path: Path) -> None:
    files = {BLUE: deployment("blue"), GREEN: deployment("green")}
    shift = action(ActionKind.SHIFT_TRAFFIC, "az ml online-endpoint update --traffic", name="taxi-online",
                   traffic='"${{ env.NEW }}=100"')
    assert uses_safe_rollout(make_repo(tmp_path / "a", files, actions=[shift])).outcome is Outcome.PASS
    other = action(ActionKind.SHIFT_TRAFFIC, "az ml online-endpoint update", name="other", traffic="x=100")
    result = uses_safe_rollout(make_repo(tmp_path / "b", files, actions=[other]))
    assert result.outcome is Outcome.FAIL


def test_safe_rollout_by_ci_traffic_with_two_deployments(tmp_path: Path) -> None:
    shift = action(ActionKind.SHIFT_TRAFFIC, "az ml online-endpoint update", name="$ENDPOINT",
                   traffic="blue=0 green=100")
    result = uses_safe_rollout(make_repo(tmp_path, {BLUE: deployment()}, actions=[shift]))
    assert result.outcome is Outcome.PASS
    assert "(blue green)" in result.found


def test_safe_rollout_fails_for_single_deployment_and_is_na_for_batch(tmp_path: Path) -> None:
    endpoint = ENDPOINT + "traffic:\n  blue: 100\n"
    result = uses_safe_rollout(make_repo(tmp_path / "a", {"ep.yml": endpoint, BLUE: deployment()}))
    assert result.outcome is Outcome.FAIL
    assert "sends all traffic to blue" in result.found
    assert "no CI step shifts traffic" in result.found
    batch_only = make_repo(tmp_path / "b", {"b.yml": BATCH})
    assert uses_safe_rollout(batch_only).outcome is Outcome.NOT_APPLICABLE


# -- MLL-306 deployments_pin_model_version ---------------------------------------------------


@pytest.mark.parametrize(
    ("model", "outcome", "reason"),
    [
        ("azureml:taxi-model:4", Outcome.PASS, ""),
        ("azureml://registries/shared/models/taxi-model/versions/4", Outcome.PASS, ""),
        ("azureml:taxi-model@latest", Outcome.FAIL, "label @latest"),
        ("azureml:taxi-model", Outcome.FAIL, "no version"),
        ("../../model", Outcome.FAIL, "a local path"),
        ("\n  path: ./model", Outcome.FAIL, "inline model"),
    ],
)
def test_deployments_pin_model_version(tmp_path: Path, model: str, outcome: Outcome, reason: str) -> None:
    repo = make_repo(tmp_path, {BLUE: deployment(model=model), "b.yml": BATCH})
    result = deployments_pin_model_version(repo)
    assert result.outcome is outcome
    assert reason in result.found


def test_model_version_supplied_by_ci(tmp_path: Path) -> None:
    deploy = action(ActionKind.DEPLOY_MODEL, f"az ml online-deployment create --file {BLUE}", (BLUE,),
                    set="instance_count=2\nmodel=azureml:taxi-model:${{ inputs.model_version }}")
    repo = make_repo(tmp_path / "a", {BLUE: deployment(model="azureml:taxi-model@latest")}, actions=[deploy])
    result = deployments_pin_model_version(repo)
    assert result.outcome is Outcome.PASS
    assert "version supplied at deploy time" in result.found
    # A second workflow deploys the same file without --set: that deployment uses @latest.
    plain = action(ActionKind.DEPLOY_MODEL, f"az ml online-deployment create --file {BLUE}", (BLUE,), line=40)
    files = {BLUE: deployment(model="azureml:taxi-model@latest")}
    repo = make_repo(tmp_path / "b", files, actions=[deploy, plain, plain])
    result = deployments_pin_model_version(repo)
    assert result.outcome is Outcome.FAIL
    assert len(result.evidence) == 1  # the two plain deploys of the file are one finding


def test_inline_model_deployed_twice(tmp_path: Path) -> None:
    plain = action(ActionKind.DEPLOY_MODEL, f"az ml online-deployment create --file {BLUE}", (BLUE,))
    repo = make_repo(tmp_path, {BLUE: deployment(model="\n  path: ./model")}, actions=[plain, plain])
    result = deployments_pin_model_version(repo)
    assert result.outcome is Outcome.FAIL
    assert "an inline model from a local path" in result.found


def test_set_values_parsing() -> None:
    one_line = action(ActionKind.DEPLOY_MODEL, "x", set='model="azureml:m:${{ inputs.v }}" instance_count=2')
    assert set_values(one_line) == {"model": "azureml:m:${{ inputs.v }}", "instance_count": "2"}


def test_pin_model_not_applicable_without_deployments(tmp_path: Path) -> None:
    result = deployments_pin_model_version(make_repo(tmp_path, {"ep.yml": ENDPOINT}))
    assert result.outcome is Outcome.NOT_APPLICABLE


# -- MLL-401 collects_inference_data ---------------------------------------------------------

COLLECTOR = ("data_collector:\n  collections:\n    model_inputs: {enabled: 'True'}\n"
             "    model_outputs: {enabled: 'True'}\n")
SCORING = "code_configuration:\n  code: ../../src\n  scoring_script: score.py\n"


def test_inference_data_collection(tmp_path: Path) -> None:
    on = make_repo(tmp_path / "a", {BLUE: deployment(extra=COLLECTOR)})
    assert collects_inference_data(on).outcome is Outcome.PASS
    off = make_repo(tmp_path / "b", {BLUE: deployment(extra=COLLECTOR.replace("'True'}\n", "'False'}\n", 1))})
    result = collects_inference_data(off)
    assert result.outcome is Outcome.FAIL
    assert "model_inputs disabled" in result.found
    assert collects_inference_data(make_repo(tmp_path / "c", {"b.yml": BATCH})).outcome is (
        Outcome.NOT_APPLICABLE
    )


def test_inference_data_collected_by_scoring_script(tmp_path: Path) -> None:
    files = {BLUE: deployment(extra=SCORING), "src/score.py": "def init(): ...\n"}
    uses = module("src/score.py", "azureml.ai.monitoring.Collector", "INPUTS.collect")
    result = collects_inference_data(make_repo(tmp_path / "a", files, modules=[uses]))
    assert result.outcome is Outcome.PASS
    plain = module("src/score.py", "mlflow.pyfunc.load_model")
    result = collects_inference_data(make_repo(tmp_path / "b", files, modules=[plain]))
    assert result.outcome is Outcome.FAIL
    assert "src/score.py does not use Collector" in result.found
    missing = make_repo(tmp_path / "c", {BLUE: deployment(extra=SCORING)})
    assert collects_inference_data(missing).outcome is Outcome.UNKNOWN


# -- MLL-402 defines_model_monitor, MLL-404 monitoring_raises_alerts ---------------------------

MONITOR = """\
$schema: http://azureml/sdk-2-0/Schedule.json
name: taxi-monitor
trigger: {type: recurrence, frequency: day, interval: 1}
create_monitor:
  compute: {instance_type: standard_e4s_v3, runtime_version: '3.4'}
  monitoring_target:
    ml_task: regression
    endpoint_deployment_id: azureml:taxi-online:blue
"""
SIGNALS = "  monitoring_signals:\n    drift: {type: data_drift}\n"
ALERTS = "  alert_notification:\n    emails: [ml-team@example.com]\n"


def test_model_monitor(tmp_path: Path) -> None:
    result = defines_model_monitor(make_repo(tmp_path / "a", {"monitor.yml": MONITOR + SIGNALS}))
    assert result.outcome is Outcome.PASS
    assert "1 signal (drift: data_drift)" in result.found
    result = defines_model_monitor(make_repo(tmp_path / "b", {"monitor.yml": MONITOR}))
    assert result.outcome is Outcome.PASS
    assert "default signals" in result.found
    trigger = "trigger: {type: cron, expression: '0 2 * * *'}\n"
    schedule = schema("schedule") + f"name: s\n{trigger}create_job: ./p.yml\n"
    result = defines_model_monitor(make_repo(tmp_path / "c", {"schedule.yml": schedule}))
    assert result.outcome is Outcome.FAIL
    assert "no Azure ML monitor schedule" in result.found


def test_monitoring_alerts(tmp_path: Path) -> None:
    emails = make_repo(tmp_path / "a", {"monitor.yml": MONITOR + SIGNALS + ALERTS})
    result = monitoring_raises_alerts(emails)
    assert result.outcome is Outcome.PASS
    assert "ml-team@example.com" in result.found
    rule = Resource("Microsoft.Insights/metricAlerts", "latency", {}, Location("infra/alerts.bicep", 4))
    existing = Resource("Microsoft.Insights/scheduledQueryRules", "old", {}, Location("infra/main.bicep", 9),
                        existing=True)
    iac = make_repo(tmp_path / "b", {"monitor.yml": MONITOR + SIGNALS}, resources=[rule])
    assert monitoring_raises_alerts(iac).outcome is Outcome.PASS
    neither = make_repo(tmp_path / "c", {"monitor.yml": MONITOR + SIGNALS}, resources=[existing])
    result = monitoring_raises_alerts(neither)
    assert result.outcome is Outcome.FAIL
    assert "1 monitor schedule without alert_notification" in result.found


# -- MLL-405 endpoints_send_telemetry --------------------------------------------------------


def test_endpoint_telemetry(tmp_path: Path) -> None:
    files = {BLUE: deployment(extra="app_insights_enabled: true\n"), GREEN: deployment("green")}
    result = endpoints_send_telemetry(make_repo(tmp_path / "a", files))
    assert result.outcome is Outcome.FAIL
    assert f"{GREEN} (not set)" in result.found
    deploy = action(ActionKind.DEPLOY_MODEL, f"az ml online-deployment create -f {GREEN}", (GREEN,),
                    set="app_insights_enabled=true")
    assert endpoints_send_telemetry(make_repo(tmp_path / "b", files, actions=[deploy])).outcome is (
        Outcome.PASS
    )
    assert endpoints_send_telemetry(make_repo(tmp_path / "c", {"b.yml": BATCH})).outcome is (
        Outcome.NOT_APPLICABLE
    )
    python = make_repo(tmp_path / "d", {}, modules=[module("src/deploy.py", "ManagedOnlineDeployment")])
    assert endpoints_send_telemetry(python).outcome is Outcome.UNKNOWN


def test_components_from_a_folder_the_module_does_not_name_are_not_guessed(tmp_path: Path) -> None:
    """A @dsl.pipeline loading f"{folder}/{name}.yml" from a folder read at run time stays unknown,
    although the repository has a training component (pass and fail: MLL-201's dsl-computed-paths)."""
    write_files(tmp_path, {
        "mlops/components/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
            "name: train\ntype: command\ncode: ../../src\ncommand: python train.py\n"
            "environment: azureml:env@latest\noutputs:\n  model: {type: mlflow_model}\n"
        ),
        "mlops/build_pipeline.py": (
            "import os\n\nfrom azure.ai.ml import dsl, load_component\n\n"
            "folder = os.environ['COMPONENTS']\n"
            "steps = [load_component(source=f\"{folder}/{n}.yml\") for n in ('train',)]\n\n\n"
            "@dsl.pipeline()\ndef training():\n    steps[0]()\n"
        ),
    })
    result = defines_training_pipeline(collect_repo(tmp_path))
    assert result.outcome is Outcome.UNKNOWN, result.found
    assert "which is not a component here" in result.found
