"""Evaluation gates: analysis.py (one module: comparisons with the current model or with thresholds
that stop a worse candidate), links.py (flags written by one module and read by another),
facts.py (what the analysis records), calls.py (the calls that matter to a gate) and syntax.py
(the statement structure and expression tests they need)."""
