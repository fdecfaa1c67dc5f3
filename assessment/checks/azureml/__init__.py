"""Checks over the Azure ML YAML of a repository (data, pipelines, environments, deployments, monitors):
data.py, training.py, deployment.py, monitoring.py; common.py holds what they share.

Each check reads AmlAssets through the helpers of evidence/repo/azureml/assets.py and, where CI
completes the YAML at deploy time (`az ml online-deployment create --file X --set model=...`),
the CiActions that target that file: a value CI sets for a file replaces the file's value.
"""
