"""Python modules and Jupyter notebooks as facts: collect.py (every file, in order), parse.py (one
module), scan.py (the walk over its tree), seeds.py, notebooks.py, parallel.py (forked workers
for large repositories), registry.py (calls that read, register or promote models), gates/
(evaluation gates)."""
