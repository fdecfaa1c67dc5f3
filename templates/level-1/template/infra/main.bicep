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

// Names derived from the project, environment and suffix (the rule of mlops/config.yml and of the
// generator). They are parameters so that Azure's length limits are declared and enforced here too.
@description('Azure ML workspace name.')
@minLength(3)
@maxLength(33)
param workspaceName string = 'mlw-${projectName}-${env}'

@description('Storage account name: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param storageAccountName string = 'st${replace(projectName, '-', '')}${env}${nameSuffix}'

@description('Key Vault name: 3-24 characters, globally unique (also while soft-deleted).')
@minLength(3)
@maxLength(24)
param keyVaultName string = 'kv-${projectName}-${env}${empty(nameSuffix) ? '' : '-${nameSuffix}'}'

@description('Container registry name: 5-50 letters and digits, globally unique.')
@minLength(5)
@maxLength(50)
param containerRegistryName string = 'cr${replace(projectName, '-', '')}${env}${nameSuffix}'

@description('Name of the workspace identity.')
@minLength(3)
@maxLength(128)
param identityName string = 'id-${projectName}-${env}'

@description('default, or recover: rebuild on a Key Vault that was deleted and is still soft-deleted (docs/security.md).')
@allowed([
  'default'
  'recover'
])
param keyVaultCreateMode string = 'default'

@description('false (default): Entra ID only on storage; true only for tools that still need account keys.')
param allowSharedKeyAccess bool = false

var names = {
  workspace: workspaceName
  storageAccount: storageAccountName
  keyVault: keyVaultName
  containerRegistry: containerRegistryName
  applicationInsights: 'appi-${projectName}-${env}'
  logAnalytics: 'log-${projectName}-${env}'
  identity: identityName
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

// Entra ID only (no account keys): the workspace's system datastores authenticate with identities
// (systemDatastoresAuthMode below), so users, CI and the compute identity hold data-plane roles.
resource storageAccount 'Microsoft.Storage/storageAccounts@2025-08-01' = {
  name: names.storageAccount // checkov:skip=CKV_AZURE_43: a parameter with @minLength/@maxLength, checked by the generator too
  location: location
  tags: allTags
  sku: { name: isProduction ? 'Standard_ZRS' : 'Standard_LRS' } // checkov:skip=CKV_AZURE_206: zone-redundant in prod; dev and test data can be rebuilt
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: allowSharedKeyAccess // off: the system datastores use identities (workspace below)
    defaultToOAuthAuthentication: true
    isHnsEnabled: false // the default storage of an Azure ML workspace cannot be Data Lake Gen2
    publicNetworkAccess: publicNetworkAccess // checkov:skip=CKV_AZURE_59: network isolation: public access is disabled when networkIsolation is true (level 5, private endpoints in infra/layers/50-network.bicep); below level 5 access is Entra ID only
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow' // checkov:skip=CKV_AZURE_35: network isolation: public access is disabled when networkIsolation is true (level 5, private endpoints in infra/layers/50-network.bicep); below level 5 access is Entra ID only
      bypass: 'AzureServices'
    }
  }
}

// Purge protection keeps a deleted vault (and its name) for the retention period: rebuilding an
// environment recovers it with keyVaultCreateMode 'recover' (docs/security.md, Rebuild an environment).
resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: names.keyVault
  location: location
  tags: allTags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true // Azure RBAC, no access policies
    createMode: keyVaultCreateMode
    enableSoftDelete: true
    softDeleteRetentionInDays: isProduction ? 90 : 7
    enablePurgeProtection: true // deleted secrets cannot be purged before the retention ends
    publicNetworkAccess: publicNetworkAccess // checkov:skip=CKV_AZURE_189: network isolation: public access is disabled when networkIsolation is true (level 5, private endpoints in infra/layers/50-network.bicep); below level 5 access is Entra ID only
    networkAcls: {
      defaultAction: networkIsolation ? 'Deny' : 'Allow' // checkov:skip=CKV_AZURE_109: network isolation: public access is disabled when networkIsolation is true (level 5, private endpoints in infra/layers/50-network.bicep); below level 5 access is Entra ID only
      bypass: 'AzureServices'
    }
  }
}

resource containerRegistry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: names.containerRegistry // checkov:skip=CKV_AZURE_166: quarantine holds every pushed image until a scanner releases it, which would stall Azure ML's environment image builds (no scanner is set up); Basic has no quarantine
  location: location
  tags: allTags
  // Premium is needed for private endpoints (level 5)
  sku: { name: networkIsolation ? 'Premium' : 'Basic' } // checkov:skip=CKV_AZURE_163: image scanning is Microsoft Defender for Containers, a subscription setting (docs/security.md)
  properties: {
    adminUserEnabled: false // pulls and pushes use Entra ID identities, never the admin password
    anonymousPullEnabled: false
    publicNetworkAccess: publicNetworkAccess // checkov:skip=CKV_AZURE_139: network isolation: public access is disabled when networkIsolation is true (level 5, private endpoints in infra/layers/50-network.bicep); below level 5 access is Entra ID only
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
    systemDatastoresAuthMode: allowSharedKeyAccess ? 'AccessKey' : 'Identity'
    publicNetworkAccess: publicNetworkAccess // checkov:skip=CKV_AZURE_243: network isolation: public access is disabled when networkIsolation is true (level 5, private endpoints in infra/layers/50-network.bicep); below level 5 access is Entra ID only
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
