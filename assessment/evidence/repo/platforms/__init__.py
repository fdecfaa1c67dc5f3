"""ML platforms other than Azure ML, each in its own idiom: dvc.py, databricks.py, sagemaker.py, vertex.py."""
