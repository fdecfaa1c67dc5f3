"""Azure DevOps YAML pipelines as CI facts: pipeline.py (which files are pipelines, what they
declare), templates.py (template references and `${{ parameters.x }}`), reader.py (the walk over
stages, jobs, templates and steps), tasks.py (what known tasks do)."""
