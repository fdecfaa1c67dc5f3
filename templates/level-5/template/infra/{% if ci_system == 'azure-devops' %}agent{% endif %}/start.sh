#!/usr/bin/env bash
# Downloads the Azure Pipelines agent from the organization, registers it in the pool $AZP_POOL,
# runs one job and exits (the Container Apps job execution ends with it, and the agent is removed).
# With AZP_PLACEHOLDER=1 it registers and exits without running: the offline agent lets Azure DevOps
# queue jobs in the pool before any agent ran. AZP_TOKEN comes from the Key Vault secret
# azp-agent-token (infra/layers/53-ci-agents.bicep).
set -euo pipefail

: "${AZP_URL:?set by the Container Apps job}"
: "${AZP_TOKEN:?set by the Container Apps job}"
: "${AZP_POOL:?set by the Container Apps job}"
name="${AZP_AGENT_NAME:-$(hostname)}"

package="$(curl -fsSL -u "user:${AZP_TOKEN}" \
  "${AZP_URL}/_apis/distributedtask/packages/agent?platform=linux-x64&top=1" | jq -r '.value[0].downloadUrl')"
mkdir -p agent
curl -fsSL "$package" | tar -xz -C agent
cd agent

cleanup() {
  ./config.sh remove --unattended --auth pat --token "$AZP_TOKEN" || true
}

./config.sh --unattended --acceptTeeEula --replace --agent "$name" --url "$AZP_URL" \
  --auth pat --token "$AZP_TOKEN" --pool "$AZP_POOL" --work _work
if [ "${AZP_PLACEHOLDER:-}" = "1" ]; then
  echo "placeholder agent $name registered in $AZP_POOL; it stays offline"
  exit 0
fi
trap cleanup EXIT
# The job the agent runs does not see the token.
env -u AZP_TOKEN ./run.sh --once
