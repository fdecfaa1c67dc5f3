# Level 5 network isolation of one environment. The workspace, its storage, Key Vault and container
# registry have public network access disabled and a managed virtual network that allows approved
# outbound traffic only (10-platform.tf, network_isolation = true in infra/terraform/env/*.tfvars);
# this layer gives them private endpoints in the platform virtual network, with the private DNS
# zones that resolve their names there, and approves the outbound destinations training needs.
# The subnet ci-runners hosts the private CI runners (53-ci-runners.tf): the only way CI reaches
# the workspace's data plane. Address ranges: infra/platform.json (read by every level-5 file).

locals {
  platform  = jsondecode(file("${path.module}/../platform.json"))
  vnet_name = "vnet-${var.project_name}-${var.env}"
  # One private DNS zone per kind of endpoint; the workspace needs two. Azure public cloud suffixes
  # (Bicep's environment().suffixes.storage is core.windows.net there).
  private_dns_zones = {
    amlworkspace = ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]
    blob         = ["privatelink.blob.core.windows.net"]
    file         = ["privatelink.file.core.windows.net"]
    queue        = ["privatelink.queue.core.windows.net"]
    vault        = ["privatelink.vaultcore.azure.net"]
    registry     = ["privatelink.azurecr.io"]
  }
  private_dns_zone_names = toset(flatten(values(local.private_dns_zones)))
  # (target resource, private link group) of the private endpoints other than the workspace's.
  private_endpoint_targets = {
    blob     = { id = local.storage_account_id, group = "blob" }
    file     = { id = local.storage_account_id, group = "file" }
    queue    = { id = local.storage_account_id, group = "queue" }
    vault    = { id = local.key_vault_id, group = "vault" }
    registry = { id = local.acr_id, group = "registry" }
  }
  private_endpoint_subnet_id = "${azurerm_virtual_network.platform.id}/subnets/private-endpoints"
  runner_subnet_id           = "${azurerm_virtual_network.platform.id}/subnets/ci-runners"
}

resource "azurerm_network_security_group" "endpoints" {
  name                = "nsg-${var.project_name}-${var.env}-endpoints"
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags

  security_rule {
    name                       = "allow-vnet-https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_address_prefix      = "VirtualNetwork"
    source_port_range          = "*"
    destination_address_prefix = "VirtualNetwork"
    destination_port_range     = "443"
  }
  security_rule {
    name                       = "deny-all-inbound"
    priority                   = 4096
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_address_prefix      = "*"
    source_port_range          = "*"
    destination_address_prefix = "*"
    destination_port_range     = "*"
  }
}

resource "azurerm_network_security_group" "runners" {
  name                = "nsg-${var.project_name}-${var.env}-runners"
  resource_group_name = local.resource_group_name
  location            = local.location
  tags                = local.tags

  security_rule {
    name                       = "deny-internet-inbound"
    priority                   = 4000
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_address_prefix      = "Internet"
    source_port_range          = "*"
    destination_address_prefix = "*"
    destination_port_range     = "*"
  }
}

# Subnets inline (as in the Bicep), each with its network security group.
resource "azurerm_virtual_network" "platform" {
  name                = local.vnet_name
  resource_group_name = local.resource_group_name
  location            = local.location
  address_space       = [local.platform.network.addressSpace]
  tags                = local.tags

  subnet {
    name                              = "private-endpoints"
    address_prefixes                  = [local.platform.network.privateEndpointSubnet]
    security_group                    = azurerm_network_security_group.endpoints.id
    private_endpoint_network_policies = "Enabled"
  }
  subnet {
    name             = "ci-runners"
    address_prefixes = [local.platform.network.runnerSubnet]
    security_group   = azurerm_network_security_group.runners.id
    delegation {
      name = "container-apps"
      service_delegation {
        name    = "Microsoft.App/environments"
        actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
      }
    }
  }
}

resource "azurerm_private_dns_zone" "platform" {
  for_each            = local.private_dns_zone_names
  name                = each.value
  resource_group_name = local.resource_group_name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "platform" {
  for_each             = local.private_dns_zone_names
  name                 = "link-${local.vnet_name}"
  private_dns_zone_id  = azurerm_private_dns_zone.platform[each.value].id
  virtual_network_id   = azurerm_virtual_network.platform.id
  registration_enabled = false
  tags                 = local.tags
}

# The workspace's private endpoint: its API and its notebooks resolve to it in the network.
resource "azurerm_private_endpoint" "workspace" {
  name                = "pe-${var.project_name}-${var.env}-workspace"
  resource_group_name = local.resource_group_name
  location            = local.location
  subnet_id           = local.private_endpoint_subnet_id
  tags                = local.tags

  private_service_connection {
    name                           = "workspace"
    private_connection_resource_id = local.workspace_id
    subresource_names              = ["amlworkspace"]
    is_manual_connection           = false
  }
  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [for zone in local.private_dns_zones.amlworkspace : azurerm_private_dns_zone.platform[zone].id]
  }
}

resource "azurerm_private_endpoint" "platform" {
  for_each            = local.private_endpoint_targets
  name                = "pe-${var.project_name}-${var.env}-${each.key}"
  resource_group_name = local.resource_group_name
  location            = local.location
  subnet_id           = local.private_endpoint_subnet_id
  tags                = local.tags

  private_service_connection {
    name                           = each.key
    private_connection_resource_id = each.value.id
    subresource_names              = [each.value.group]
    is_manual_connection           = false
  }
  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [for zone in local.private_dns_zones[each.key] : azurerm_private_dns_zone.platform[zone].id]
  }
}

# The managed network allows only approved outbound traffic: the package indexes and image
# registries that environment builds and training jobs download from (infra/platform.json).
resource "azurerm_machine_learning_workspace_network_outbound_rule_fqdn" "approved" {
  for_each         = { for index, fqdn in local.platform.approvedOutboundFqdns : "allow-fqdn-${index}" => fqdn }
  name             = each.key
  workspace_id     = local.workspace_id
  destination_fqdn = each.value
}

output "vnet_id" {
  description = "The platform virtual network of the environment."
  value       = azurerm_virtual_network.platform.id
}

output "private_endpoint_subnet_id" {
  description = "The subnet of the private endpoints."
  value       = local.private_endpoint_subnet_id
}

output "runner_subnet_id" {
  description = "The subnet of the private CI runners."
  value       = local.runner_subnet_id
}
