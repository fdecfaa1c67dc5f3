"""Platform facts: DVC, Databricks bundles, SageMaker and Vertex AI / Kubeflow (evidence/repo/platforms/)."""

from __future__ import annotations

from pathlib import Path

import yaml

from mlops_ladder.assessment.evidence.repo.collect import collect_repo
from mlops_ladder.assessment.evidence.repo.platforms.model import FactKind, Platform
from tests.conftest import make_repo

SHARED = Path(__file__).parent.parent / "criteria_cases" / "_shared"
F = FactKind


def shared(*names: str, **extra: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for name in names:
        files.update(yaml.safe_load((SHARED / f"{name}.yaml").read_text(encoding="utf-8"))["files"])
    files.update(extra)
    return files


def facts(repo, kind: FactKind) -> list[str]:
    return [f"{f.location}: {f.detail}" for f in repo.platforms.of_kind(kind)]


def test_dvc_pipeline_metrics_and_remote(tmp_path: Path) -> None:
    repo = collect_repo(make_repo(tmp_path / "repo", shared("dvc_pipeline")))
    [job] = repo.platforms.jobs
    assert (job.platform, job.definition, job.code) == (
        Platform.DVC,
        "dvc.yaml",
        ("src/prepare.py", "src/train.py"),
    )
    assert facts(repo, F.TRACKING) == ["dvc.yaml:18: DVC stage train tracks metrics in metrics/scores.json"]
    assert facts(repo, F.DATA_SOURCE) == [
        ".dvc/config:4: DVC tracks data/customers.csv.dvc, stored in the remote storage (s3://example-ml-data/churn)"
    ]


def test_dvc_data_without_a_remote_is_no_declared_source(tmp_path: Path) -> None:
    files = shared("dvc_pipeline", **{".dvc/config": "[core]\n    autostage = true\n"})
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    assert facts(repo, F.DATA_SOURCE) == []


def test_databricks_bundle_jobs_targets_and_included_files_only(tmp_path: Path) -> None:
    files = shared(
        "databricks_bundle",
        **{"ml/extra/monitor.yml": "resources:\n  quality_monitors:\n    m:\n      table_name: a.b.c\n"},
    )
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    [bundle] = repo.platforms.bundles
    assert bundle.targets == ("staging", "prod")
    assert bundle.files == (
        "ml/databricks.yml",
        "ml/resources/scoring-job.yml",
        "ml/resources/training-job.yml",
    )
    jobs = {j.name: j for j in repo.platforms.jobs}
    assert jobs["train_model"].code == ("ml/training/train.py",)
    assert jobs["train_model"].environment == "a cluster with spark_version 15.4.x-cpu-ml-scala2.12"
    assert jobs["train_model"].schedule == "schedule 0 0 4 ? * MON"
    assert facts(repo, F.MONITOR) == []  # the monitor's file is not included in the bundle
    assert [f.detail for f in repo.platforms.of_kind(F.DEPLOYMENT)] == [
        "batch job batch_scoring scores with a registered model "
        "(ml/scoring/score.py:5 mlflow.pyfunc.spark_udf)"
    ]
    assert any("customers_clean" in f for f in facts(repo, F.DATA_SOURCE))
    assert not any("predictions" in f for f in facts(repo, F.DATA_SOURCE))  # an output table


def test_sagemaker_pipeline_facts(tmp_path: Path) -> None:
    repo = collect_repo(make_repo(tmp_path / "repo", shared("sagemaker_training", "sagemaker_release")))
    [job] = repo.platforms.jobs
    assert job.definition == "seed/pipelines/churn/pipeline.py"
    kinds = {f.kind for f in repo.platforms.facts}
    assert {
        F.DATA_SOURCE,
        F.ENVIRONMENT,
        F.TRACKING,
        F.REGISTRATION,
        F.GATE,
        F.SUBMISSION,
        F.DEPLOYMENT,
        F.DATA_CAPTURE,
    } <= kinds
    assert facts(repo, F.SUBMISSION)[0].startswith("seed/pipelines/run.py:")
    [endpoint] = repo.platforms.of_kind(F.DEPLOYMENT)
    assert endpoint.online and endpoint.location.path == "deploy/endpoint.yaml"


def test_vertex_pipeline_facts(tmp_path: Path) -> None:
    repo = collect_repo(make_repo(tmp_path / "repo", shared("vertex_pipelines")))
    jobs = {j.name: j for j in repo.platforms.jobs}
    assert set(jobs) == {"pipeline churn-training", "pipeline churn-prediction"}
    assert "pipelines/components/train.py" in jobs["pipeline churn-training"].code
    assert facts(repo, F.REGISTRATION) == [
        "pipelines/components/train.py:14: job.run uploads the model to the registry"
    ]
    assert [f.location.path for f in repo.platforms.of_kind(F.GATE)] == ["pipelines/components/promote.py"]
    assert {f.kind for f in repo.platforms.facts if f.location.path == "pipelines/components/predict.py"} >= {
        F.DEPLOYMENT,
        F.MONITOR,
        F.ALERT,
    }
    assert facts(repo, F.SCHEDULE) == [
        "terraform/main.tf:20: Cloud Scheduler job weekly-training publishes to a function that "
        "listens for it"
    ]


def test_a_scheduler_without_a_listening_function_reaches_no_code(tmp_path: Path) -> None:
    main = shared("vertex_pipelines")["terraform/main.tf"].replace("event_trigger", "labels")
    repo = collect_repo(
        make_repo(tmp_path / "repo", shared("vertex_pipelines", **{"terraform/main.tf": main}))
    )
    assert facts(repo, F.SCHEDULE) == []


def test_bad_platform_files_are_notes(tmp_path: Path) -> None:
    files = {
        "dvc.yaml": "stages: [\n",
        "ml/databricks.yml": "bundle: {name: x}\ninclude: [resources/*.yml]\n",
        "ml/resources/jobs.yml": "resources:\n  jobs: [1, 2\n",
    }
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    assert {n.path for n in repo.notes} >= {"dvc.yaml", "ml/resources/jobs.yml"}
    assert repo.platforms.jobs == []


def test_data_factory_pipeline_that_registers_a_data_version(tmp_path: Path) -> None:
    from tests.test_criteria_cases import load_case

    versioning = load_case("MLL-112", "pass-data-factory")["files"]
    repo = collect_repo(make_repo(tmp_path / "versioning", versioning))
    assert facts(repo, F.DATA_VERSION) == [
        "adf/pipeline/CurateTrips.json:1: pipeline CurateTrips writes a new version of its output per run"
        " (activity RegisterDataVersion creates an Azure ML data asset version)"
    ]
    assert any("versions its output" in f for f in facts(repo, F.DATA_SOURCE))
    plain = load_case("MLL-112", "fail-data-factory")["files"]
    repo = collect_repo(make_repo(tmp_path / "plain", plain))
    assert facts(repo, F.DATA_VERSION) == []
    assert any("output not versioned" in f for f in facts(repo, F.DATA_SOURCE))


def _bundle_with_tasks(tasks: dict[str, str], **extra: str) -> dict[str, str]:
    """A bundle whose job `etl` has one notebook task per entry of *tasks* (task key -> notebook code)."""
    job = "resources:\n  jobs:\n    etl:\n      tasks:\n"
    files = {"b/databricks.yml": "bundle: {name: b}\ninclude: [jobs.yml]\n"}
    for key, code in tasks.items():
        job += f"        - task_key: {key}\n          notebook_task: {{notebook_path: ./{key}.py}}\n"
        files[f"b/{key}.py"] = code
    return {**files, "b/jobs.yml": job, **extra}


def test_databricks_tasks_that_write_tables_are_data_pipelines(tmp_path: Path) -> None:
    tasks = {
        "insert": 'df.write.insertInto("main.sales.orders")\n',
        "v2": 'df.writeTo("main.sales.daily").createOrReplace()\n',
        "merge": (
            "from delta.tables import DeltaTable\n"
            'target = DeltaTable.forName(spark, "main.sales.customers")\n'
            'target.alias("t").merge(updates.alias("u"), "t.id = u.id").whenMatchedUpdateAll().execute()\n'
        ),
        "sql": 'spark.sql("INSERT INTO main.sales.orders SELECT * FROM staged")\n',
        "features": (
            "from databricks.feature_engineering import FeatureEngineeringClient\n"
            'FeatureEngineeringClient().write_table(name="main.fs.customer_features", df=df, mode="merge")\n'
        ),
        "magic": (
            "# Databricks notebook source\n# MAGIC %sql\n"
            "# MAGIC CREATE TABLE IF NOT EXISTS main.sales.kpis AS SELECT 1\n"
        ),
        # Not data pipelines: an MLlib model saved by training, a task that only reads.
        "model": "model = pipeline.fit(df)\nmodel.write().overwrite().save('/Volumes/main/ml/model')\n",
        "report": 'spark.sql("SELECT count(*) FROM main.sales.orders").show()\n',
    }
    repo = collect_repo(make_repo(tmp_path / "repo", _bundle_with_tasks(tasks)))
    found = facts(repo, F.DATA_SOURCE)
    assert found == [
        "b/insert.py:1: job etl task insert is a data pipeline: it writes insertInto(main.sales.orders)",
        "b/v2.py:1: job etl task v2 is a data pipeline: it writes writeTo(...).createOrReplace()",
        "b/merge.py:3: job etl task merge is a data pipeline: it writes DeltaTable merge",
        "b/sql.py:1: job etl task sql is a data pipeline: it writes SQL INSERT INTO main.sales.orders",
        "b/features.py:2: job etl task features is a data pipeline: it writes "
        "feature table write_table(main.fs.customer_features)",
        "b/magic.py:3: job etl task magic is a data pipeline: it writes SQL CREATE TABLE main.sales.kpis",
    ]
    assert repo.platforms.bundles[0].data_pipelines == ("job etl",)


def test_databricks_scoring_and_training_tasks_write_no_training_data(tmp_path: Path) -> None:
    tasks = {
        "score": (
            "import mlflow\n"
            'predict = mlflow.pyfunc.spark_udf(spark, "models:/m@champion")\n'
            'df.withColumn("p", predict()).write.mode("append").saveAsTable("main.sales.predictions")\n'
        ),
        "train": 'model = Model().fit(x, y)\nmetrics.write.mode("append").saveAsTable("main.ml.metrics")\n',
    }
    repo = collect_repo(make_repo(tmp_path / "repo", _bundle_with_tasks(tasks)))
    assert facts(repo, F.DATA_SOURCE) == []
    assert repo.platforms.bundles[0].data_pipelines == ()


def test_databricks_pinned_delta_reads_version_the_data(tmp_path: Path) -> None:
    tasks = {
        "options": 'df = spark.read.format("delta").options(versionAsOf=12).load(path)\n',
        "timestamp": 'df = spark.read.option("timestampAsOf", "2026-01-01").table("main.sales.orders")\n',
        "dataset": "import mlflow\nds = mlflow.data.from_spark(df, table_name='main.sales.t', version=4)\n",
        "latest": "import mlflow\nds = mlflow.data.from_spark(df, table_name='main.sales.orders')\n",
        "query": "",
    }
    files = _bundle_with_tasks(tasks)
    files["b/jobs.yml"] = files["b/jobs.yml"].replace("./query.py", "./query.sql")
    files["b/query.sql"] = "SELECT * FROM main.sales.orders TIMESTAMP AS OF '2026-01-01';\n"
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    assert [f.split(" reads ")[0] for f in facts(repo, F.DATA_VERSION)] == [
        "b/options.py:1: job etl task options",
        "b/timestamp.py:1: job etl task timestamp",
        "b/dataset.py:2: job etl task dataset",
        "b/query.sql:1: job etl task query",
    ]


def test_databricks_declarative_pipeline_and_target_modes(tmp_path: Path) -> None:
    files = {
        "b/databricks.yml": (
            "bundle: {name: b}\ninclude: [pipelines.yml]\n"
            "targets:\n  dev: {mode: development, default: true}\n  prod: {mode: production}\n"
        ),
        "b/pipelines.yml": (
            "resources:\n  pipelines:\n    curate:\n      catalog: main\n"
            "      libraries:\n        - glob: {include: ./transformations/**}\n"
            "    remote:\n      libraries:\n        - notebook: {path: /Workspace/Shared/x}\n"
        ),
        "b/transformations/orders.py": (
            "from pyspark import pipelines as dp\n\n\n@dp.materialized_view\ndef orders():\n"
            "    return spark.read.table(source)\n"
        ),
    }
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    assert facts(repo, F.DATA_SOURCE) == [
        "b/pipelines.yml:3: pipeline curate (Lakeflow Declarative Pipelines / DLT) is a data pipeline into "
        "main: it declares @dp.materialized_view"
    ]
    [bundle] = repo.platforms.bundles
    assert bundle.data_pipelines == ("pipeline curate",)
    assert bundle.modes == (("dev", "development"), ("prod", "production"))


def test_databricks_sql_files_are_read_across_lines_without_comments(tmp_path: Path) -> None:
    files = _bundle_with_tasks({"a": "", "b": ""})
    files["b/jobs.yml"] = files["b/jobs.yml"].replace("./a.py", "./a.sql").replace("./b.py", "./b.sql")
    files["b/a.sql"] = "-- INSERT INTO main.sales.audit is done elsewhere\nSELECT 1;\n"
    files["b/b.sql"] = "SELECT 1;\nCREATE OR REPLACE TABLE\n  main.sales.daily\nAS SELECT * FROM t;\n"
    repo = collect_repo(make_repo(tmp_path / "repo", files))
    assert facts(repo, F.DATA_SOURCE) == [
        "b/b.sql:2: job etl task b is a data pipeline: it writes SQL CREATE OR REPLACE TABLE main.sales.daily"
    ]
