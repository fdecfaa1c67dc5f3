"""Data sources that code names (data_sources.py) and the calls that show a module trains (training.py)."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.assessment.evidence.repo.python.data_sources import LOCAL_FILE
from mlops_ladder.assessment.evidence.repo.python.model import Call
from mlops_ladder.assessment.evidence.repo.python.training import training_calls
from tests.evidence.test_python_code import collect, module

LOADERS = """\
import os
import pandas as pd
import requests
from azureml.core import Dataset, Datastore, Workspace
from azure.ai.ml import Input, MLClient
from azure.ai.ml.entities import Data
from datasets import load_dataset
from sklearn.datasets import fetch_openml

URL = "https://example.org/data/trips.csv"
ws = Workspace.from_config()
trips = pd.read_csv(URL)
local = pd.read_csv("data/census.csv")
lake = pd.read_parquet(os.getenv("TRIPS", "abfss://raw@lake.dfs.core.windows.net/trips/"))
credit = Dataset.get_by_name(ws, name="credit", version=1)
named = ws.datasets["credit"]
store = Datastore.get(ws, "lake")
table = Dataset.Tabular.from_delimited_files(path=(store, "raw/*.csv"))
table = table.register(ws, name="raw")
job_input = Input(type="uri_file", path="azureml:trips:3")
ml_client = MLClient()
ml_client.data.create_or_update(Data(path="./trips", type="uri_folder", name="trips"))
reviews = load_dataset("imdb")
adult = fetch_openml("adult")
health = requests.get("https://api.example.org/health")
spark_trips = spark.read.format("csv").load("s3://bucket/trips/")
query = pd.read_sql("select * from trips", connection)
settings = {}
settings.get("trips")
"""


def test_sources_named_by_code(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {"src/data.py": LOADERS})
    found = [(s.line, s.kind, s.detail) for s in module(evidence, "src/data.py").data_sources]
    assert found == [
        (12, "uri", "https://example.org/data/trips.csv"),
        (13, LOCAL_FILE, "data/census.csv"),
        (14, "uri", "abfss://raw@lake.dfs.core.windows.net/trips/"),
        (15, "registered dataset", "Dataset.get_by_name('credit')"),
        (16, "registered dataset", "ws.datasets[...]"),
        (17, "datastore", "Datastore.get('lake')"),
        (18, "data asset created", "Dataset.Tabular.from_delimited_files registered with .register()"),
        (20, "job input", "azureml:trips:3"),
        (22, "data asset created", "Data(...) with ml_client.data.create_or_update"),
        (23, "dataset library", "datasets.load_dataset"),
        (24, "dataset library", "sklearn.datasets.fetch_openml"),
        (26, "uri", "s3://bucket/trips/"),
        (27, "database query", "pandas.read_sql"),
    ]


def test_only_a_committed_file_is_not_a_source(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "train.py": "import pandas as pd\nframe = pd.read_csv('data/census.csv')\nframe.to_csv('t.csv')\n",
    })
    assert [s.kind for s in module(evidence, "train.py").data_sources] == [LOCAL_FILE]


def test_training_calls() -> None:
    calls = [
        Call("sklearn.ensemble.RandomForestClassifier.fit", 3),
        Call("scaler.fit_transform", 4),  # preprocessing
        Call("mlflow.sklearn.log_model", 5),
        Call("joblib.dump", 6),
        Call("loss.backward", 7),
        Call("model.save", 8),
        Call("fig.save", 9),
        Call("train", 10),  # a bare project function: its own module is looked at
        Call("azureml.train.automl.AutoMLConfig", 11),
        Call("mlflow.sklearn.load_model", 12),
    ]
    assert [c.line for c in training_calls(calls)] == [3, 5, 6, 7, 8, 11]
