"""The IaC collector: Bicep, ARM JSON and Terraform files built in tmp_path, read as ARM-shaped resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.common import Expr, Resource
from mlops_ladder.assessment.evidence.repo.files import RepoFiles, list_repo_files
from mlops_ladder.assessment.evidence.repo.iac.collect import collect
from mlops_ladder.assessment.evidence.repo.iac.common import avm_resource_type, environment_of
from mlops_ladder.assessment.evidence.repo.iac.model import IacEvidence, IacFile, ParameterFile
from tests.conftest import make_repo, write_files

WS = "Microsoft.MachineLearningServices/workspaces"
COMPUTE = "Microsoft.MachineLearningServices/workspaces/computes"


def scan(
    root: Path, files: dict[str, str | bytes], *, git: bool = False
) -> tuple[IacEvidence, RepoFiles]:
    if git:  # a plain-folder scan skips folders named like virtual environments (env/)
        make_repo(root, files)
    else:
        root.mkdir(parents=True, exist_ok=True)
        write_files(root, files)
    repo_files = list_repo_files(root)
    return collect(repo_files), repo_files


def one(evidence: IacEvidence, resource_type: str) -> Resource:
    found = evidence.of_type(resource_type)
    assert len(found) == 1, [r.type for r in evidence.resources]
    return found[0]


def notes_for(repo_files: RepoFiles, path: str) -> list[str]:
    return [n.reason for n in repo_files.notes if n.path == path]


# -- Bicep ----------------------------------------------------------------------------------------
WORKSPACE_BICEP = """\
param location string = resourceGroup().location
param prefix string = 'mlw'
param allowPublic bool = false
param minNodes int = 0
param uaiId string

var isolation = 'AllowOnlyApprovedOutbound'
var names = {
  cluster: 'cpu-cluster'
}

resource uai 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: 'uai-ml'
}

resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: '${prefix}-ws'
  location: location
  identity: {
    type: 'SystemAssigned,UserAssigned'
    userAssignedIdentities: {
      '${uai.id}': {}
    }
  }
  properties: {
    publicNetworkAccess: allowPublic ? 'Enabled' : 'Disabled'
    primaryUserAssignedIdentity: uai.id
    managedNetwork: {
      isolationMode: isolation
    }
    hbiWorkspace: true
    imageBuildCompute: uaiId
  }
  dependsOn: [
    uai
  ]

  resource cluster 'computes' = {
    name: names.cluster
    location: location
    properties: {
      computeType: 'AmlCompute'
      disableLocalAuth: true
      properties: {
        scaleSettings: {
          minNodeCount: minNodes
          maxNodeCount: 4
        }
        enableNodePublicIp: false
      }
    }
  }

  resource endpoint 'onlineEndpoints' = {
    name: 'ep'
    location: location
    properties: {
      authMode: 'Key'
    }
  }
}
"""


def test_bicep_resolves_parameters_variables_and_conditions(tmp_path: Path) -> None:
    evidence, _ = scan(tmp_path, {"infra/main.bicep": WORKSPACE_BICEP})
    ws = one(evidence, WS)
    assert ws.source == "bicep"
    assert ws.api_version == "2024-10-01"
    assert ws.name == "mlw-ws"  # interpolation filled with the parameter's default
    assert ws.location.path == "infra/main.bicep" and ws.location.line == 16
    props = ws.body["properties"]
    assert props["publicNetworkAccess"] == "Disabled"  # `false ? 'Enabled' : 'Disabled'`
    assert props["managedNetwork"]["isolationMode"] == "AllowOnlyApprovedOutbound"  # a variable
    assert props["hbiWorkspace"] is True
    assert props["primaryUserAssignedIdentity"] == Expr("uai.id")
    assert props["imageBuildCompute"] == Expr("uaiId")  # a parameter without default
    assert ws.body["location"] == Expr("resourceGroup().location")
    assert ws.body["identity"]["type"] == "SystemAssigned,UserAssigned"
    assert "${uai.id}" in ws.body["identity"]["userAssignedIdentities"]  # quoted key unquoted
    assert "dependsOn" not in ws.body


def test_bicep_nested_children_get_their_full_type(tmp_path: Path) -> None:
    evidence, _ = scan(tmp_path, {"main.bicep": WORKSPACE_BICEP})
    cluster = one(evidence, COMPUTE)
    assert cluster.name == "cpu-cluster"  # `names.cluster` on an object variable
    assert cluster.api_version == "2024-10-01"  # inherited from the parent
    assert cluster.location.line == 38
    assert cluster.body["properties"]["properties"]["scaleSettings"]["minNodeCount"] == 0
    assert cluster.body["properties"]["disableLocalAuth"] is True
    endpoint = one(evidence, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints")
    assert endpoint.name == "ep"  # pycep alone keeps only the last child of a parent


def test_bicep_existing_references_are_marked(tmp_path: Path) -> None:
    evidence, _ = scan(tmp_path, {"main.bicep": WORKSPACE_BICEP})
    uai = one(evidence, "Microsoft.ManagedIdentity/userAssignedIdentities")
    assert uai.existing is True
    assert uai not in evidence.declared


def test_bicep_loops_and_conditions_still_declare(tmp_path: Path) -> None:
    bicep = """\
