"""Clean the raw applications table and split it."""
import argparse

import pandas as pd
from sklearn.model_selection import train_test_split

FEATURES = ["age", "income", "loan_amount", "tenure_months"]
TARGET = "default"


def clean(df: pd.DataFrame) -> pd.DataFrame:
    df = df.dropna(subset=FEATURES + [TARGET])
    return df[(df["age"] >= 18) & (df["income"] >= 0)]


def split(df: pd.DataFrame, seed: int = 42):
    return train_test_split(df, test_size=0.2, random_state=seed, stratify=df[TARGET])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    args = parser.parse_args()
    train, test = split(clean(pd.read_csv(args.raw)))
    train.to_csv(args.train, index=False)
    test.to_csv(args.test, index=False)


if __name__ == "__main__":
    main()
