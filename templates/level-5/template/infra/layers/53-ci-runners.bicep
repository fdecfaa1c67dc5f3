// Private CI runners of one environment: GitHub Actions runners that start on demand as Azure
// Container Apps jobs in the platform network (subnet ci-runners of 50-network.bicep), so that CI
// reaches the private workspace, storage and registry through their private endpoints. KEDA's
// github-runner scaler starts one ephemeral runner per queued job labelled azure-<env> and none when
// nothing is queued. The runner image is built by .github/workflows/runner-image.yml from
// infra/runner/Dockerfile. A GitHub token (fine-grained: the repository's Administration and
// Actions read/write, Packages read) is read from the Key Vault secret github-runner-token; until
// infra/platform.json names the repository, only the environment and the identity are deployed.
// Set-up, including putting the secret into the private Key Vault: docs/platform.md.
targetScope = 'resourceGroup'

@description('Environment name (dev, test, prod, ...).')
@minLength(2)
@maxLength(5)
param env string

@description('Project name: 3-16 lowercase letters, digits and hyphens.')
@minLength(3)
@maxLength(16)
param projectName string

@description('4 lowercase letters or digits that make the globally unique names unique.')
@maxLength(4)
param nameSuffix string

@description('Azure region of the runners (the workspace region).')
param location string = resourceGroup().location

@description('The Key Vault of infra/main.bicep (same default as its keyVaultName).')
@minLength(3)
@maxLength(24)
param keyVaultName string = 'kv-${projectName}-${env}${empty(nameSuffix) ? '' : '-${nameSuffix}'}'

var settings = loadJsonContent('../platform.json')
var repository = settings.runner.githubRepository // owner/name
var owner = empty(repository) ? '' : split(repository, '/')[0]
var image = empty(settings.runner.image) ? 'ghcr.io/${toLower(repository)}/ci-runner:latest' : settings.runner.image
var tags = { project: projectName, environment: env, 'managed-by': 'bicep' }
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' existing = {
  name: 'vnet-${projectName}-${env}'
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: 'log-${projectName}-${env}'
}

// The runners' own identity: it only reads the GitHub token. CI jobs on the runners sign in to
// Azure with OIDC as before (azure/login), never as this identity.
resource runnerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${projectName}-${env}-runner'
  location: location
  tags: tags
}

resource secretReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, runnerIdentity.id, keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: runnerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource runnerEnvironment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: 'cae-${projectName}-${env}'
  location: location
  tags: tags
  properties: {
    vnetConfiguration: {
      infrastructureSubnetId: '${vnet.id}/subnets/ci-runners'
      internal: true
    }
    workloadProfiles: [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
    ]
    appLogsConfiguration: { destination: 'azure-monitor' }
    zoneRedundant: false
  }
}

resource runnerLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: runnerEnvironment
  properties: {
    workspaceId: logAnalytics.id
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
  }
}

resource runnerJob 'Microsoft.App/jobs@2025-07-01' = if (!empty(repository)) {
  name: 'ghr-${projectName}-${env}'
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${runnerIdentity.id}': {} }
  }
  properties: {
    environmentId: runnerEnvironment.id
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Event'
      replicaTimeout: 7200
      replicaRetryLimit: 0
      eventTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: settings.runner.maxRunners
          pollingInterval: 30
          rules: [
            {
              name: 'github-runner'
              type: 'github-runner'
              metadata: {
                githubAPIURL: 'https://api.github.com'
                owner: owner
                runnerScope: 'repo'
                repos: last(split(repository, '/'))
                labels: 'azure-${env}'
                targetWorkflowQueueLength: '1'
              }
              auth: [{ secretRef: 'github-token', triggerParameter: 'personalAccessToken' }]
            }
          ]
        }
      }
      secrets: [
        {
          name: 'github-token'
          keyVaultUrl: '${keyVault.properties.vaultUri}secrets/github-runner-token'
          identity: runnerIdentity.id
        }
      ]
      registries: [
        { server: 'ghcr.io', username: owner, passwordSecretRef: 'github-token' }
      ]
    }
    template: {
      containers: [
        {
          name: 'runner'
          image: image
          resources: { cpu: json('2.0'), memory: '4Gi' }
          env: [
            { name: 'GITHUB_TOKEN', secretRef: 'github-token' }
            { name: 'GITHUB_REPOSITORY', value: repository }
            { name: 'RUNNER_LABELS', value: 'azure-${env}' }
          ]
        }
      ]
    }
  }
  dependsOn: [secretReader]
}

output runnerLabel string = 'azure-${env}'