param names array = ['a', 'b']
param deploy bool = true

resource accounts 'Microsoft.Storage/storageAccounts@2023-05-01' = [for (n, i) in names: if (deploy) {
  name: 'st${n}'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    publicNetworkAccess: 'Disabled'
  }
}]

resource budget 'Microsoft.Consumption/budgets@2023-11-01' = if (deploy) {
  name: 'ml-budget'
  properties: {
    amount: 500
    category: 'Cost'
    timeGrain: 'Monthly'
  }
}

resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = [for n in names: {
  name: n
  resource a 'computes' = {
    name: 'c1'
  }
  resource b 'onlineEndpoints' = {
    name: 'e1'
  }
}]
"""
    evidence, repo_files = scan(tmp_path, {"main.bicep": bicep})
    assert not repo_files.notes
    storage = one(evidence, "Microsoft.Storage/storageAccounts")
    assert storage.body["properties"]["publicNetworkAccess"] == "Disabled"
    assert storage.name == "st${n}"  # the loop variable stays as written
    assert one(evidence, "Microsoft.Consumption/budgets").body["properties"]["amount"] == 500
    assert {r.type for r in evidence.resources} >= {COMPUTE, WS + "/onlineEndpoints"}
    assert one(evidence, WS).name == "ws"  # a name from the loop variable shows the symbolic name


def test_bicep_modern_syntax_pycep_lacks_is_rewritten_keeping_lines(tmp_path: Path) -> None:
    bicep = """\
param useCmk bool = false
param publicAccess string = ''

var access = !empty(publicAccess)
  ? publicAccess
  : useCmk ? 'Disabled' : 'Enabled'

resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: 'mlw'
  properties: {
    publicNetworkAccess: access
  }

  @description('The training cluster.')
  resource cluster 'computes' = {
    name: 'cpu'
  }
}
"""
    evidence, repo_files = scan(tmp_path, {"main.bicep": bicep.replace("\n", "\r\n")})
    assert not repo_files.notes
    ws = one(evidence, WS)
    assert ws.location.line == 8
    joined = "!empty(publicAccess) ? publicAccess : useCmk ? 'Disabled' : 'Enabled'"
    assert ws.body["properties"]["publicNetworkAccess"] == Expr(joined)
    assert one(evidence, COMPUTE).location.line == 15


def test_bicep_module_params_flow_into_the_module(tmp_path: Path) -> None:
    main = """\
param env string = 'prod'

module ml 'modules/ml.bicep' = {
  name: 'ml'
  params: {
    publicAccess: 'Disabled'
    workspaceName: 'mlw-${env}'
  }
}

module kv './modules/../modules/kv.bicep' = {
  name: 'kv'
}

module registry 'br/public:avm/res/machine-learning-services/registry:0.1.0' = {
  name: 'reg'
}
"""
    module = """\
param publicAccess string
param workspaceName string
param isolation string = 'AllowInternetOutbound'

resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: workspaceName
  properties: {
    publicNetworkAccess: publicAccess
    managedNetwork: {
      isolationMode: isolation
    }
  }
}
"""
    evidence, _ = scan(tmp_path, {
        "infra/main.bicep": main,
        "infra/modules/ml.bicep": module,
        "infra/modules/kv.bicep": "param x string = 'y'\n",
    })
    assert evidence.module_refs == {"infra/main.bicep": ["infra/modules/ml.bicep", "infra/modules/kv.bicep"]}
    ws = one(evidence, WS)
    assert ws.name == "mlw-prod"
    assert ws.body["properties"]["publicNetworkAccess"] == "Disabled"  # passed by the caller
    assert ws.body["properties"]["managedNetwork"]["isolationMode"] == "AllowInternetOutbound"  # default
    [external] = evidence.external_modules
    assert external.source == "br/public:avm/res/machine-learning-services/registry:0.1.0"
    assert external.resource_type == "microsoft.machinelearningservices/registries"
    assert external.location.line == 15


def test_bicep_module_called_with_different_values_is_an_expression(tmp_path: Path) -> None:
    main = """\
module dev 'ml.bicep' = {
  name: 'dev'
  params: {
    access: 'Enabled'
  }
}
module prod 'ml.bicep' = {
  name: 'prod'
  params: {
    access: 'Disabled'
  }
}
"""
    module = """\
