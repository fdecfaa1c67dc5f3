// Level 5 network isolation of one environment. The workspace, its storage, Key Vault and container
// registry have public network access disabled and a managed virtual network that allows approved
// outbound traffic only (infra/main.bicep, networkIsolation = true in infra/env/*.bicepparam); this
// layer gives them private endpoints in the platform virtual network, with the private DNS zones
// that resolve their names there, and approves the outbound destinations training needs.
// The subnet ci-runners hosts the private CI runners (53-ci-runners.bicep): the only way CI
// reaches the workspace's data plane. Address ranges: infra/platform.json.
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

@description('Azure region of the network (the workspace region).')
param location string = resourceGroup().location

@description('The workspace storage account of infra/main.bicep (same default as its storageAccountName).')
@minLength(3)
@maxLength(24)
param storageAccountName string = 'st${replace(projectName, '-', '')}${env}${nameSuffix}'

@description('The Key Vault of infra/main.bicep (same default as its keyVaultName).')
@minLength(3)
@maxLength(24)
param keyVaultName string = 'kv-${projectName}-${env}${empty(nameSuffix) ? '' : '-${nameSuffix}'}'

@description('The container registry of infra/main.bicep (same default as its containerRegistryName).')
@minLength(5)
@maxLength(50)
param containerRegistryName string = 'cr${replace(projectName, '-', '')}${env}${nameSuffix}'

var settings = loadJsonContent('../platform.json')
var tags = { project: projectName, environment: env, 'managed-by': 'bicep' }
var names = {
  workspace: 'mlw-${projectName}-${env}'
  storageAccount: storageAccountName
  keyVault: keyVaultName
  containerRegistry: containerRegistryName
  vnet: 'vnet-${projectName}-${env}'
}
// One private DNS zone per kind of endpoint; the workspace needs two.
var zones = {
  amlworkspace: ['privatelink.api.azureml.ms', 'privatelink.notebooks.azure.net']
  blob: ['privatelink.blob.${environment().suffixes.storage}']
  file: ['privatelink.file.${environment().suffixes.storage}']
  queue: ['privatelink.queue.${environment().suffixes.storage}']
  vault: ['privatelink.vaultcore.azure.net']
  registry: ['privatelink.azurecr.io']
}
var zoneNames = union(
  zones.amlworkspace, zones.blob, zones.file, zones.queue, zones.vault, zones.registry
)

resource workspace 'Microsoft.MachineLearningServices/workspaces@2026-03-01' existing = {
  name: names.workspace
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-08-01' existing = {
  name: names.storageAccount
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: names.keyVault
}

resource containerRegistry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: names.containerRegistry
}

resource endpointsNsg 'Microsoft.Network/networkSecurityGroups@2025-05-01' = {
  name: 'nsg-${projectName}-${env}-endpoints'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        name: 'allow-vnet-https'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: 'VirtualNetwork'
          destinationPortRange: '443'
        }
      }
      {
        name: 'deny-all-inbound'
        properties: {
          priority: 4096
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource runnersNsg 'Microsoft.Network/networkSecurityGroups@2025-05-01' = {
  name: 'nsg-${projectName}-${env}-runners'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        name: 'deny-internet-inbound'
        properties: {
          priority: 4000
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: 'Internet'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' = {
  name: names.vnet
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [settings.network.addressSpace] }
    subnets: [
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: settings.network.privateEndpointSubnet
          networkSecurityGroup: { id: endpointsNsg.id }
          privateEndpointNetworkPolicies: 'Enabled'
        }
      }
      {
        name: 'ci-runners'
        properties: {
          addressPrefix: settings.network.runnerSubnet
          networkSecurityGroup: { id: runnersNsg.id }
          delegations: [
            { name: 'container-apps', properties: { serviceName: 'Microsoft.App/environments' } }
          ]
        }
      }
    ]
  }
}

resource dnsZones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in zoneNames: {
    name: zone
    location: 'global'
    tags: tags
  }
]

resource dnsLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, index) in zoneNames: {
    parent: dnsZones[index]
    name: 'link-${names.vnet}'
    location: 'global'
    tags: tags
    properties: {
      virtualNetwork: { id: vnet.id }
      registrationEnabled: false
    }
  }
]

// The workspace's private endpoint: its API and its notebooks resolve to it in the network.
resource workspaceEndpoint 'Microsoft.Network/privateEndpoints@2025-05-01' = {
  name: 'pe-${projectName}-${env}-workspace'
  location: location
  tags: tags
  properties: {
    subnet: { id: vnet.properties.subnets[0].id }
    privateLinkServiceConnections: [
      {
        name: 'workspace'
        properties: {
          privateLinkServiceId: workspace.id
          groupIds: ['amlworkspace']
        }
      }
    ]
  }
}

resource workspaceZoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = {
  parent: workspaceEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      for zone in zones.amlworkspace: {
        name: replace(zone, '.', '-')
        properties: { privateDnsZoneId: resourceId('Microsoft.Network/privateDnsZones', zone) }
      }
    ]
  }
  dependsOn: [dnsZones]
}

// (target resource, private link group, DNS zone) of the other private endpoints of the environment.
var endpoints = [
  { name: 'blob', id: storageAccount.id, group: 'blob', zones: zones.blob }
  { name: 'file', id: storageAccount.id, group: 'file', zones: zones.file }
  { name: 'queue', id: storageAccount.id, group: 'queue', zones: zones.queue }
  { name: 'vault', id: keyVault.id, group: 'vault', zones: zones.vault }
  { name: 'registry', id: containerRegistry.id, group: 'registry', zones: zones.registry }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2025-05-01' = [
  for endpoint in endpoints: {
    name: 'pe-${projectName}-${env}-${endpoint.name}'
    location: location
    tags: tags
    properties: {
      subnet: { id: vnet.properties.subnets[0].id }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: endpoint.id
            groupIds: [endpoint.group]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = [
  for (endpoint, index) in endpoints: {
    parent: privateEndpoints[index]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        for zone in endpoint.zones: {
          name: replace(zone, '.', '-')
          properties: { privateDnsZoneId: resourceId('Microsoft.Network/privateDnsZones', zone) }
        }
      ]
    }
    dependsOn: [dnsZones]
  }
]

// The managed network allows only approved outbound traffic: the package indexes and image
// registries that environment builds and training jobs download from (infra/platform.json).
resource outboundRules 'Microsoft.MachineLearningServices/workspaces/outboundRules@2026-03-01' = [
  for (fqdn, index) in settings.approvedOutboundFqdns: {
    parent: workspace
    name: 'allow-fqdn-${index}'
    properties: {
      type: 'FQDN'
      category: 'UserDefined'
      destination: fqdn
    }
  }
]

output vnetId string = vnet.id
output privateEndpointSubnetId string = vnet.properties.subnets[0].id
output runnerSubnetId string = vnet.properties.subnets[1].id
