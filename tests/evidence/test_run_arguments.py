"""Loaders that read what their caller gives (data_sources.py, CALLER_GIVEN) and the URIs that scripts,
CI steps and job commands pass to the modules they run (run_arguments.py)."""

from __future__ import annotations

from pathlib import Path

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.collect import collect_repo
from mlops_ladder.assessment.evidence.repo.python.data_sources import CALLER_GIVEN
from mlops_ladder.assessment.evidence.repo.python.run_arguments import DataArgument, option_name
from tests.conftest import make_repo
from tests.evidence.test_python_code import collect, module

READERS = """\
import os
import pandas as pd
import ray
import urllib.request

DATA_URL = os.environ["DATA_URL"]
LOCAL = os.getenv("LOCAL_DIR")


def load(dataset_loc, args):
    first = ray.data.read_csv(dataset_loc)
    second = pd.read_parquet(path=args.features)
    third = pd.read_csv(os.getenv("HOLDOUT_LOC"))
    fourth = pd.read_json(DATA_URL)
    urllib.request.urlretrieve(args.archive, "archive.zip")
    print(open(dataset_loc).read(), dict(a=1).get(dataset_loc), f"{dataset_loc}/x.csv")
    return pd.read_csv(f"{LOCAL}/x.csv")
"""


def test_loaders_that_read_what_the_caller_gives(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {"src/data.py": READERS})
    sources = module(evidence, "src/data.py").data_sources
    found = [(s.line, s.detail) for s in sources if s.kind == CALLER_GIVEN]
    assert found == [
        (11, "dataset_loc"),
        (12, "features"),
        (13, "$HOLDOUT_LOC"),
        (14, "$DATA_URL"),
        (15, "archive"),
    ]  # open() and dict.get() read anything; an f-string is built, not given


def test_option_names_as_modules_read_them() -> None:
    assert option_name("--dataset-loc") == "dataset_loc"
    assert option_name("--data_path") == "data_path"
    assert option_name("-d") is None
    assert option_name("--x") is None


SCRIPT = """\
#!/bin/bash
export PYTHONPATH=$PYTHONPATH:$PWD
export DATASET_LOC="https://example.org/data/trips.csv"
LOCAL_COPY=data/trips.csv
python src/train.py \\
    --dataset-loc "$DATASET_LOC" \\
    --local "$LOCAL_COPY" \\
    -d s3://bucket/short-option
python -m src.evaluate --holdout-loc abfss://lake@acct.dfs.core.windows.net/holdout/
"""


def test_uris_passed_to_modules_by_scripts_ci_and_job_commands(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {
        "jobs/run.sh": SCRIPT,
        "jobs/fetch.sh": "curl -sSL https://example.org/data/trips.csv -o data/trips.csv\n",  # runs no module
        "src/__init__.py": "",
        "src/train.py": "print('train')\n",
        "src/evaluate.py": "print('evaluate')\n",
        ".github/workflows/train.yml": (
            "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: python src/train.py --data gs://bucket/trips/ --out models/\n"
        ),
        "jobs/train.yml": (
            "$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\n"
            "code: ../src\ncommand: python train.py --dataset-loc wasbs://data@acct.blob.core.windows.net/trips\n"
            "environment: azureml:train@latest\ncompute: azureml:cpu\n"
        ),
    })
    found = collect_repo(root).run_arguments
    assert found == [
        DataArgument(Location("jobs/run.sh", 5), "src/train.py", "dataset_loc", "--dataset-loc",
                     "https://example.org/data/trips.csv"),
        DataArgument(Location("jobs/run.sh", 5), "src/train.py", "$DATASET_LOC", "$DATASET_LOC",
                     "https://example.org/data/trips.csv"),
        DataArgument(Location("jobs/run.sh", 9), "src/evaluate.py", "holdout_loc", "--holdout-loc",
                     "abfss://lake@acct.dfs.core.windows.net/holdout/"),
        DataArgument(Location("jobs/run.sh", 9), "src/evaluate.py", "$DATASET_LOC", "$DATASET_LOC",
                     "https://example.org/data/trips.csv"),
        DataArgument(Location(".github/workflows/train.yml", 6), "src/train.py", "data", "--data",
                     "gs://bucket/trips/"),
        DataArgument(Location("jobs/train.yml", 1), "src/train.py", "dataset_loc", "--dataset-loc",
                     "wasbs://data@acct.blob.core.windows.net/trips"),
    ]


def test_scripts_without_uris_are_not_read(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {
        "run.sh": "python train.py --data data/train.csv\n",
        "train.py": "import pandas as pd\nimport sys\npd.read_csv(sys.argv[1])\n",
    })
    assert collect_repo(root).run_arguments == []
