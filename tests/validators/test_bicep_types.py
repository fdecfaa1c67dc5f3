"""Tests of the offline Bicep type checker against the shared Azure/bicep-types-az data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import needs_shared
from tests.validators.bicep_types import (
    TYPES_ROOT,
    BicepProblem,
    _ParseTimeoutError,
    _time_limit,
    check_bicep_file,
    check_bicep_text,
    check_tree,
)

pytestmark = needs_shared(TYPES_ROOT / "index.json")

VALID_ML_STACK = """\
targetScope = 'resourceGroup'

@description('Azure region')
param location string = resourceGroup().location
param prefix string = 'mll'
@allowed(['Standard_LRS', 'Standard_ZRS'])
param storageSku string = 'Standard_LRS'
var tags = { project: prefix, 'cost-center': 'ml' }

resource storage 'Microsoft.Storage/storageAccounts@2025-08-01' = {
  name: 'st${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  sku: { name: storageSku }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    accessTier: 'Hot'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
    }
  }
  resource blobs 'blobServices' = {
    name: 'default'
    properties: { deleteRetentionPolicy: { enabled: true, days: 7 } }
    resource models 'containers' = {
      name: 'models'
      properties: { publicAccess: 'None' }
    }
  }
  resource files 'fileServices@2026-04-01' = {
    name: 'default'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: '${prefix}-kv'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2026-05-01' = {
  name: '${prefix}-ws'
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    friendlyName: toUpper(prefix)
    storageAccount: storage.id
    keyVault: vault.id
    publicNetworkAccess: 'Enabled'
  }
}

resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2026-05-01' = {
  parent: workspace
  name: 'cpu-cluster'
  location: location
  properties: {
    computeType: 'AmlCompute'
    properties: {
      vmSize: 'Standard_DS3_v2'
      scaleSettings: { minNodeCount: 0, maxNodeCount: 4, nodeIdleTimeBeforeScaleDown: 'PT120S' }
    }
  }
  dependsOn: [ storage ]
}

output workspaceId string = workspace.id
"""


def check(text: str) -> list[BicepProblem]:
    return check_bicep_text(text, "main.bicep", TYPES_ROOT)


def codes(problems: list[BicepProblem]) -> list[str]:
    return [problem.code for problem in problems]


def test_valid_ml_workspace_stack_has_no_problems() -> None:
    assert check(VALID_ML_STACK) == []


def test_unknown_api_version_is_bcp081_with_known_versions() -> None:
    text = VALID_ML_STACK.replace("storageAccounts@2025-08-01", "storageAccounts@2025-08-02")
    problems = check(text)
    # The nested blobServices and containers inherit the wrong version; fileServices gives its own.
    assert [(p.line, p.code) for p in problems] == [(10, "BCP081"), (26, "BCP081"), (29, "BCP081")]
    assert "Known api-versions (newest first): 2026-04-01, 2025-08-01" in problems[0].message


def test_api_version_lookup_ignores_case() -> None:
    text = VALID_ML_STACK.replace("Microsoft.Storage/storageAccounts@", "microsoft.storage/STORAGEACCOUNTS@")
    assert check(text) == []


def test_nested_child_takes_parent_api_version_unless_it_gives_its_own() -> None:
    problems = check(VALID_ML_STACK.replace("'fileServices@2026-04-01'", "'fileServices@2019-99-01'"))
    assert codes(problems) == ["BCP081"]
    assert 'Microsoft.Storage/storageAccounts/fileServices@2019-99-01"' in problems[0].message


def test_misspelled_property_is_bcp037_with_suggestion_and_line() -> None:
    problems = check(VALID_ML_STACK.replace("supportsHttpsTrafficOnly", "supportHttpsTrafficOnly"))
    assert codes(problems) == ["BCP037"]
    assert problems[0].line == 18
    assert 'Did you mean "supportsHttpsTrafficOnly"?' in problems[0].message


def test_unknown_property_in_second_nested_child_is_found() -> None:
    # pycep alone keeps only the last nested child of a parent; each declaration is checked here.
    text = VALID_ML_STACK.replace("{ publicAccess: 'None' }", "{ publicAcces: 'None' }")
    problems = check(text)
    assert codes(problems) == ["BCP037"]
    assert problems[0].line == 31


def test_read_only_property_is_bcp073() -> None:
    text = VALID_ML_STACK.replace("    publicNetworkAccess: 'Enabled'\n",
                                  "    publicNetworkAccess: 'Enabled'\n    provisioningState: 'Succeeded'\n")
    problems = check(text)
    assert codes(problems) == ["BCP073"]
    assert "properties.provisioningState" in problems[0].message


def test_bad_enum_literal_is_bcp088() -> None:
    problems = check(VALID_ML_STACK.replace("accessTier: 'Hot'", "accessTier: 'Hott'"))
    assert codes(problems) == ["BCP088"]
    assert problems[0].line == 20
    assert "Did you mean 'Hot'?" in problems[0].message


def test_open_enum_and_expressions_are_not_judged() -> None:
    text = VALID_ML_STACK.replace("sku: { name: storageSku }", "sku: { name: 'Premium_Fancy' }")
    text = text.replace("accessTier: 'Hot'", "accessTier: storageSku == 'Premium_LRS' ? 'Premium' : 'Hott'")
    text = text.replace("bypass: 'AzureServices'", "bypass: '${prefix}Services'")
    assert check(text) == []


def test_identifier_is_not_mistaken_for_an_enum_literal() -> None:
    text = VALID_ML_STACK.replace("accessTier: 'Hot'", "accessTier: storageSku")
    assert check(text) == []


def test_problems_inside_for_loop_bodies() -> None:
    text = """\
