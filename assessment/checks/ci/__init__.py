"""Checks over what CI pipelines do (GitHub Actions, Azure DevOps, GitLab CI): tests_and_lint.py,
training.py, deployment.py, infrastructure.py, security.py and assets.py (monitors, components).

They read CiActions (see evidence/repo/ci/model.py) and join them with the other evidence:
an action counts when its target is the right kind of file of this repository (a pipeline
job YAML, a deployment YAML, a template that declares the workspace...), it runs under the
right triggers, and its failure is not ignored. FAIL means the wired automation is missing;
UNKNOWN means the YAML cannot tell (a file named only at run time, a pull request trigger
that lives in branch policies, a sign-in through a service connection).
"""
