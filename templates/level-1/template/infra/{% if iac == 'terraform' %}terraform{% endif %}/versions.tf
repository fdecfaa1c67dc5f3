# Terraform and provider versions, the remote state and how the providers sign in.
# The state of each environment lives in its own blob container (env/<env>.backend.hcl), created once
# by scripts/tf_state_bootstrap.sh; `terraform init -backend-config=env/<env>.backend.hcl` selects it.
terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
    # For Azure resources azurerm does not cover yet (higher levels).
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
  }

  # Partial configuration: storage account, container and key come from env/<env>.backend.hcl.
  backend "azurerm" {}
}

# Signs in with OIDC (workload identity federation) in CI: ARM_CLIENT_ID, ARM_TENANT_ID and
# ARM_SUBSCRIPTION_ID name the identity, GitHub's id-token gives the token; no secret anywhere.
# Without an OIDC token (a person at a terminal) the provider falls back to `az login`.
provider "azurerm" {
  use_oidc = true
  # The storage account takes no keys (shared_access_key_enabled = false): data-plane calls use Entra ID.
  storage_use_azuread = true
  # Resource providers are registered once per subscription by an administrator (docs/terraform.md),
  # so the CI identity needs no subscription-wide rights.
  resource_provider_registrations = "none"

  features {
    key_vault {
      # A vault deleted with its environment is soft-deleted and keeps its name: recover it on rebuild.
      recover_soft_deleted_key_vaults = true
      # Purge protection forbids purging before the retention ends; never try on destroy.
      purge_soft_delete_on_destroy = false
    }
  }
}

provider "azapi" {
  use_oidc = true
}
