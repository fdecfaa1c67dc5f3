"""Checks over the Azure ML assets of a repository (data, jobs, environments, deployments, monitors) as
YAML, SDK v1 configuration files and SDK code: data.py (data sources, with data_sources.py),
training.py (training jobs, with training_jobs.py and sdk_jobs.py), environment.py, deployment.py,
monitoring.py; common.py holds what they share.

Each check reads AmlAssets through the helpers of evidence/repo/azureml/ (assets.py, jobs.py,
v1files.py) and, where CI completes the YAML at deploy time (`az ml online-deployment create
--file X --set model=...`), the CiActions that target that file: a value CI sets for a file
replaces the file's value.
"""
