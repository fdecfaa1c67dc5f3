"""The Terraform variant (`iac: terraform`) of the generated infrastructure.

No `terraform` with providers can run here (no internet), so the generated module is checked with
what can: the real `terraform fmt -check` where the binary exists, python-hcl2 parsing, and every
resource, argument, block and referenced attribute against the azurerm provider's schema kept in
tests/fixtures/terraform_schema (tests/validators/terraform_schema.py), plus the references between
the layer files of the one root module (what `terraform validate` would report first).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.validators.terraform_schema import check_module, load_schema

VARIANTS = {
    "level1": (1, {}),
    "level1-single-env": (1, {"environments": ["dev"]}),
    "level2": (2, {}),
    "level3-online": (3, {"deployment_kind": "online"}),
    "level3-batch": (3, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "level4-online": (4, {"deployment_kind": "online"}),
    "level4-batch": (4, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    "level5-online": (5, {"deployment_kind": "online"}),
    "level5-batch": (5, {"deployment_kind": "batch", "environments": ["dev", "prod"]}),
    # Azure DevOps: the drift alert's Logic App (41) and the private agents (53) instead of runners
    "ado-level4-online": (4, {"deployment_kind": "online", "ci_system": "azure-devops"}),
    "ado-level5-batch": (5, {"deployment_kind": "batch", "ci_system": "azure-devops",
                             "environments": ["dev", "prod"]}),
}
LEVEL5_FILES = {"50-network.tf", "51-registry.tf", "52-governance.tf"}
CI_FILES = {"github": {4: set(), 5: {"53-ci-runners.tf"}},
            "azure-devops": {4: {"41-retrain-trigger.tf"}, 5: {"41-retrain-trigger.tf", "53-ci-agents.tf"}}}
TERRAFORM = shutil.which("terraform")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, tuple[Path, int, dict]]:
    made = {}
    for name, (level, data) in VARIANTS.items():
        answers = complete({"name_suffix": "ab12", "iac": "terraform", **data}, level)
        dest = tmp_path_factory.mktemp("tf") / name
        new_project(dest, level, answers, git=False)
        made[name] = (dest, level, answers)
    return made


def _unquote(value: object) -> object:
    """python-hcl2 8 keeps the quotes of string literals."""
    return value[1:-1] if isinstance(value, str) and value[:1] == value[-1:] == '"' else value


def module_texts(root: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((root / "infra" / "terraform").glob("*.tf"))}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_layout_one_root_module_and_no_bicep(projects, name: str) -> None:
    root, level, answers = projects[name]
    files = set(module_texts(root))
    expected = {"versions.tf", "variables.tf", "10-platform.tf"}
    expected |= {"20-training.tf"} if level >= 2 else set()
    expected |= {"30-serving.tf"} if level >= 3 and answers["deployment_kind"] == "online" else set()
    expected |= {"25-data-factory.tf"} if answers.get("data_pipeline") == "adf" else set()
    expected |= {"40-monitoring.tf"} if level >= 4 else set()
    expected |= LEVEL5_FILES if level >= 5 else set()
    expected |= CI_FILES[answers["ci_system"]].get(level, set())
    assert files == expected
    # the endpoint's alerts: a root module of its own, applied by monitor.yml once the endpoint exists
    endpoint_module = root / "infra" / "terraform" / "monitoring-endpoint" / "main.tf"
    assert endpoint_module.exists() == (level >= 4 and answers["deployment_kind"] == "online")
    envs = answers["environments"]
    assert sorted(p.name for p in (root / "infra" / "terraform" / "env").iterdir()) == sorted(
        [f"{e}.tfvars" for e in envs] + [f"{e}.backend.hcl" for e in envs]
    )
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.bicep*")) == []
    assert (root / "scripts" / "tf_state_bootstrap.sh").exists()
    assert (root / "docs" / "terraform.md").exists()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_module_matches_the_provider_schema(projects, name: str) -> None:
    root, _, _ = projects[name]
    problems = check_module(module_texts(root), load_schema())
    assert [str(p) for p in problems] == []
    endpoint_module = root / "infra" / "terraform" / "monitoring-endpoint"
    if endpoint_module.exists():
        texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(endpoint_module.glob("*.tf"))}
        assert [str(p) for p in check_module(texts, load_schema())] == []


@pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary")
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_terraform_fmt_check(projects, name: str) -> None:
    root, _, _ = projects[name]
    proc = subprocess.run([TERRAFORM, "fmt", "-check", "-recursive", "-diff", "infra/terraform"],
                          cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_backend_and_tfvars_name_each_environment(projects) -> None:
    import hcl2

    root, _, answers = projects["level1"]
    env_dir = root / "infra" / "terraform" / "env"
    accounts = set()
    for env in answers["environments"]:
        backend = {k: _unquote(v) for k, v in hcl2.loads((env_dir / f"{env}.backend.hcl").read_text()).items()}
        assert backend["container_name"] == f"tfstate-{env}"
        assert backend["use_azuread_auth"] is True and backend["use_oidc"] is True
        assert not {"access_key", "sas_token", "client_secret"} & set(backend)
        accounts.add(backend["storage_account_name"])
        values = {k: _unquote(v) for k, v in hcl2.loads((env_dir / f"{env}.tfvars").read_text()).items()}
        assert values["env"] == env and values["name_suffix"] == "ab12"
        assert values["network_isolation"] is False
    assert accounts == {"stchurnmodeltfab12"}


def test_level5_closes_the_network_in_every_environment(projects) -> None:
    """Level 5's private endpoints (50-network.tf) need the platform closed: network_isolation."""
    import hcl2

    root, _, answers = projects["level5-online"]
    for env in answers["environments"]:
        values = hcl2.loads((root / "infra" / "terraform" / "env" / f"{env}.tfvars").read_text())
        assert values["network_isolation"] is True, env


