#!/usr/bin/env python3
"""Wait until the runs of other workflows for the same commit have finished; fail if one failed.

    python3 scripts/wait_for_workflows.py --workflow infra.yml [--workflow train.yml] \\
        --repo "$GITHUB_REPOSITORY" --sha "$GITHUB_SHA" [--timeout-minutes 90]

The first push of a project starts the infrastructure, training and release workflows at once, but
training needs the workspace and the release needs a trained model. Instead of failing with an
Azure error, each waits here for what it needs (GitHub API, the job's GITHUB_TOKEN in GH_TOKEN with
`actions: read`). A workflow with no run for this commit (its paths did not change) is not waited for.
Standard library only: CI runners have python3 but not the project's dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from typing import Any

API = os.environ.get("GITHUB_API_URL", "https://api.github.com")
POLL_SECONDS = 30


def latest_run(runs: list[dict[str, Any]], exclude_run_id: str = "") -> dict[str, Any] | None:
    """The most recent run (highest run number), other than the run that is waiting."""
    others = [run for run in runs if str(run.get("id")) != exclude_run_id]
    return max(others, key=lambda run: (run.get("run_number", 0), run.get("run_attempt", 0)), default=None)


def verdict(workflow: str, run: dict[str, Any] | None) -> tuple[str, str]:
    """("done" | "wait" | "failed", message) for the latest run of *workflow* for the commit."""
    if run is None:
        return "done", f"{workflow}: no run for this commit, nothing to wait for"
    url = run.get("html_url", "")
    if run.get("status") != "completed":
        return "wait", f"{workflow}: run {url} is {run.get('status')}; waiting for it"
    if run.get("conclusion") in ("success", "skipped", "neutral"):
        return "done", f"{workflow}: run {url} succeeded"
    return "failed", (
        f"{workflow}: run {url} ended '{run.get('conclusion')}' for this commit; this workflow needs "
        f"what it deploys. Fix it, re-run {workflow}, then re-run this workflow."
    )


def fetch_runs(repo: str, workflow: str, sha: str, token: str) -> list[dict[str, Any]]:
    url = f"{API}/repos/{repo}/actions/workflows/{workflow}/runs?head_sha={sha}&per_page=50"
    request = urllib.request.Request(url, headers={
        "Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
    })
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response).get("workflow_runs", [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow", action="append", required=True,
                        help="workflow file name, e.g. infra.yml (repeatable)")
    parser.add_argument("--repo", required=True, help="owner/name")
    parser.add_argument("--sha", required=True, help="the commit")
    parser.add_argument("--timeout-minutes", type=float, default=90)
    args = parser.parse_args(argv)
    token = os.environ.get("GH_TOKEN", "")
    if not token:
        print("wait_for_workflows: set GH_TOKEN to the job's GITHUB_TOKEN", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.timeout_minutes * 60
    pending = list(args.workflow)
    while pending:
        still = []
        for workflow in pending:
            try:
                runs = fetch_runs(args.repo, workflow, args.sha, token)
            except OSError as error:
                print(f"wait_for_workflows: cannot read the runs of {workflow}: {error}", file=sys.stderr)
                return 2
            state, message = verdict(workflow, latest_run(runs, os.environ.get("GITHUB_RUN_ID", "")))
            print(message, flush=True)
            if state == "failed":
                print(f"::error::{message}")
                return 1
            if state == "wait":
                still.append(workflow)
        pending = still
        if pending:
            if time.monotonic() > deadline:
                waited = f"{', '.join(pending)} after {args.timeout_minutes} minutes"
                print(f"::error::gave up waiting for {waited}")
                return 1
            time.sleep(POLL_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
