"""Drift between code and cloud: the ML platform's resources that exist in Azure but that no
infrastructure code of the repository declares (made by hand in the portal), the ones the code
declares that the scan did not find, and the hardening settings that differ (the Bicep says
`publicNetworkAccess: 'Disabled'`, Azure says `Enabled`), each with its resource id and file:line.

Resources are matched by type and name (the last segment of a child's name: `mlw/cpu` and `cpu`
are the same compute). A name the code computes (an unresolved expression) matches nothing: such
resources are counted in a note instead of being reported as missing, and the live resources of
their type are not reported as unmanaged -- the expression may well name them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlops_ladder.assessment.checks.resources import show, values_at, values_equal
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence
from mlops_ladder.assessment.evidence.common import Expr, Resource

ML = "microsoft.machinelearningservices"
# The ML platform's resource types, and the settings compared on each (dotted ARM paths).
HARDENING: dict[str, tuple[str, ...]] = {
    f"{ML}/workspaces": (
        "properties.publicNetworkAccess",
        "properties.managedNetwork.isolationMode",
        "identity.type",
        "properties.hbiWorkspace",
        "properties.encryption.status",
        "properties.allowPublicAccessWhenBehindVnet",
        "properties.systemDatastoresAuthMode",
    ),
    f"{ML}/registries": ("properties.publicNetworkAccess",),
    f"{ML}/workspaces/computes": (
        "properties.disableLocalAuth",
        "properties.properties.enableNodePublicIp",
        "properties.properties.scaleSettings.minNodeCount",
    ),
    f"{ML}/workspaces/onlineendpoints": ("properties.authMode", "properties.publicNetworkAccess"),
    f"{ML}/workspaces/batchendpoints": ("properties.authMode",),
    "microsoft.storage/storageaccounts": (
        "properties.publicNetworkAccess",
        "properties.allowBlobPublicAccess",
        "properties.minimumTlsVersion",
        "properties.allowSharedKeyAccess",
        "properties.supportsHttpsTrafficOnly",
    ),
    "microsoft.keyvault/vaults": (
        "properties.publicNetworkAccess",
        "properties.enableRbacAuthorization",
        "properties.enablePurgeProtection",
    ),
    "microsoft.containerregistry/registries": (
        "properties.publicNetworkAccess",
        "properties.adminUserEnabled",
        "properties.anonymousPullEnabled",
    ),
    "microsoft.insights/components": (
        "properties.publicNetworkAccessForIngestion",
        "properties.DisableLocalAuth",
    ),
    "microsoft.network/privateendpoints": (),
}


# Resources that only infrastructure code creates: one in Azure that no code declares was made by
# hand. Computes and endpoints are also created by Azure ML YAML and CI (`az ml online-endpoint
# create`), so their absence from IaC proves nothing; their settings are still compared when matched.
UNMANAGED_TYPES = {
    t
    for t in HARDENING
    if t
    not in (
        f"{ML}/workspaces/computes",
        f"{ML}/workspaces/onlineendpoints",
        f"{ML}/workspaces/batchendpoints",
    )
}


@dataclass(frozen=True)
class Drift:
    kind: str  # unmanaged (in Azure, not in code) | missing (in code, not found in Azure) | setting
    type: str
    name: str
    azure_id: str | None = None
    iac_location: str | None = None
    property: str | None = None
    iac_value: str | None = None
    azure_value: str | None = None

    def describe(self) -> str:
        if self.kind == "unmanaged":
            return f"{self.type} '{self.name}' exists in Azure but no infrastructure code declares it"
        if self.kind == "missing":
            return f"{self.type} '{self.name}' is declared at {self.iac_location} but was not found in Azure"
        return (
            f"{self.type} '{self.name}': {self.property} is {self.iac_value} in {self.iac_location}, "
            f"{self.azure_value} in Azure"
        )


@dataclass(frozen=True)
class DriftResult:
    items: tuple[Drift, ...]
    notes: tuple[str, ...]  # what could not be compared, and why


def find_drift(declared: Iterable[Resource], azure: AzureEvidence) -> DriftResult:
    code = [r for r in declared if not r.existing and r.type_lower in HARDENING]
    live = [r for r in azure.resources if r.type_lower in HARDENING]
    by_key: dict[tuple[str, str], Resource] = {}
    computed_names: dict[str, int] = {}
    for resource in code:
        name = _short_name(resource)
        if name is None:
            computed_names[resource.type_lower] = computed_names.get(resource.type_lower, 0) + 1
        else:
            by_key.setdefault((resource.type_lower, name), resource)
    live_keys = {(r.type_lower, r.name.lower()): r for r in live}
    items: list[Drift] = []
    for key, resource in live_keys.items():
        counterpart = by_key.get(key)
        if counterpart is None:
            if key[0] in UNMANAGED_TYPES and key[0] not in computed_names:
                items.append(
                    Drift("unmanaged", resource.type, resource.name, azure_id=resource.location.path)
                )
            continue
        items.extend(_settings(counterpart, resource))
    for key, resource in by_key.items():
        if key not in live_keys and not azure.gaps_for(resource.type):
            items.append(Drift("missing", resource.type, key[1], iac_location=str(resource.location)))
    notes = tuple(
        f"{count} {resource_type} declared with a computed name: not compared with Azure"
        for resource_type, count in sorted(computed_names.items())
    )
    order = {"setting": 0, "unmanaged": 1, "missing": 2}
    return DriftResult(
        tuple(sorted(items, key=lambda d: (order[d.kind], d.type, d.name, d.property or ""))), notes
    )


def _short_name(resource: Resource) -> str | None:
    name = resource.body.get("name", resource.name)
    if isinstance(name, Expr) or not isinstance(name, str) or not name or "${" in name or "[" in name:
        return None
    return name.rsplit("/", 1)[-1].lower()


def _settings(code: Resource, live: Resource) -> list[Drift]:
    out = []
    for path in HARDENING[code.type_lower]:
        declared = values_at(code.body, path)
        if not declared or any(isinstance(v, (Expr, dict, list)) for v in declared):
            continue  # not written (the platform default applies) or computed: nothing to compare
        actual = values_at(live.body, path)
        if actual and all(any(values_equal(a, d) for d in declared) for a in actual):
            continue
        out.append(
            Drift(
                "setting",
                live.type,
                live.name,
                azure_id=live.location.path,
                iac_location=str(code.location),
                property=path,
                iac_value=", ".join(show(v) for v in declared),
                azure_value=", ".join(show(v) for v in actual) if actual else "not set",
            )
        )
    return out
