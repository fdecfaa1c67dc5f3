"""Load the training data and split it into train and test sets.

The schema is declared once here (FEATURES, TARGET); every other module imports it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

ID_COLUMN = "customer_id"
NUMERIC_FEATURES = ["tenure_months", "monthly_charges", "support_calls", "data_usage_gb"]
CATEGORICAL_FEATURES = ["contract"]
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
TARGET = "churned"
DEFAULT_SEED = 42


def load_dataset(path: str | Path) -> pd.DataFrame:
    """Read a CSV file, or every CSV file of a folder (an Azure ML uri_folder), and check its schema."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise FileNotFoundError(f"no CSV file in folder {path}")
        frame = pd.concat([pd.read_csv(file) for file in files], ignore_index=True)
    else:
        frame = pd.read_csv(path)
    missing = [column for column in [*FEATURES, TARGET] if column not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    labels = set(frame[TARGET].dropna().unique())
    if not labels <= {0, 1}:
        raise ValueError(f"{path}: {TARGET} must be 0 or 1, found {sorted(labels)}")
    return frame


def split(
    frame: pd.DataFrame, seed: int = DEFAULT_SEED, test_size: float = 0.2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split into (train, test), stratified on the target so both keep the same class balance."""
    train, test = train_test_split(
        frame, test_size=test_size, random_state=seed, stratify=frame[TARGET]
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)
