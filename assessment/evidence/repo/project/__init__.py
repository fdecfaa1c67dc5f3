"""Project hygiene facts: collect.py assembles ProjectEvidence (model.py) from dependencies.py and
requirements.py (dependency files, pins, lock files), tooling.py (test / lint / pre-commit
configuration, dependency bots, CODEOWNERS), documents.py (model cards, load tests),
binaries.py (committed model and data files) and secret_scan.py (committed secrets)."""
