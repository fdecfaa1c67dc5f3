#!/usr/bin/env bash
# Registers one ephemeral runner for $GITHUB_REPOSITORY with the labels $RUNNER_LABELS, runs one
# job, and exits (the Container Apps job execution ends with it). GITHUB_TOKEN comes from the Key
# Vault secret github-runner-token (infra/layers/53-ci-runners.bicep).
set -euo pipefail

: "${GITHUB_REPOSITORY:?set by the Container Apps job}"
: "${GITHUB_TOKEN:?set by the Container Apps job}"
: "${RUNNER_LABELS:?set by the Container Apps job}"

registration_token="$(curl -fsSL -X POST \
  -H "Authorization: Bearer ${GITHUB_TOKEN}" -H "Accept: application/vnd.github+json" \
  "https://api.github.com/repos/${GITHUB_REPOSITORY}/actions/runners/registration-token" | jq -r .token)"

./config.sh --unattended --ephemeral --disableupdate \
  --url "https://github.com/${GITHUB_REPOSITORY}" --token "${registration_token}" \
  --labels "${RUNNER_LABELS}" --name "$(hostname)"
exec ./run.sh
