"""CI pipelines as facts: GitHub Actions, Azure DevOps and GitLab CI readers and what their scripts do."""