param access string = 'Enabled'
resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: 'ws'
  properties: {
    publicNetworkAccess: access
  }
}
"""
    evidence, _ = scan(tmp_path, {"main.bicep": main, "ml.bicep": module})
    assert one(evidence, WS).body["properties"]["publicNetworkAccess"] == Expr("access")


def test_malformed_bicep_is_noted_and_the_rest_is_read(tmp_path: Path) -> None:
    evidence, repo_files = scan(tmp_path, {
        "bad.bicep": "resource ws 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {\n  name: \n",
        "good.bicep": "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n}\n",
        "binary.bicep": b"\x00\x01\x02resource",
    })
    [reason] = notes_for(repo_files, "bad.bicep")
    assert reason.startswith("Bicep not parsed: line ")
    assert notes_for(repo_files, "binary.bicep") == ["not read: binary file"]
    assert [r.type for r in evidence.resources] == ["Microsoft.KeyVault/vaults"]
    assert {f.path for f in evidence.files} == {"bad.bicep", "good.bicep", "binary.bicep"}


def test_non_utf8_bicep_is_read_with_a_note(tmp_path: Path) -> None:
    text = "// caf\xe9\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n}\n"
    evidence, repo_files = scan(tmp_path, {"kv.bicep": text.encode("latin-1")})
    assert notes_for(repo_files, "kv.bicep") == ["not UTF-8: read with replacement characters"]
    assert one(evidence, "Microsoft.KeyVault/vaults").name == "kv"


def test_bicepparam_files_name_their_template_and_environment(tmp_path: Path) -> None:
    evidence, _ = scan(tmp_path, {
        "infra/main.bicep": "param env string\n",
        "infra/env/dev.bicepparam": "using '../main.bicep'\nparam env = 'dev'\n",
        "infra/env/prod.bicepparam": "using '../main.bicep'\nparam env = 'prod'\n",
        "infra/shared.bicepparam": "using 'br/public:avm/res/x:1.0'\n",
    }, git=True)
    by_path = {p.path: p for p in evidence.parameter_files}
    assert by_path["infra/env/dev.bicepparam"] == ParameterFile(
        "infra/env/dev.bicepparam", "infra/main.bicep", "dev")
    assert by_path["infra/env/prod.bicepparam"].environment == "prod"
    assert by_path["infra/shared.bicepparam"] == ParameterFile("infra/shared.bicepparam", None, None)
    assert evidence.environments == {"dev", "prod"}
    assert {f.language for f in evidence.files} == {"bicep", "bicepparam"}


# -- ARM JSON -------------------------------------------------------------------------------------
ARM_TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "workspaceName": {"type": "string", "defaultValue": "mlw-arm"},
        "publicAccess": {"type": "string", "defaultValue": "Disabled"},
        "principalId": {"type": "string"},
    },
    "variables": {"minNodes": 0, "computed": "[concat('a', 'b')]"},
    "resources": [
        {
            "type": "Microsoft.MachineLearningServices/workspaces",
            "apiVersion": "2024-10-01",
            "name": "[parameters('workspaceName')]",
            "location": "[resourceGroup().location]",
            "dependsOn": [],
            "properties": {
                "publicNetworkAccess": "[parameters('publicAccess')]",
                "friendlyName": "[[literal]",
            },
            "resources": [
                {
                    "type": "computes",
                    "apiVersion": "2024-10-01",
                    "name": "cpu",
                    "properties": {
                        "computeType": "AmlCompute",
                        "properties": {"scaleSettings": {"minNodeCount": "[variables('minNodes')]"}},
                    },
                }
            ],
        },
        {
            "type": "Microsoft.Authorization/roleAssignments",
            "apiVersion": "2022-04-01",
            "name": "[guid('x')]",
            "properties": {"principalId": "[parameters('principalId')]", "principalType": "Group"},
        },
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2024-03-01",
            "name": "nested",
            "properties": {
                "mode": "Incremental",
                "parameters": {"vaultName": {"value": "kv-nested"}},
                "template": {
                    "parameters": {"vaultName": {"type": "string"}},
                    "resources": [
                        {
                            "type": "Microsoft.KeyVault/vaults",
                            "apiVersion": "2023-07-01",
                            "name": "[parameters('vaultName')]",
                            "properties": {"enablePurgeProtection": True},
                        }
                    ],
                },
            },
        },
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2024-03-01",
            "name": "linked",
            "properties": {"templateLink": {"relativePath": "nested/storage.json"}},
        },
    ],
}


def test_arm_template_resources_nested_children_and_deployments(tmp_path: Path) -> None:
    text = json.dumps(ARM_TEMPLATE, indent=2)
    evidence, repo_files = scan(tmp_path, {"arm/azuredeploy.json": text, "package.json": "{not json"})
    assert not repo_files.notes  # package.json is never read
    ws = one(evidence, WS)
    assert ws.source == "arm" and ws.api_version == "2024-10-01"
    assert ws.name == "mlw-arm"
    assert ws.body["properties"]["publicNetworkAccess"] == "Disabled"
    assert ws.body["properties"]["friendlyName"] == "[literal]"
    assert ws.body["location"] == Expr("resourceGroup().location")
    assert "dependsOn" not in ws.body and "resources" not in ws.body
    assert ws.location.line == text.splitlines().index(
        '      "type": "Microsoft.MachineLearningServices/workspaces",') + 1
    cluster = one(evidence, COMPUTE)
    assert cluster.body["properties"]["properties"]["scaleSettings"]["minNodeCount"] == 0
    role = one(evidence, "Microsoft.Authorization/roleAssignments")
    assert role.name == "guid('x')"
    assert role.body["properties"]["principalId"] == Expr("parameters('principalId')")
    vault = one(evidence, "Microsoft.KeyVault/vaults")
    assert vault.name == "kv-nested"  # the value the nested deployment passes
    assert evidence.module_refs == {"arm/azuredeploy.json": ["arm/nested/storage.json"]}


def test_arm_parameter_files_and_template_guess(tmp_path: Path) -> None:
    params = json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"workspaceName": {"value": "x"}},
    })
    evidence, _ = scan(tmp_path, {
        "arm/azuredeploy.json": json.dumps(ARM_TEMPLATE),
        "arm/azuredeploy.parameters.dev.json": params,
        "arm/azuredeploy.parameters.prod.json": params,
        "infra/main.bicep": "param x string\n",
        "infra/main.parameters.json": params,
    })
    by_path = {p.path: p for p in evidence.parameter_files}
    assert by_path["arm/azuredeploy.parameters.dev.json"] == ParameterFile(
        "arm/azuredeploy.parameters.dev.json", "arm/azuredeploy.json", "dev")
    assert by_path["arm/azuredeploy.parameters.prod.json"].environment == "prod"
    assert by_path["infra/main.parameters.json"] == ParameterFile(
        "infra/main.parameters.json", "infra/main.bicep", None)
    assert IacFile("arm/azuredeploy.parameters.dev.json", "arm-parameters") in evidence.files


def test_arm_template_compiled_from_bicep_is_not_counted_twice(tmp_path: Path) -> None:
    compiled = dict(ARM_TEMPLATE, metadata={"_generator": {"name": "bicep", "version": "0.30.0"}})
    evidence, _ = scan(tmp_path, {
        "main.bicep": "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' = {\n  name: 'kv'\n}\n",
        "main.json": json.dumps(compiled),
    })
    assert [r.source for r in evidence.resources] == ["bicep"]


def test_arm_language_version_2_resources_by_symbolic_name(tmp_path: Path) -> None:
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "languageVersion": "2.0",
        "resources": {
            "kv": {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv",
                   "existing": True},
            "reg": {"type": "Microsoft.MachineLearningServices/registries", "apiVersion": "2024-10-01",
                    "name": "reg"},
        },
    }
    evidence, _ = scan(tmp_path, {"t.json": json.dumps(template)})
    assert one(evidence, "Microsoft.KeyVault/vaults").existing is True
    assert one(evidence, "Microsoft.MachineLearningServices/registries").existing is False


def test_malformed_arm_json_is_noted(tmp_path: Path) -> None:
    broken = '{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
    evidence, repo_files = scan(tmp_path, {"broken.json": broken + '  "resources": [\n'})
    [reason] = notes_for(repo_files, "broken.json")
    assert reason.startswith("malformed JSON: line 4")
    assert evidence.resources == []
    assert IacFile("broken.json", "arm") in evidence.files


# -- Terraform ------------------------------------------------------------------------------------
TERRAFORM = """\
variable "public_access" {
  type    = bool
  default = false
}

