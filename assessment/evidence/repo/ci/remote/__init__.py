"""Delegation to other repositories: reusable workflows and templates whose source is not here.

known_templates.yaml says what well-known ones do (read from their public source); catalog.py
loads it; calls.py turns a call of a known template into the calling job's CiActions and records
every remote call (known or not) as a RemoteCall.
"""
