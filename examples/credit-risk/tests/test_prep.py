import pandas as pd

from credit_risk.prep import clean


def test_clean_drops_minors_and_missing_rows():
    df = pd.DataFrame(
        {"age": [17, 30, None], "income": [1, 2, 3], "loan_amount": [1, 1, 1],
         "tenure_months": [1, 1, 1], "default": [0, 1, 0]}
    )
    assert list(clean(df)["age"]) == [30]