param ips array = ['1.2.3.4']
resource storage 'Microsoft.Storage/storageAccounts@2025-08-01' = [for i in range(0, 2): {
  name: 'st${i}'
  location: 'westeurope'
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    networkAcls: {
      defaultAction: 'Deny'
      ipRules: [for ip in ips: { value: ip, action: 'Alow', mask: 24 }]
    }
  }
}]
"""
    problems = check(text)
    assert [(p.line, p.code) for p in problems] == [(10, "BCP037"), (10, "BCP088")]
    assert "ipRules[0].mask" in problems[0].message


def test_conditional_resource_body_is_checked() -> None:
    declaration = "resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = "
    text = VALID_ML_STACK.replace(f"{declaration}{{", f"param go bool = true\n{declaration}if (go) {{")
    text = text.replace("enableSoftDelete: true", "enableSoftDeletion: true")
    assert codes(check(text)) == ["BCP037"]


def test_discriminated_compute_checks_the_chosen_variant() -> None:
    problems = check(VALID_ML_STACK.replace("maxNodeCount: 4,", "maxNodes: 4,"))
    assert codes(problems) == ["BCP037"]
    assert "properties.properties.scaleSettings.maxNodes" in problems[0].message
    assert 'Did you mean "maxNodeCount"?' in problems[0].message


def test_discriminated_compute_with_unknown_variant_is_bcp088() -> None:
    problems = check(VALID_ML_STACK.replace("computeType: 'AmlCompute'", "computeType: 'AmlComputer'"))
    assert codes(problems) == ["BCP088"]
    assert "Did you mean 'AmlCompute'?" in problems[0].message


def test_variant_property_from_another_variant_is_not_allowed() -> None:
    # `vmSize` belongs to AmlCompute's inner properties; a Kubernetes compute has other properties.
    problems = check(VALID_ML_STACK.replace("computeType: 'AmlCompute'", "computeType: 'Kubernetes'"))
    assert "BCP037" in codes(problems)


def test_missing_discriminator_is_bcp078() -> None:
    assert codes(check(VALID_ML_STACK.replace("    computeType: 'AmlCompute'\n", ""))) == ["BCP078"]


def test_missing_required_top_level_properties_are_bcp035() -> None:
    text = VALID_ML_STACK.replace("  name: '${prefix}-ws'\n", "")
    problems = check(text)
    assert codes(problems) == ["BCP035"]
    assert '"name"' in problems[0].message
    assert problems[0].line == 51


def test_existing_reference_checks_only_the_type() -> None:
    text = """\
resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: 'kv'
  scope: resourceGroup('other')
}
resource secret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'token'
  properties: { value: 'x' }
}
"""
    assert check(text) == []
    wrong_version = text.replace("vaults@2025-05-01' existing", "vaults@2025-05-99' existing")
    assert codes(check(wrong_version)) == ["BCP081"]


def test_child_of_existing_parent_is_checked() -> None:
    text = """\
resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: 'kv'
  resource secret 'secrets' = {
    name: 'token'
    properties: { valu: 'x' }
  }
}
"""
    assert codes(check(text)) == ["BCP037"]


def test_reference_only_type_is_not_deployable() -> None:
    features = "Microsoft.MachineLearningServices/workspaces/featuresets/versions/features@2026-05-01"
    declaration = f"resource f '{features}' {{}} = {{\n  name: 'ws/fs/1/f'\n}}\n"
    assert codes(check(declaration.replace(" {} ", " "))) == ["NOT_DEPLOYABLE"]
    assert check(declaration.replace(" {} ", " existing ")) == []


def test_provider_outside_the_filtered_index_is_not_judged() -> None:
    text = "resource vm 'Microsoft.Compute/virtualMachines@2024-07-01' = {\n  name: 'vm'\n  bogus: 1\n}\n"
    assert check(text) == []


def test_parse_failure_is_reported_and_other_resources_still_checked() -> None:
    text = "output broken string = (\n" + VALID_ML_STACK.replace("accessTier: 'Hot'", "accessTier: 'Hott'")
    problems = check(text)
    assert codes(problems)[0] == "PARSE"
    assert "BCP088" in codes(problems)


def test_decorated_nested_resource_is_checked_without_parse_problem() -> None:
    # pycep's grammar rejects decorators on nested resources, which Bicep allows.
    child = "  resource blobs 'blobServices'"
    text = VALID_ML_STACK.replace(child, f"  @description('blobs')\n{child}")
    assert check(text) == []
    assert codes(check(text.replace("days: 7 }", "dayz: 7 }"))) == ["BCP037"]


def test_windows_line_endings() -> None:
    text = VALID_ML_STACK.replace("accessTier: 'Hot'", "accessTier: 'Hott'").replace("\n", "\r\n")
    assert [(p.line, p.code) for p in check(text)] == [(20, "BCP088")]


def test_slow_parse_is_interrupted() -> None:
    started = time.perf_counter()
    with pytest.raises(_ParseTimeoutError), _time_limit(0.2):
        while True:
            pass
    assert time.perf_counter() - started < 2


def test_check_file_and_tree(tmp_path: Path) -> None:
    (tmp_path / "infra" / "modules").mkdir(parents=True)
    (tmp_path / "infra" / "main.bicep").write_text(VALID_ML_STACK, encoding="utf-8")
    bad = VALID_ML_STACK.replace("accessTier: 'Hot'", "accessTier: 'Hott'")
    (tmp_path / "infra" / "modules" / "storage.bicep").write_text(bad, encoding="utf-8")
    (tmp_path / "infra" / "binary.bicep").write_bytes(b"\xff\xfe\x00resource")
    assert check_bicep_file(tmp_path / "infra" / "main.bicep", TYPES_ROOT) == []
    problems = check_tree(tmp_path, TYPES_ROOT)
    assert sorted((Path(p.file).name, p.code) for p in problems) == [("binary.bicep", "PARSE"),
                                                                      ("storage.bicep", "BCP088")]
