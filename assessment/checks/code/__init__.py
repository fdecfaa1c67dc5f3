"""Checks over Python code, notebooks and project files (tests, lint, pins, secrets, model cards...):
codebase.py, project.py, training.py, deployment.py, features.py, responsible_ai.py; modules.py
matches modules to imports and tests.

They read PythonEvidence (evidence/repo/python/) and ProjectEvidence (evidence/repo/project/); a
few also read the Azure ML YAML (deployments and their scoring scripts) and the CI actions (model
registration by `az ml model create`).
"""
