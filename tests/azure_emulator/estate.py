"""Estates the emulator serves, built from Microsoft's published example payloads (ids, names and a
few settings rewritten so that one estate hangs together): `Estate` holds subscriptions, resource
groups, resources (full bodies) and the collections under them."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from functools import cache
from typing import Any

from tests.shared_data import SHARED

EXAMPLES = SHARED / "azure-api-examples"
ML = "Microsoft.MachineLearningServices"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"


@cache
def _example(relative: str) -> dict:
    return json.loads((EXAMPLES / relative).read_text(encoding="utf-8"))["responses"]["200"]["body"]


def example(relative: str) -> Any:
    """A fresh copy of the 200 reply of a published example."""
    return copy.deepcopy(_example(relative))


def example_item(relative: str, index: int = 0) -> dict:
    return example(relative)["value"][index]


def set_path(body: dict, path: str, value: Any) -> dict:
    node = body
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if value is _DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return body


_DELETE = object()
DELETE = _DELETE


class Estate:
    def __init__(self) -> None:
        self.subscriptions: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}  # "/subscriptions/s/resourcegroups/rg" (lower) -> body
        self.resources: dict[str, dict] = {}  # lower id -> body
        self.collections: dict[str, list[dict]] = defaultdict(list)  # lower path -> items
        self.management_groups: dict[str, list[str]] = {}

    # -- building -----------------------------------------------------------------------------
    def subscription(self, sub: str, name: str = "Example subscription") -> str:
        body = example_item("subscriptions/2022-12-01/GetSubscriptions.json")
        body.update(id=f"/subscriptions/{sub}", subscriptionId=sub, displayName=name)
        self.subscriptions[sub.lower()] = body
        return f"/subscriptions/{sub}"

    def group(self, sub: str, name: str, location: str = "westeurope") -> str:
        body = example("resources/2025-04-01/ResourceGroups_Get.json")
        group_id = f"/subscriptions/{sub}/resourceGroups/{name}"
        body.update(id=group_id, name=name, location=location)
        self.groups[group_id.lower()] = body
        return group_id

    def resource(self, group_id: str, resource_type: str, name: str, body: dict, **settings: Any) -> str:
        resource_id = f"{group_id}/providers/{resource_type}/{name}"
        body = copy.deepcopy(body)
        body.update(id=resource_id, name=name, type=resource_type)
        for path, value in settings.items():
            set_path(body, path.replace("__", "."), value)
        self.resources[resource_id.lower()] = body
        return resource_id

    def items(self, parent_id: str, segment: str, items: list[dict]) -> str:
        path = f"{parent_id}/{segment}"
        for item in items:
            item = copy.deepcopy(item)
            item["id"] = f"{path}/{item['name']}"
            self.collections[path.lower()].append(item)
        return path

    def item(self, parent_id: str, segment: str, name: str, body: dict, **settings: Any) -> str:
        body = copy.deepcopy(body)
        body["name"] = name
        for path, value in settings.items():
            set_path(body, path.replace("__", "."), value)
        self.items(parent_id, segment, [body])
        return f"{parent_id}/{segment}/{name}"

    # -- reading ------------------------------------------------------------------------------
    def subscription_of(self, some_id: str) -> str:
        return some_id.split("/")[2].lower()

    def resources_in(self, scope: str) -> list[dict]:
        prefix = scope.lower().rstrip("/") + "/"
        return [r for key, r in self.resources.items() if key.startswith(prefix)]
