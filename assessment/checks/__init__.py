"""Checks: pure functions from evidence to a CheckResult (contract in base.py, index in registry.py)."""
