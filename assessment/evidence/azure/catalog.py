"""What the scan reads, and with which api-version: the resource types whose properties matter
(hardening, monitoring, governance), the Azure ML collections of each workspace, and the lists
read once per scope. The api-versions are stable versions whose payloads Microsoft publishes
(tests serve those payloads; see tests/azure_emulator/)."""

from __future__ import annotations

from dataclasses import dataclass

ML = "Microsoft.MachineLearningServices"
WORKSPACE = f"{ML}/workspaces"
ML_API = "2025-12-01"

# Top-level resources read one by one (GET by id) when a Resource Manager list gave only their
# envelope (a Resource Graph query gives the properties at once). lower-case type -> api-version.
DETAIL_API = {
    WORKSPACE.lower(): ML_API,
    f"{ML}/registries".lower(): ML_API,
    "microsoft.storage/storageaccounts": "2025-08-01",
    "microsoft.keyvault/vaults": "2026-04-01",
    "microsoft.containerregistry/registries": "2025-11-01",
    "microsoft.network/privateendpoints": "2025-09-01",
    "microsoft.insights/components": "2020-02-02",
    "microsoft.operationalinsights/workspaces": "2026-03-01",
    "microsoft.insights/metricalerts": "2026-06-01",
    "microsoft.insights/scheduledqueryrules": "2026-03-01",
    "microsoft.insights/actiongroups": "2023-01-01",
    "microsoft.eventgrid/systemtopics": "2025-02-15",
}

# The canonical spelling of the types above (ARM answers in any case).
CANONICAL_TYPES = {
    t.lower(): t
    for t in (
        WORKSPACE,
        f"{ML}/registries",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.KeyVault/vaults",
        "Microsoft.ContainerRegistry/registries",
        "Microsoft.Network/privateEndpoints",
        "Microsoft.Insights/components",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.Insights/metricAlerts",
        "Microsoft.Insights/scheduledQueryRules",
        "Microsoft.Insights/actionGroups",
        "Microsoft.EventGrid/systemTopics",
    )
}


@dataclass(frozen=True)
class Collection:
    """A list read under a parent resource: `{parent}/{segment}` gives items of `type`."""

    segment: str
    type: str
    api_version: str
    children: tuple[Collection, ...] = ()  # read under each item: `{item id}/{child segment}`
    max_pages: int | None = None  # None: every page


WORKSPACE_COLLECTIONS = (
    Collection("computes", f"{WORKSPACE}/computes", ML_API),
    Collection(
        "onlineEndpoints",
        f"{WORKSPACE}/onlineEndpoints",
        ML_API,
        (Collection("deployments", f"{WORKSPACE}/onlineEndpoints/deployments", ML_API),),
    ),
    Collection(
        "batchEndpoints",
        f"{WORKSPACE}/batchEndpoints",
        ML_API,
        (Collection("deployments", f"{WORKSPACE}/batchEndpoints/deployments", ML_API),),
    ),
    Collection(
        "models",
        f"{WORKSPACE}/models",
        ML_API,
        (Collection("versions", f"{WORKSPACE}/models/versions", ML_API),),
    ),
    Collection(
        "data", f"{WORKSPACE}/data", ML_API, (Collection("versions", f"{WORKSPACE}/data/versions", ML_API),)
    ),
    Collection("environments", f"{WORKSPACE}/environments", ML_API),
    Collection("components", f"{WORKSPACE}/components", ML_API),
    Collection("schedules", f"{WORKSPACE}/schedules", ML_API),
    Collection("jobs", f"{WORKSPACE}/jobs", ML_API, max_pages=-1),  # -1: Settings.max_job_pages
    Collection(
        "providers/Microsoft.Insights/diagnosticSettings",
        "Microsoft.Insights/diagnosticSettings",
        "2021-05-01-preview",
    ),
)

# Read under each Event Grid system topic (which events leave the workspace, and to where).
SYSTEM_TOPIC_COLLECTIONS = (
    Collection("eventSubscriptions", "Microsoft.EventGrid/systemTopics/eventSubscriptions", "2025-02-15"),
)

# Read once per subscription (or resource group, with --resource-group): governance and cost.
SCOPE_COLLECTIONS = (
    Collection(
        "providers/Microsoft.Authorization/policyAssignments",
        "Microsoft.Authorization/policyAssignments",
        "2026-06-01",
    ),
    Collection(
        "providers/Microsoft.Authorization/roleAssignments",
        "Microsoft.Authorization/roleAssignments",
        "2022-04-01",
    ),
    Collection("providers/Microsoft.Consumption/budgets", "Microsoft.Consumption/budgets", "2026-06-01"),
)

# Query parameters of some collections: role and policy assignments that apply at the scope
# (inherited from above included), not every assignment below it.
COLLECTION_PARAMS = {
    "Microsoft.Authorization/roleAssignments": {"$filter": "atScope()"},
    "Microsoft.Authorization/policyAssignments": {"$filter": "atScope()"},
}


def canonical_type(resource_type: str) -> str:
    return CANONICAL_TYPES.get(resource_type.lower(), resource_type)


def all_collection_types() -> list[str]:
    """Every type a workspace, topic or scope collection may give (for gaps that hide them)."""
    out: list[str] = []

    def walk(collections: tuple[Collection, ...]) -> None:
        for c in collections:
            out.append(c.type)
            walk(c.children)

    walk(WORKSPACE_COLLECTIONS + SYSTEM_TOPIC_COLLECTIONS + SCOPE_COLLECTIONS)
    return out
