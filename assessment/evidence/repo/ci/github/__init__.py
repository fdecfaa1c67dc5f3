"""GitHub Actions workflows as CI facts: workflow.py (what a workflow file declares), reader.py (the
walk over workflows, jobs, reusable workflows and steps), actions.py (what known actions do)."""
