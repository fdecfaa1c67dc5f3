"""Ready-made estates: `ml_estate` (one subscription, an Azure ML workspace with everything the
criteria read, hardened or not) and `large_estate` (the benchmark's thousands of resources)."""

from __future__ import annotations

from tests.azure_emulator.estate import DELETE, ML, SUBSCRIPTION, Estate, example, example_item

M = "machinelearningservices"
WS = f"{ML}/workspaces"
CI_PRINCIPAL = "5b1d8f0e-7a3c-4c6e-9f21-0c8d6a4b2e11"  # the app id of the CI service principal
ANONYMOUS_MODEL = "3f" * 32  # azure-ai-ml names a model uploaded from a local folder by its SHA-256


def made_by(automation: bool) -> dict:
    """The systemData of an item made by CI (a service principal) or by a person."""
    who, kind = (CI_PRINCIPAL, "Application") if automation else ("alice@contoso.com", "User")
    return {
        "createdAt": "2026-05-04T08:00:00Z",
        "createdBy": who,
        "createdByType": kind,
        "lastModifiedAt": "2026-05-04T08:00:00Z",
        "lastModifiedBy": who,
        "lastModifiedByType": kind,
    }


def ml_estate(
    *,
    hardened: bool = True,
    sub: str = SUBSCRIPTION,
    estate: Estate | None = None,
    group: str = "rg-ml",
    workspace: str = "mlw-prod",
) -> Estate:
    """A workspace with its dependents, ML assets, endpoints, schedules, jobs, monitoring and
    governance. hardened=False flips the settings the level-5 criteria judge."""
    estate = estate or Estate()
    if sub.lower() not in estate.subscriptions:
        estate.subscription(sub)
    rg = estate.group(sub, group)
    off = "Disabled" if hardened else "Enabled"
    ws = estate.resource(
        rg,
        WS,
        workspace,
        example(f"{M}/2025-12-01/Workspace/get.json"),
        properties__publicNetworkAccess=off,
        properties__managedNetwork__isolationMode="AllowOnlyApprovedOutbound" if hardened else "Disabled",
        properties__storageAccount=f"{rg}/providers/Microsoft.Storage/storageAccounts/stmlprod",
        properties__keyVault=f"{rg}/providers/Microsoft.KeyVault/vaults/kv-ml-prod",
        properties__containerRegistry=f"{rg}/providers/Microsoft.ContainerRegistry/registries/crmlprod",
        systemData=made_by(hardened),
        **(
            {}
            if hardened
            else {
                "properties__privateEndpointConnections": [],
                "properties__encryption": DELETE,
                "identity": {"type": "SystemAssigned"},
                "properties__primaryUserAssignedIdentity": DELETE,
            }
        ),
    )
    if hardened:
        estate.resources[ws.lower()]["properties"]["primaryUserAssignedIdentity"] = (
            f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-ml"
        )
    storage = example("storage/2026-06-01/StorageAccountCreateEnablePublicNetworkAccess.json")
    estate.resource(
        rg, "Microsoft.Storage/storageAccounts", "stmlprod", storage, properties__publicNetworkAccess=off
    )
    estate.resource(
        rg,
        "Microsoft.KeyVault/vaults",
        "kv-ml-prod",
        example("keyvault/2026-04-01/getVault.json"),
        properties__publicNetworkAccess=off,
        properties__enableRbacAuthorization=hardened,
        properties__enablePurgeProtection=hardened,
    )
    estate.resource(
        rg,
        "Microsoft.ContainerRegistry/registries",
        "crmlprod",
        example("containerregistry/2025-11-01/RegistryGet.json"),
        properties__publicNetworkAccess=off,
        properties__adminUserEnabled=not hardened,
    )
    estate.resource(
        rg,
        "Microsoft.Insights/components",
        "appi-ml-prod",
        example("applicationinsights/2020-02-02/ComponentsGet.json"),
    )
    estate.resource(
        rg,
        "Microsoft.OperationalInsights/workspaces",
        "log-ml-prod",
        example("operationalinsights/2026-03-01/WorkspacesGet.json"),
    )
    estate.resource(
        rg,
        "Microsoft.Network/privateEndpoints",
        "pe-mlw",
        example("network/2025-05-01/PrivateEndpointGet.json"),
    )
    if hardened:
        estate.resource(rg, f"{ML}/registries", "mlreg", example(f"{M}/2026-07-01/Registries/get.json"))
        estate.resource(
            rg,
            "Microsoft.Insights/metricAlerts",
            "latency-alert",
            example_item("monitor/metricAlerts/2026-06-01/listByResourceGroupMetricAlert.json"),
        )
        estate.resource(
            rg,
            "Microsoft.Insights/actionGroups",
            "ag-ml",
            example_item("monitor/actionGroups/2023-01-01/listActionGroups.json"),
        )
        estate.resource(
            rg,
            "Microsoft.EventGrid/systemTopics",
            "mlw-events",
            {
                "location": "westeurope",
                "properties": {
                    "source": ws,
                    "topicType": "Microsoft.MachineLearningServices.Workspaces",
                    "provisioningState": "Succeeded",
                },
            },
        )
        estate.items(
            f"{rg}/providers/Microsoft.EventGrid/systemTopics/mlw-events",
            "eventSubscriptions",
            [example_item("eventgrid/2025-02-15/SystemTopicEventSubscriptions_ListBySystemTopic.json")],
        )
    _workspace_detail(estate, ws, hardened)
    _governance(estate, f"/subscriptions/{sub}", hardened)
    return estate


