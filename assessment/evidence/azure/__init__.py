"""The Azure collector: reads a live estate (subscriptions, resource groups, Azure ML workspaces and
their dependents) read-only through the Azure SDKs into AzureEvidence, or loads a saved snapshot.

cloud.py (which cloud and endpoint), transport.py (one HTTP pipeline: credential, retries,
timeouts, bounded concurrency), catalog.py (what is read and with which api-version), scope.py
(subscriptions, resource groups and workspaces in scope), collect.py (the scan), graph.py (Azure
Resource Graph for many subscriptions or a management group), workspace.py (the Azure ML detail
of each workspace), redact.py (no secret leaves a body), snapshot.py (save and load, `az` outputs).
Nothing here is imported until a command needs Azure: `--help` never loads the SDKs.
"""