variable "min_nodes" {
  default = 1
}

variable "principal_type" {}

locals {
  prefix = "mlw"
}

resource "azurerm_machine_learning_workspace" "ws" {
  name                           = "${local.prefix}-ws"
  location                       = azurerm_resource_group.rg.location
  public_network_access_enabled  = var.public_access
  primary_user_assigned_identity = azurerm_user_assigned_identity.uai.id

  identity {
    type         = "SystemAssigned, UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.uai.id]
  }

  managed_network {
    isolation_mode = "AllowOnlyApprovedOutbound"
  }

  encryption {
    key_vault_id = azurerm_key_vault.kv.id
    key_id       = azurerm_key_vault_key.cmk.id
  }
}

resource "azurerm_machine_learning_compute_cluster" "cpu" {
  name                   = "cpu"
  vm_size                = "Standard_DS3_v2"
  local_auth_enabled     = false
  node_public_ip_enabled = false

  scale_settings {
    min_node_count                       = var.min_nodes
    max_node_count                       = 4
    scale_down_nodes_after_idle_duration = "PT30M"
  }
}

resource "azurerm_key_vault" "kv" {
  name                      = "kv-ml"
  enable_rbac_authorization = true
  purge_protection_enabled  = true
}

resource "azurerm_private_endpoint" "ws" {
  name      = "pe-ws"
  subnet_id = azurerm_subnet.pe.id

  private_service_connection {
    name                           = "ws"
    private_connection_resource_id = azurerm_machine_learning_workspace.ws.id
    subresource_names              = ["amlworkspace"]
    is_manual_connection           = false
  }
}

resource "azurerm_role_assignment" "ds" {
  scope          = azurerm_machine_learning_workspace.ws.id
  principal_id   = "00000000-0000-0000-0000-000000000000"
  principal_type = var.principal_type
}

resource "azapi_resource" "registry" {
  type = "Microsoft.MachineLearningServices/registries@2024-10-01"
  name = "mlreg"
  body = jsonencode({
    properties = {
      publicNetworkAccess = "Disabled"
    }
  })
}

data "azurerm_client_config" "current" {}

resource "random_string" "suffix" {
  length = 4
}
"""


def test_terraform_maps_azurerm_to_arm(tmp_path: Path) -> None:
    evidence, repo_files = scan(tmp_path, {"terraform/main.tf": TERRAFORM})
    assert not repo_files.notes
    ws = one(evidence, WS)
    assert ws.source == "terraform"
    assert ws.name == "mlw-ws"
    assert ws.location.line == 16
    assert ws.body["properties"]["publicNetworkAccess"] == "Disabled"
    assert ws.body["properties"]["managedNetwork"]["isolationMode"] == "AllowOnlyApprovedOutbound"
    assert ws.body["identity"]["type"] == "SystemAssigned,UserAssigned"
    identity = Expr("azurerm_user_assigned_identity.uai.id")
    assert ws.body["properties"]["primaryUserAssignedIdentity"] == identity
    assert ws.body["properties"]["encryption"]["status"] == "Enabled"
    cluster = one(evidence, COMPUTE)
    assert cluster.body["properties"]["computeType"] == "AmlCompute"
    assert cluster.body["properties"]["disableLocalAuth"] is True
    assert cluster.body["properties"]["properties"]["enableNodePublicIp"] is False
    assert cluster.body["properties"]["properties"]["scaleSettings"]["minNodeCount"] == 1
    kv = one(evidence, "Microsoft.KeyVault/vaults")
    assert kv.body["properties"] == {"enableRbacAuthorization": True, "enablePurgeProtection": True}
    pe = one(evidence, "Microsoft.Network/privateEndpoints")
    [connection] = pe.body["properties"]["privateLinkServiceConnections"]
    assert connection["properties"]["groupIds"] == ["amlworkspace"]
    role = one(evidence, "Microsoft.Authorization/roleAssignments")
    assert role.body["properties"]["principalType"] == Expr("var.principal_type")
    registry = one(evidence, "Microsoft.MachineLearningServices/registries")
    assert registry.api_version == "2024-10-01"
    assert registry.body["properties"]["publicNetworkAccess"] == "Disabled"  # read out of jsonencode()
    client = one(evidence, "azurerm_client_config")
    assert client.existing is True
    assert one(evidence, "random_string").name == "random_string.suffix"


def test_terraform_module_variables_and_auto_tfvars(tmp_path: Path) -> None:
    root = """\