def test_provider_signs_in_with_oidc_and_backend_is_partial(projects) -> None:
    import hcl2

    root, _, _ = projects["level1"]
    versions = hcl2.loads((root / "infra" / "terraform" / "versions.tf").read_text())
    providers = {name: body for block in versions["provider"] for name, body in block.items()}
    assert providers['"azurerm"']["use_oidc"] is True
    assert providers['"azapi"']["use_oidc"] is True
    terraform = versions["terraform"][0]
    assert [{k: {n: v for n, v in body.items() if not n.startswith("__")} for k, body in block.items()}
            for block in terraform["backend"]] == [{'"azurerm"': {}}]
    pins = {name: _unquote(spec["version"]) for name, spec in terraform["required_providers"][0].items()
            if not name.startswith("__")}
    assert pins == {"azurerm": "~> 5.2", "azapi": "~> 2.0"}


# The checker itself: each mistake below must be reported, so a passing module means something.
GOOD = '''
variable "env" {
  type = string
}
locals {
  tags = { env = var.env }
}
data "azurerm_resource_group" "rg" {
  name = "rg-${var.env}"
}
resource "azurerm_user_assigned_identity" "id" {
  name                = "id-${var.env}"
  resource_group_name = data.azurerm_resource_group.rg.name
  location            = data.azurerm_resource_group.rg.location
  tags                = local.tags
}
output "principal" {
  value = azurerm_user_assigned_identity.id.principal_id
}
'''

