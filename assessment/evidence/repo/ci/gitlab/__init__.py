"""GitLab CI as CI facts: config.py (the configuration merged from its files, jobs resolved),
rules.py (when a job runs: rules, only / except, workflow rules), reader.py (pipelines, jobs,
their scripts and child pipelines)."""
