"""Clean the raw data and write the train and test splits.

    python -m <package>.prep --input data/sample/customers.csv \
        --train-output outputs/train --test-output outputs/test
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .data import DEFAULT_SEED, FEATURES, ID_COLUMN, TARGET, load_dataset, split

SPLIT_FILE_NAME = "data.csv"


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop duplicate customers and rows without a label or with missing features."""
    if ID_COLUMN in frame.columns:
        frame = frame.drop_duplicates(subset=ID_COLUMN, keep="last")
    frame = frame.dropna(subset=[*FEATURES, TARGET])
    return frame.astype({TARGET: int}).reset_index(drop=True)


def write_split(frame: pd.DataFrame, folder: str | Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SPLIT_FILE_NAME
    frame.to_csv(target, index=False)
    return target


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="raw data: a CSV file or a folder of CSV files")
    parser.add_argument("--train-output", required=True, help="folder that receives the train split")
    parser.add_argument("--test-output", required=True, help="folder that receives the test split")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--test-size", type=float, default=0.2)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    frame = clean(load_dataset(args.input))
    train, test = split(frame, seed=args.seed, test_size=args.test_size)
    write_split(train, args.train_output)
    write_split(test, args.test_output)
    print(f"prep: {len(frame)} rows -> {len(train)} train, {len(test)} test")


if __name__ == "__main__":
    main()