module "ml" {
  source        = "./modules/ml"
  public_access = false
}

module "avm_ws" {
  source  = "Azure/avm-res-machinelearningservices-workspace/azurerm"
  version = "0.7.0"
}
"""
    module = """\
variable "public_access" {
  default = true
}
variable "sku" {}

resource "azurerm_container_registry" "acr" {
  name                          = "acrml"
  sku                           = var.sku
  admin_enabled                 = false
  public_network_access_enabled = var.public_access
}
"""
    evidence, _ = scan(tmp_path, {
        "infra/main.tf": root,
        "infra/modules/ml/main.tf": module,
        "infra/modules/ml/terraform.tfvars": 'sku = "Premium"\n',
        "infra/env/dev.tfvars": 'location = "westeurope"\n',
        "infra/prod.tfvars": 'location = "westeurope"\n',
    }, git=True)
    acr = one(evidence, "Microsoft.ContainerRegistry/registries")
    assert acr.body["properties"]["publicNetworkAccess"] == "Disabled"  # passed by the module call
    assert acr.body["sku"]["name"] == "Premium"  # from the module folder's terraform.tfvars
    assert evidence.module_refs == {"infra/main.tf": ["infra/modules/ml/main.tf"]}
    [external] = evidence.external_modules
    assert external.resource_type == "microsoft.machinelearningservices/workspaces"
    by_path = {p.path: p for p in evidence.parameter_files}
    assert by_path["infra/prod.tfvars"] == ParameterFile("infra/prod.tfvars", "infra", "prod")
    # a folder of var files belongs to the module above it (terraform -var-file=env/dev.tfvars)
    assert by_path["infra/env/dev.tfvars"] == ParameterFile("infra/env/dev.tfvars", "infra", "dev")


TF_SWITCHED = """\
variable "isolated" {
  type    = bool
  default = false
}
locals {
  public_access = !var.isolated
}
resource "azurerm_container_registry" "acr" {
  name                          = "acrml"
  sku                           = var.isolated ? "Premium" : "Basic"
  public_network_access_enabled = local.public_access
}
"""


def test_terraform_values_every_environment_var_file_agrees_on(tmp_path: Path) -> None:
    """`-var-file=env/<env>.tfvars` per environment: a value all of them set alike is what every
    deployment gets, and switches on it (`!var.x`, `var.x ? "a" : "b"`) are decided."""
    evidence, _ = scan(tmp_path, {
        "infra/terraform/main.tf": TF_SWITCHED,
        "infra/terraform/env/dev.tfvars": 'isolated = true\nenv      = "dev"\n',
        "infra/terraform/env/prod.tfvars": 'isolated = true\nenv      = "prod"\n',
    }, git=True)
    acr = one(evidence, "Microsoft.ContainerRegistry/registries")
    assert acr.body["properties"]["publicNetworkAccess"] == "Disabled"
    assert acr.body["sku"]["name"] == "Premium"


def test_terraform_values_the_environments_set_differently_stay_unknown(tmp_path: Path) -> None:
    evidence, _ = scan(tmp_path, {
        "infra/terraform/main.tf": TF_SWITCHED,
        "infra/terraform/env/dev.tfvars": "isolated = false\n",
        "infra/terraform/env/prod.tfvars": "isolated = true\n",
        "infra/terraform/terraform.tfvars": "isolated = true\n",  # overridden by every -var-file
    }, git=True)
    acr = one(evidence, "Microsoft.ContainerRegistry/registries")
    assert isinstance(acr.body["properties"]["publicNetworkAccess"], Expr)
    assert isinstance(acr.body["sku"]["name"], Expr)


def test_terraform_var_files_outside_environments_are_not_applied(tmp_path: Path) -> None:
    """A var file that names no environment (tests/ci.tfvars) may never be deployed: the default holds."""
    evidence, _ = scan(tmp_path, {
        "infra/main.tf": TF_SWITCHED,
        "infra/ci.tfvars": "isolated = true\n",
    }, git=True)
    acr = one(evidence, "Microsoft.ContainerRegistry/registries")
    assert acr.body["properties"]["publicNetworkAccess"] == "Enabled"
    assert acr.body["sku"]["name"] == "Basic"


def test_malformed_terraform_is_noted(tmp_path: Path) -> None:
    evidence, repo_files = scan(tmp_path, {
        "bad.tf": 'resource "azurerm_key_vault" "kv" {\n  name = \n}\n',
        "good.tf": 'resource "azurerm_key_vault" "kv2" {\n  name = "kv2"\n}\n',
    })
    [reason] = notes_for(repo_files, "bad.tf")
    assert reason.startswith("Terraform not parsed: line 2")
    assert [r.name for r in evidence.resources] == ["kv2"]


# -- helpers --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "environment"), [
    ("infra/env/dev.bicepparam", "dev"),
    ("main.prod.parameters.json", "prod"),
    ("environments/production/terraform.tfvars", "prod"),
    ("config-infra-stg.yml", "staging"),
    ("infra/main.parameters.json", None),
    ("tests/main.tfvars", None),
])
def test_environment_of(path: str, environment: str | None) -> None:
    assert environment_of(path) == environment


@pytest.mark.parametrize(("source", "resource_type"), [
    ("br/public:avm/res/machine-learning-services/workspace:0.9",
     "microsoft.machinelearningservices/workspaces"),
    ("br/public:avm/res/container-registry/registry:0.5.0", "microsoft.containerregistry/registries"),
    ("br/public:avm/res/consumption/budget:0.3.0", "microsoft.consumption/budgets"),
    ("Azure/avm-res-keyvault-vault/azurerm", "microsoft.keyvault/vaults"),
    ("br/public:avm/ptn/ai-platform/baseline:0.1.0", None),
    ("git::https://example.com/modules.git", None),
])
def test_avm_resource_type(source: str, resource_type: str | None) -> None:
    assert avm_resource_type(source) == resource_type


def test_no_iac_means_empty_evidence(tmp_path: Path) -> None:
    evidence, repo_files = scan(tmp_path, {"README.md": "# project\n", "data.json": '{"a": 1}'})
    assert evidence == IacEvidence()
    assert not repo_files.notes


def test_terraform_data_factory_maps_to_its_arm_type_and_public_access(tmp_path: Path) -> None:
    text = """
resource "azurerm_data_factory" "open" {
  name                   = "adf-open"
  public_network_enabled = true
}

resource "azurerm_data_factory" "closed" {
  name                            = "adf-closed"
  public_network_enabled          = false
  managed_virtual_network_enabled = true
}

resource "azurerm_data_factory_managed_private_endpoint" "blob" {
  name               = "PlatformStorageBlob"
  data_factory_id    = azurerm_data_factory.closed.id
  target_resource_id = azurerm_storage_account.st.id
  subresource_name   = "blob"
}
"""
    evidence, repo_files = scan(tmp_path, {"infra/terraform/25-data-factory.tf": text})
    assert not repo_files.notes
    factories = {r.name: r for r in evidence.of_type("Microsoft.DataFactory/factories")}
    assert factories["adf-open"].body["properties"]["publicNetworkAccess"] == "Enabled"
    assert factories["adf-closed"].body["properties"]["publicNetworkAccess"] == "Disabled"
    endpoint = one(evidence, "Microsoft.DataFactory/factories/managedVirtualNetworks/managedPrivateEndpoints")
    assert endpoint.body["properties"]["groupId"] == "blob"
