"""Azure ML CLI v2 YAML files as facts: collect.py (which files are read), kinds.py (what each one
is, by `$schema` and shape), values.py (expressions, flags, asset references, local paths),
assets.py (what an asset says: pipeline steps, deployment model, schedule job, monitor signals...)."""
