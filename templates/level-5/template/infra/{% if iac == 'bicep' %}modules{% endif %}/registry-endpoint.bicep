// A private endpoint from one environment's virtual network (50-network.bicep) to the shared Azure
// ML registry, registered in that network's privatelink.api.azureml.ms zone.
targetScope = 'resourceGroup'

@description('Environment whose network gets the endpoint.')
@minLength(2)
@maxLength(5)
param env string

@description('Project name: 3-16 lowercase letters, digits and hyphens.')
@minLength(3)
@maxLength(16)
param projectName string

@description('Azure region of the endpoint (the environment network region).')
param location string

@description('Resource id of the Azure ML registry.')
param registryId string

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' existing = {
  name: 'vnet-${projectName}-${env}'
}

resource apiZone 'Microsoft.Network/privateDnsZones@2024-06-01' existing = {
  name: 'privatelink.api.azureml.ms'
}

resource endpoint 'Microsoft.Network/privateEndpoints@2025-05-01' = {
  name: 'pe-${projectName}-${env}-mlregistry'
  location: location
  tags: { project: projectName, environment: env, 'managed-by': 'bicep' }
  properties: {
    subnet: { id: '${vnet.id}/subnets/private-endpoints' }
    privateLinkServiceConnections: [
      {
        name: 'mlregistry'
        properties: {
          privateLinkServiceId: registryId
          groupIds: ['amlregistry']
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      { name: 'api', properties: { privateDnsZoneId: apiZone.id } }
    ]
  }
}
