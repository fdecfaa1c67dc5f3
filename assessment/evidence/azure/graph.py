"""Many subscriptions or a management group: the resources in scope, with their properties, from
Azure Resource Graph (azure-mgmt-resourcegraph), the engine Azure provides for querying large
estates -- a few paged queries instead of one Resource Manager call per resource."""

from __future__ import annotations

from typing import Any

from mlops_ladder.assessment.evidence.azure.transport import Arm

PAGE = 1000  # the most Resource Graph returns per page
RESOURCES_QUERY = (
    "resources | project id, name, type, kind, location, tags, sku, identity, properties, managedBy, "
    "subscriptionId, resourceGroup | order by id asc"
)
SUBSCRIPTIONS_QUERY = (
    "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project subscriptionId, name"
)


def query(arm: Arm, text: str, *, subscriptions: list[str], management_group: str | None) -> list[dict]:
    """Every row of a Resource Graph query over the scope, following $skipToken. Raises CallFailed."""
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    client = arm.graph_client()
    rows: list[dict] = []
    token: str | None = None
    while True:
        request = QueryRequest(
            subscriptions=None if management_group else subscriptions,
            management_groups=[management_group] if management_group else None,
            query=text,
            options=QueryRequestOptions(top=PAGE, skip_token=token, result_format="objectArray"),
        )
        response: Any = arm.sdk_call(lambda request=request: client.resources(request))
        data = response.data if isinstance(response.data, list) else []
        rows.extend(row for row in data if isinstance(row, dict))
        token = response.skip_token
        if not token:
            return rows


def subscriptions_in(arm: Arm, management_group: str) -> list[str]:
    rows = query(arm, SUBSCRIPTIONS_QUERY, subscriptions=[], management_group=management_group)
    return sorted({str(r["subscriptionId"]) for r in rows if r.get("subscriptionId")})


def resources_in(arm: Arm, subscriptions: list[str], management_group: str | None) -> list[dict]:
    """ARM-shaped bodies of every resource in scope (properties included)."""
    rows = query(arm, RESOURCES_QUERY, subscriptions=subscriptions, management_group=management_group)
    return [{k: v for k, v in row.items() if k not in ("subscriptionId", "resourceGroup")} for row in rows]
