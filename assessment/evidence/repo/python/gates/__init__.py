"""Evaluation gates: analysis.py (one module: comparisons with the current model that stop a worse
candidate), links.py (flags written by one module and read by another), syntax.py (the
statement structure and expression tests they need)."""