def _workspace_detail(estate: Estate, ws: str, hardened: bool) -> None:
    cluster = example(f"{M}/2025-12-01/Compute/get/AmlCompute.json")
    estate.item(
        ws,
        "computes",
        "cpu-cluster",
        cluster,
        properties__disableLocalAuth=hardened,
        properties__properties__enableNodePublicIp=not hardened,
        properties__properties__scaleSettings__minNodeCount=0 if hardened else 2,
    )
    estate.item(
        ws,
        "computes",
        "ci-dev",
        example(f"{M}/2026-07-01/Compute/get/ComputeInstance.json"),
        properties__disableLocalAuth=hardened,
    )
    # hardened: blue/green with a split; open: one deployment of a model uploaded from a local folder
    endpoint = estate.item(
        ws,
        "onlineEndpoints",
        "credit-endpoint",
        example(f"{M}/2026-07-01/Workspace/OnlineEndpoint/get.json"),
        properties__traffic={"blue": 90, "green": 10} if hardened else {"blue": 100},
    )
    deployment = example(f"{M}/2025-12-01/OnlineDeployment/ManagedOnlineDeployment/get.json")
    model = f"{ws}/models/{'credit' if hardened else ANONYMOUS_MODEL}/versions/{3 if hardened else 1}"
    for color in ("blue", "green") if hardened else ("blue",):
        estate.item(
            endpoint,
            "deployments",
            color,
            deployment,
            systemData=made_by(hardened),
            properties__appInsightsEnabled=hardened,
            properties__model=model,
            **(
                {
                    "properties__dataCollector": {
                        "collections": {"model_inputs": {"dataCollectionMode": "Enabled"}}
                    }
                }
                if hardened
                else {}
            ),
        )
    batch = estate.item(
        ws, "batchEndpoints", "nightly-scoring", example(f"{M}/2026-07-01/Workspace/BatchEndpoint/get.json")
    )
    estate.item(
        batch,
        "deployments",
        "default",
        example(f"{M}/2025-12-01/Workspace/BatchDeployment/get.json"),
        properties__model={"referenceType": "Id", "assetId": f"{ws}/models/credit/versions/2"},
    )
    models = estate.item(
        ws, "models", "credit", example_item(f"{M}/2026-07-01/Workspace/ModelContainer/list.json")
    )
    estate.items(
        models,
        "versions",
        [
            dict(example_item(f"{M}/2026-07-01/Workspace/ModelVersion/list.json"), name=str(n))
            for n in (1, 2, 3)
        ],
    )
    data = estate.item(
        ws, "data", "credit-data", example_item(f"{M}/2026-07-01/Workspace/DataContainer/list.json")
    )
    estate.items(
        data,
        "versions",
        [dict(example_item(f"{M}/2026-07-01/Workspace/DataVersionBase/list.json"), name="1")],
    )
    estate.item(
        ws,
        "environments",
        "train-env",
        example_item(f"{M}/2026-07-01/Workspace/EnvironmentContainer/list.json"),
        systemData=made_by(hardened),
    )
    estate.item(
        ws,
        "components",
        "train",
        example_item(f"{M}/2026-07-01/Workspace/ComponentContainer/list.json"),
        systemData=made_by(hardened),
    )
    schedule = example_item(f"{M}/2026-07-01/Schedule/list.json")
    estate.item(
        ws,
        "schedules",
        "weekly-retrain",
        schedule,
        properties__action={"actionType": "CreateJob", "jobDefinition": {"jobType": "Pipeline"}},
        properties__isEnabled=hardened,
    )
    if hardened:
        estate.item(
            ws,
            "schedules",
            "drift-monitor",
            schedule,
            properties__action={
                "actionType": "CreateMonitor",
                "monitorDefinition": {"signals": {"drift": {"signalType": "DataDrift"}}},
            },
            systemData=made_by(True),
        )
    # training pipelines: submitted by CI (hardened) or by hand
    job = example(f"{M}/2026-07-01/Job/PipelineJob/list.json")["value"][0]
    job["systemData"].update(made_by(hardened))
    job["properties"]["displayName"] = "credit-training"
    estate.items(ws, "jobs", [dict(job, name=f"job-{n:03d}") for n in range(7)])
    if hardened:
        # the published example sends to storage and Event Hubs (workspaceId ""): send to Log Analytics
        rg = ws.split("/providers/")[0]
        log_analytics = f"{rg}/providers/Microsoft.OperationalInsights/workspaces/log-ml-prod"
        estate.item(
            ws,
            "providers/Microsoft.Insights/diagnosticSettings",
            "to-log-analytics",
            example_item("monitor/diagnosticSettings/2021-05-01-preview/listDiagnosticSettings.json"),
            properties__workspaceId=log_analytics,
        )


