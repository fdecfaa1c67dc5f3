# Inputs of the platform, shared by every layer file of this module. Per environment they come from
# env/<env>.tfvars (rendered by mlops-ladder from the project answers); the names of the resources
# derive from them by the rule of mlops/config.yml (locals in 10-platform.tf).

variable "env" {
  description = "Environment name, part of every resource name (dev, test, prod, ...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,4}$", var.env))
    error_message = "env must be 2-5 lowercase letters or digits, starting with a letter."
  }
}

variable "project_name" {
  description = "Project name: 3-16 lowercase letters, digits and single hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.project_name)) && !strcontains(var.project_name, "--")
    error_message = "project_name must be 3-16 lowercase letters, digits and single hyphens, starting with a letter."
  }
}

variable "name_suffix" {
  description = "4 lowercase letters or digits that make the globally unique names unique."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]{4})?$", var.name_suffix))
    error_message = "name_suffix must be 4 lowercase letters or digits (or empty)."
  }
}

variable "location" {
  description = "Azure region of every resource (null: the resource group's region)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "network_isolation" {
  description = "Level 5: public network access off everywhere and a managed network with approved outbound only; 50-network.tf adds the private endpoints."
  type        = bool
  default     = false
}

variable "allow_shared_key_access" {
  description = "false (default): Entra ID only on storage; true only for tools that still need account keys."
  type        = bool
  default     = false
}

# Names derived from the project, environment and suffix (mlops/config.yml); set one only to adopt an
# existing resource of another name, and change mlops/config.yml with it.
variable "workspace_name" {
  description = "Azure ML workspace name (null: mlw-<project>-<env>)."
  type        = string
  default     = null

  validation {
    condition     = var.workspace_name == null || try(length(var.workspace_name) >= 3 && length(var.workspace_name) <= 33, false)
    error_message = "workspace_name must be 3-33 characters."
  }
}

variable "storage_account_name" {
  description = "Storage account name (null: st<project><env><suffix>), 3-24 lowercase letters and digits."
  type        = string
  default     = null

  validation {
    condition     = var.storage_account_name == null || can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "key_vault_name" {
  description = "Key Vault name (null: kv-<project>-<env>-<suffix>), 3-24 characters, globally unique."
  type        = string
  default     = null

  validation {
    condition     = var.key_vault_name == null || can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.key_vault_name))
    error_message = "key_vault_name must be 3-24 letters, digits and hyphens, starting with a letter."
  }
}

variable "container_registry_name" {
  description = "Container registry name (null: cr<project><env><suffix>), 5-50 letters and digits."
  type        = string
  default     = null

  validation {
    condition     = var.container_registry_name == null || can(regex("^[a-zA-Z0-9]{5,50}$", var.container_registry_name))
    error_message = "container_registry_name must be 5-50 letters and digits."
  }
}