BROKEN = {
    "unknown argument": ('  tags                = local.tags\n',
                         '  tags                = local.tags\n  sku = "Basic"\n', "sku: no such argument"),
    "missing required": ('  location            = data.azurerm_resource_group.rg.location\n', "",
                         "location: required argument missing"),
    "unknown local": ("local.tags", "local.tag", "local.tag: referenced but never declared"),
    "unknown variable": ('"id-${var.env}"', '"id-${var.environment}"', "var.environment: referenced"),
    "unknown attribute": (".principal_id", ".principal", "has no attribute 'principal'"),
    "unknown type": ('resource "azurerm_user_assigned_identity"', 'resource "azurerm_user_identity"',
                     "azurerm_user_identity is not in the provider schema"),
    "block as argument": ('  tags                = local.tags\n',
                          '  tags                = local.tags\n  identity = {}\n', None),
    "computed set": ('  tags                = local.tags\n',
                     '  tags                = local.tags\n  principal_id = "x"\n', "principal_id: no such"),
}


def test_checker_passes_a_good_module() -> None:
    assert check_module({"main.tf": GOOD}, load_schema()) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_checker_reports_each_mistake(case: str) -> None:
    old, new, message = BROKEN[case]
    assert old in GOOD
    problems = [str(p) for p in check_module({"main.tf": GOOD.replace(old, new, 1)}, load_schema())]
    assert problems, case
    if message:
        assert any(message in p for p in problems), problems


def test_checker_reports_a_declaration_repeated_in_another_layer_file() -> None:
    problems = check_module({"a.tf": GOOD, "b.tf": 'locals {\n  tags = {}\n}\n'}, load_schema())
    assert [str(p) for p in problems] == ["b.tf: local tags: declared again (first in a.tf)"]


def test_the_default_renders_bicep_exactly_as_iac_bicep_and_nothing_of_terraform(tmp_path: Path) -> None:
    """Projects made before the option (no `iac` answer) keep the Bicep files, byte for byte."""
    rendered = {}
    for name, extra in (("default", {}), ("bicep", {"iac": "bicep"})):
        dest = tmp_path / name
        new_project(dest, 5, complete({"name_suffix": "ab12", **extra}, 5), git=False)
        rendered[name] = {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    assert rendered["default"] == rendered["bicep"]
    paths = set(rendered["default"])
    assert not [p for p in paths if "terraform" in p or p.endswith((".tf", ".tfvars", ".hcl"))]
    assert {"infra/main.bicep", "infra/layers/20-training.bicep", "infra/layers/30-serving.bicep",
            "infra/layers/40-monitoring.bicep", "infra/layers/53-ci-runners.bicep"} <= paths
    assert not [p for p, data in rendered["default"].items()
                if b"terraform" in data.lower() and not p.startswith(".mlops-ladder/")]


@pytest.mark.parametrize("ci_system", ["github", "azure-devops"])
def test_state_bootstrap_script_az_commands_parse(ci_system: str, tmp_path: Path) -> None:
    from tests.validators.az_cli import AZ_PYTHON, core_problems, script_calls

    if not AZ_PYTHON.exists():
        pytest.skip(f"no Azure CLI environment at {AZ_PYTHON} (tests/validators/az_cli.py)")
    dest = tmp_path / "project"
    answers = complete({"name_suffix": "ab12", "iac": "terraform", "ci_system": ci_system}, 1)
    new_project(dest, 1, answers, git=False)
    script = dest / "scripts" / "tf_state_bootstrap.sh"
    calls = script_calls(script, dest)
    assert len(calls) >= 8
    assert core_problems(calls) == []
    identity = "id-churn-model-ado-" if ci_system == "azure-devops" else "id-churn-model-github-"
    assert identity in script.read_text()
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0


def test_level_5_data_factory_matches_the_provider_schema(tmp_path: Path) -> None:
    """Level 5 adds the factory's managed network and private endpoints (levels 4-5 are otherwise
    still Bicep, so this variant is not in VARIANTS' layout test)."""
    answers = complete({"name_suffix": "ab12", "iac": "terraform", "data_pipeline": "adf"}, 5)
    new_project(tmp_path / "p", 5, answers, git=False)
    texts = module_texts(tmp_path / "p")
    assert "azurerm_data_factory_managed_private_endpoint" in texts["25-data-factory.tf"]
    assert [str(p) for p in check_module(texts, load_schema())] == []
