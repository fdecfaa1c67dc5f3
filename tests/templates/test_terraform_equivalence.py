"""A project generated with iac=terraform declares the same Azure platform as the Bicep one.

For each level and deployment kind, both variants are rendered and read: every resource each declares
(not `existing` references or Terraform data sources), as its ARM type (Terraform types mapped by the
assessment's own table, assessment/evidence/repo/iac/terraform/mappings.py) and its name evaluated for
one environment (tests/validators/iac_names.py), plus the built-in roles each grants, how many role
assignments it makes, and the settings that differ by environment or level (SKUs, retention,
network access). The two lists must be equal.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mlops_ladder.assessment.evidence.repo.iac.terraform.mappings import MAPPINGS
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.validators.iac_names import evaluate

CASES = {
    "level1": (1, {}),
    "level2": (2, {}),
    "level3-online": (3, {"deployment_kind": "online"}),
    "level3-batch": (3, {"deployment_kind": "batch"}),
    "level2-adf": (2, {"data_pipeline": "adf"}),
    "level3-adf": (3, {"data_pipeline": "adf", "deployment_kind": "batch"}),
}
ENV, PROJECT, SUFFIX = "prod", "churn-model", "ab12"
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def render(tmp_path: Path, level: int, data: dict, iac: str) -> Path:
    dest = tmp_path / iac
    new_project(dest, level, complete({"name_suffix": SUFFIX, "iac": iac, **data}, level), git=False)
    return dest


# ------------------------------------------------------------------------------------------ Bicep


def bicep_platform(root: Path) -> dict[str, Any]:
    from pycep import BicepParser

    resources: list[tuple[str, str]] = []
    roles: set[str] = set()
    assignments = 0
    files = [root / "infra" / "main.bicep", *sorted((root / "infra" / "layers").glob("*.bicep"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        parsed = BicepParser().parse(text=text)
        params = {"env": ENV, "projectName": PROJECT, "nameSuffix": SUFFIX}
        for name, spec in parsed.get("parameters", {}).items():
            default = spec.get("default")
            if name not in params and isinstance(default, str):
                params[name] = _bicep_value(text, name, params)
        for match in re.finditer(r"^var roles = \{(.*?)^\}", text, re.MULTILINE | re.DOTALL):
            roles.update(_GUID.findall(match.group(1)))
        for match in re.finditer(r"^resource (\w+) '([^@']+)@[^']+'( existing)? = (\[|\{)", text, re.MULTILINE):
            symbol, arm_type, existing, opening = match.groups()
            if existing:
                continue
            if arm_type == "Microsoft.Authorization/roleAssignments":
                loop = re.match(r"\[\s*for \w+ in \[([^\]]*)\]", text[match.end() - 1:])
                assignments += len(loop.group(1).split(",")) if loop else 1
                continue
            body = text[match.end():]
            name_line = re.search(r"^\s*name: (.+?)(?:\s*//.*)?$", body, re.MULTILINE)
            resources.append((arm_type, _bicep_name(name_line.group(1), params, text)))
    return {"resources": sorted(resources), "roles": roles, "role_assignments": assignments}


def _bicep_value(text: str, name: str, params: dict) -> Any:
    line = re.search(rf"^param {name} \w+ = (.+)$", text, re.MULTILINE)
    try:
        return evaluate(line.group(1), _bicep_names(params)) if line else None
    except ValueError:
        return None  # defaults like resourceGroup().location: no name uses them


def _bicep_names(params: dict) -> dict:
    return {k: v for k, v in params.items() if v is not None}


def _bicep_name(expression: str, params: dict, text: str) -> str:
    names = re.search(r"^var names = \{(.*?)^\}", text, re.MULTILINE | re.DOTALL)
    values = _bicep_names(params)
    if names:
        for key, value in re.findall(r"^\s*(\w+): (.+)$", names.group(1), re.MULTILINE):
            values[f"names.{key}"] = evaluate(value, values)
    for var, value in re.findall(r"^var (\w+) = ('[^'\n]*')$", text, re.MULTILINE):
        values[var] = evaluate(value, values)
    return evaluate(expression, values)


# -------------------------------------------------------------------------------------- Terraform


def terraform_platform(root: Path) -> dict[str, Any]:
    import hcl2

    module = root / "infra" / "terraform"
    tfvars = hcl2.loads((module / "env" / f"{ENV}.tfvars").read_text())
    values: dict[str, Any] = {f"var.{k}": _literal(v) for k, v in tfvars.items() if not k.startswith("__")}
    parsed = {p.name: hcl2.loads(p.read_text()) for p in sorted(module.glob("*.tf"))}
    for data in parsed.values():
        for block in data.get("variable", []):
            for name, spec in block.items():
                values.setdefault(f"var.{name.strip(chr(34))}", _literal(spec.get("default")))
        for kind in ("data",):
            for block in data.get(kind, []):
                for tf_type, named in block.items():
                    for label, body in named.items():
                        if "name" in body:
                            address = f"data.{tf_type.strip(chr(34))}.{label.strip(chr(34))}"
                            values[f"{address}.name"] = _evaluate_raw(body["name"], values)
    locals_raw = {k: v for data in parsed.values() for block in data.get("locals", []) for k, v in block.items()
                  if not k.startswith("__")}
    _resolve_locals(locals_raw, values)

    resources: list[tuple[str, str]] = []
    roles: set[str] = set()
    assignments = 0
    for name, value in locals_raw.items():
        if name.endswith("_roles") and isinstance(value, dict):
            roles.update(_GUID.findall(str(value)))
    for data in parsed.values():
        for block in data.get("resource", []):
            for tf_type, named in block.items():
                tf_type = tf_type.strip('"')
                for _label, body in named.items():
                    if tf_type == "azurerm_role_assignment":
                        grants = re.fullmatch(r"\$\{local\.(\w+)\}", str(body.get("for_each", "")))
                        assignments += len(locals_raw[grants.group(1)]) if grants else 1
                        continue
                    resources.append((MAPPINGS[tf_type].arm_type, _evaluate_raw(body["name"], values)))
    return {"resources": sorted(resources), "roles": roles, "role_assignments": assignments}


def _literal(value: Any) -> Any:
    return value[1:-1] if isinstance(value, str) and value[:1] == value[-1:] == '"' else value


def _evaluate_raw(raw: Any, values: dict) -> Any:
    """A python-hcl2 value: '"text ${...}"' (a template) or '${expression}'."""
    if isinstance(raw, str) and raw.startswith("${") and raw.endswith("}"):
        return evaluate(raw[2:-1], values)
    if isinstance(raw, str):
        return evaluate(raw if raw.startswith('"') else f'"{raw}"', values)
    return raw


def _resolve_locals(raw: dict, values: dict) -> None:
    """Evaluate the locals that names depend on, in as many passes as their references need."""
    pending = dict(raw)
    for _ in range(len(pending) + 1):
        for name, value in list(pending.items()):
            try:
                if isinstance(value, dict):
                    for key, item in value.items():
                        if not key.startswith("__"):
                            values[f"local.{name}.{key}"] = _evaluate_raw(item, values)
                else:
                    values[f"local.{name}"] = _evaluate_raw(value, values)
                del pending[name]
            except (ValueError, TypeError, StopIteration):
                continue  # refers to something not evaluated yet, or not a name at all (resource ids)


# ---------------------------------------------------------------------------------------- the test


@pytest.mark.parametrize("case", sorted(CASES))
def test_terraform_declares_what_the_bicep_declares(case: str, tmp_path: Path) -> None:
    level, data = CASES[case]
    bicep = bicep_platform(render(tmp_path, level, data, "bicep"))
    terraform = terraform_platform(render(tmp_path, level, data, "terraform"))
    assert terraform["resources"] == bicep["resources"]
    assert terraform["roles"] == bicep["roles"]
    assert terraform["role_assignments"] == bicep["role_assignments"]
    assert bicep["resources"], "nothing read from the Bicep"
    kinds = Counter(kind for kind, _ in bicep["resources"])
    assert kinds["Microsoft.MachineLearningServices/workspaces"] == 1
    adf = data.get("data_pipeline") == "adf"
    assert kinds["Microsoft.ManagedIdentity/userAssignedIdentities"] == 1 + (level >= 2) + (
        level >= 3 and data.get("deployment_kind", "online") == "online") + adf
    assert kinds["Microsoft.DataFactory/factories"] == adf


@pytest.mark.parametrize("level", [1, 5])
def test_settings_that_depend_on_the_environment_and_level_agree(level: int, tmp_path: Path) -> None:
    """SKUs, retention and network access: the values the Bicep derives from env and
    networkIsolation, read from the Terraform for the same inputs."""
    bicep_root = render(tmp_path, level, {}, "bicep")
    terraform_root = render(tmp_path, level, {}, "terraform")
    main = (bicep_root / "infra" / "main.bicep").read_text()
    platform = (terraform_root / "infra" / "terraform" / "10-platform.tf").read_text()
    param = (bicep_root / "infra" / "env" / f"{ENV}.bicepparam").read_text()
    isolation = "param networkIsolation = true" in param
    tfvars = (terraform_root / "infra" / "terraform" / "env" / f"{ENV}.tfvars").read_text()
    assert re.search(r"network_isolation\s*=\s*(\w+)", tfvars).group(1) == str(isolation).lower()
    expected = {  # Bicep expression in main.bicep -> Terraform expression in 10-platform.tf
        "sku: { name: isProduction ? 'Standard_ZRS' : 'Standard_LRS' }":
            'account_replication_type         = local.is_production ? "ZRS" : "LRS"',
        "retentionInDays: isProduction ? 90 : 30": "retention_in_days   = local.is_production ? 90 : 30",
        "softDeleteRetentionInDays: isProduction ? 90 : 7": "soft_delete_retention_days    = local.is_production ? 90 : 7",
        "sku: { name: networkIsolation ? 'Premium' : 'Basic' }":
            'sku                           = var.network_isolation ? "Premium" : "Basic"',
        "isolationMode: networkIsolation ? 'AllowOnlyApprovedOutbound' : 'Disabled'":
            'isolation_mode = var.network_isolation ? "AllowOnlyApprovedOutbound" : "Disabled"',
        "var publicNetworkAccess = networkIsolation ? 'Disabled' : 'Enabled'":
            "public_network_access_enabled = !var.network_isolation",
        "sku: { name: 'Basic', tier: 'Basic' }": 'sku_name            = "Basic"',
        "sku: { name: 'PerGB2018' }": 'sku                 = "PerGB2018"',
    }
    assert [b for b in expected if b not in main] == []
    assert [t for t in expected.values() if t not in platform] == []


def test_adf_deploy_derives_the_names_the_terraform_declares(tmp_path: Path) -> None:
    """scripts/adf_deploy.py retargets the Data Factory export from mlops/config.yml; with iac=terraform
    the names it derives must be those infra/terraform/ declares, or the deployment misses them."""
    import json
    import subprocess
    import sys

    root = render(tmp_path, 2, {"data_pipeline": "adf"}, "terraform")
    declared = set(terraform_platform(root)["resources"])
    code = ("import json, sys; sys.path.insert(0, 'scripts'); import adf_deploy as a; "
            f"print(json.dumps(a.resource_names(a.load_config('mlops/config.yml'), {ENV!r})))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    names = json.loads(proc.stdout)
    expected = {
        "factory": "Microsoft.DataFactory/factories",
        "storage_account": "Microsoft.Storage/storageAccounts",
        "key_vault": "Microsoft.KeyVault/vaults",
        "workspace": "Microsoft.MachineLearningServices/workspaces",
        "identity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    }
    missing = [(key, names[key]) for key, arm_type in expected.items() if (arm_type, names[key]) not in declared]
    assert missing == []
    platform = (root / "infra" / "terraform" / "10-platform.tf").read_text()
    assert names["resource_group"] == f"rg-{PROJECT}-{ENV}"
    assert 'name = "rg-${var.project_name}-${var.env}"' in platform