def _governance(estate: Estate, scope: str, hardened: bool) -> None:
    if hardened:
        estate.items(
            scope,
            "providers/Microsoft.Authorization/policyAssignments",
            example("policy/2026-06-01/listPolicyAssignments.json")["value"],
        )
        estate.items(
            scope,
            "providers/Microsoft.Consumption/budgets",
            [example_item("consumption/2026-06-01/BudgetsList.json")],
        )
    role = example_item("authorization/2022-04-01/RoleAssignments_ListForScope.json")
    role["properties"]["principalType"] = "Group" if hardened else "User"
    estate.items(scope, "providers/Microsoft.Authorization/roleAssignments", [role])


def large_estate(
    *,
    resources: int = 5000,
    workspaces: int = 20,
    models: int = 50,
    endpoints: int = 10,
    schedules: int = 20,
    groups: int = 50,
    sub: str = SUBSCRIPTION,
) -> Estate:
    """The benchmark's estate: *resources* resources over *groups* resource groups, *workspaces*
    workspaces each with *models* models (one version each), *endpoints* online endpoints (one
    deployment each) and *schedules* schedules."""
    estate = Estate()
    estate.subscription(sub)
    group_ids = [estate.group(sub, f"rg-{g:03d}") for g in range(groups)]
    disk = {"location": "westeurope", "sku": {"name": "Premium_LRS"}, "properties": {"diskSizeGB": 128}}
    workspace_body = example(f"{M}/2025-12-01/Workspace/get.json")
    model = example_item(f"{M}/2026-07-01/Workspace/ModelContainer/list.json")
    version = example_item(f"{M}/2026-07-01/Workspace/ModelVersion/list.json")
    endpoint = example(f"{M}/2026-07-01/Workspace/OnlineEndpoint/get.json")
    deployment = example(f"{M}/2025-12-01/OnlineDeployment/ManagedOnlineDeployment/get.json")
    schedule = example_item(f"{M}/2026-07-01/Schedule/list.json")
    for w in range(workspaces):
        ws = estate.resource(group_ids[w % groups], WS, f"mlw-{w:03d}", workspace_body)
        for m in range(models):
            path = estate.item(ws, "models", f"model-{m:03d}", model)
            estate.items(path, "versions", [dict(version, name="1")])
        for e in range(endpoints):
            path = estate.item(ws, "onlineEndpoints", f"endpoint-{e:03d}", endpoint)
            estate.items(path, "deployments", [dict(deployment, name="blue")])
        estate.items(ws, "schedules", [dict(schedule, name=f"schedule-{s:03d}") for s in range(schedules)])
    for n in range(resources - workspaces):
        estate.resource(group_ids[n % groups], "Microsoft.Compute/disks", f"disk-{n:05d}", disk)
    return estate


def bare_estate(sub: str = SUBSCRIPTION) -> Estate:
    """A hardened workspace and nothing else: no assets, endpoints, schedules or governance."""
    estate = Estate()
    estate.subscription(sub)
    rg = estate.group(sub, "rg-bare")
    estate.resource(rg, WS, "mlw-bare", example(f"{M}/2025-12-01/Workspace/get.json"))
    return estate
