// The Azure ML platform of one environment: monitoring, storage, secrets, container registry, the
// workspace's user-assigned identity with the roles it needs, and the Azure ML workspace.
// Deployed by .github/workflows/infra.yml into rg-<project>-<env> with infra/env/<env>.bicepparam;
// higher levels add infra/layers/*.bicep that refer to this workspace with `existing`.
// Names follow mlops/config.yml (scripts/ci_env.py gives them to CI); keep both in step.
targetScope = 'resourceGroup'

@description('Environment name, part of every resource name (dev, test, prod, ...).')
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

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Extra tags for every resource.')
param tags object = {}

@description('Level 5: public network access off everywhere, a managed network with approved outbound only; infra/layers/50-network.bicep adds the private endpoints.')
param networkIsolation bool = false

var compactName = replace(projectName, '-', '')
var suffix = empty(nameSuffix) ? '' : '-${nameSuffix}'
var names = {
  workspace: 'mlw-${projectName}-${env}'
  storageAccount: 'st${compactName}${env}${nameSuffix}'
  keyVault: 'kv-${projectName}-${env}${suffix}'
  containerRegistry: 'cr${compactName}${env}${nameSuffix}'
  applicationInsights: 'appi-${projectName}-${env}'
  logAnalytics: 'log-${projectName}-${env}'
  identity: 'id-${projectName}-${env}'
}
var isProduction = env == 'prod'
var allTags = union({ project: projectName, environment: env, 'managed-by': 'bicep' }, tags)
var publicNetworkAccess = networkIsolation ? 'Disabled' : 'Enabled'

// Built-in role definitions (ids are the same in every tenant).
var roles = {
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483'
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: names.logAnalytics
  location: location
  tags: allTags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: isProduction ? 90 : 30
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.applicationInsights
  location: location
  tags: allTags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
  }
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-08-01' = {
  name: names.storageAccount
  location: location
  tags: allTags
  sku: { name: 'Standard_LRS' } // Standard_ZRS for production in regions with availability zones
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    // Shared keys stay enabled: the workspace's system datastores (workspaceblobstore,
    // workspaceworkingdirectory) authenticate with the account key by default, and the identity
    // mode (systemDatastoresAuthMode 'Identity' + allowSharedKeyAccess false) needs every user and
    // compute identity to hold data-plane roles and still has feature limits. The portal and tools
    // default to Entra ID sign-in all the same.
    allowSharedKeyAccess: true
    defaultToOAuthAuthentication: true
    isHnsEnabled: false // the default storage of an Azure ML workspace cannot be Data Lake Gen2
    publicNetworkAccess: publicNetworkAccess // private endpoints come with network isolation (level 5)
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: names.keyVault
  location: location
  tags: allTags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true // Azure RBAC, no access policies
    enableSoftDelete: true
    softDeleteRetentionInDays: isProduction ? 90 : 7
    enablePurgeProtection: true // deleted secrets cannot be purged before the retention ends
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource containerRegistry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: names.containerRegistry
  location: location
  tags: allTags
  sku: { name: networkIsolation ? 'Premium' : 'Basic' } // Premium is needed for private endpoints (level 5)
  properties: {
    adminUserEnabled: false // pulls and pushes use Entra ID identities, never the admin password
    anonymousPullEnabled: false
    publicNetworkAccess: publicNetworkAccess
  }
}

// The workspace's own identity. A user-assigned identity outlives the workspace, and its roles are
// declared here rather than granted implicitly at workspace creation.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: allTags
}

// The roles Azure ML documents for a workspace with a user-assigned identity, each scoped to one
// resource (never the resource group): control plane (Contributor) to manage keys, secrets and
// registry build tasks, data plane to read and write blobs and secrets.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.contributor, roles.storageBlobDataContributor]: {
    name: guid(storageAccount.id, identity.id, role)
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource keyVaultRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.contributor, roles.keyVaultAdministrator]: {
    name: guid(keyVault.id, identity.id, role)
    scope: keyVault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource containerRegistryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(containerRegistry.id, identity.id, roles.contributor)
  scope: containerRegistry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource applicationInsightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, roles.contributor)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.contributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2026-03-01' = {
  name: names.workspace
  location: location
  tags: allTags
  sku: { name: 'Basic', tier: 'Basic' }
  kind: 'Default'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    friendlyName: '${projectName} (${env})'
    description: 'Azure ML workspace of ${projectName}, environment ${env}'
    storageAccount: storageAccount.id
    keyVault: keyVault.id
    applicationInsights: applicationInsights.id
    containerRegistry: containerRegistry.id
    primaryUserAssignedIdentity: identity.id
    systemDatastoresAuthMode: 'AccessKey' // see allowSharedKeyAccess above
    publicNetworkAccess: publicNetworkAccess // network isolation comes at level 5
    managedNetwork: {
      isolationMode: networkIsolation ? 'AllowOnlyApprovedOutbound' : 'Disabled'
    }
    hbiWorkspace: false
    v1LegacyMode: false
  }
  // Azure ML checks the identity's access to each resource when it creates the workspace.
  dependsOn: [
    storageRoles
    keyVaultRoles
    containerRegistryRole
    applicationInsightsRole
  ]
}

output workspaceName string = workspace.name
output workspaceId string = workspace.id
output identityId string = identity.id
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output storageAccountName string = storageAccount.name
output keyVaultName string = keyVault.name
output containerRegistryName string = containerRegistry.name
output applicationInsightsName string = applicationInsights.name
output logAnalyticsWorkspaceId string = logAnalytics.id
