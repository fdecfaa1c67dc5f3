// An outbound rule of a workspace's managed network: a private endpoint to the shared Azure ML
// registry, so jobs and deployments pull the registry's models and environments privately.
targetScope = 'resourceGroup'

@description('Name of the Azure ML workspace.')
@minLength(3)
@maxLength(33)
param workspaceName string

@description('Resource id of the Azure ML registry.')
param registryId string

resource workspace 'Microsoft.MachineLearningServices/workspaces@2026-03-01' existing = {
  name: workspaceName
}

resource registryRule 'Microsoft.MachineLearningServices/workspaces/outboundRules@2026-03-01' = {
  parent: workspace
  name: 'allow-registry'
  properties: {
    type: 'PrivateEndpoint'
    category: 'UserDefined'
    destination: {
      serviceResourceId: registryId
      subresourceTarget: 'amlregistry'
      sparkEnabled: false
    }
  }
}
