"""The scan: sign in, check the scope, list the resources in it (Resource Manager for one
subscription, Azure Resource Graph for several or a management group), read the properties that
matter, then the Azure ML detail of each workspace and the governance lists of each scope.

Read-only, parallel (Settings.concurrency calls at a time) and honest: a call that is denied or
still fails after its retries becomes a Gap (the criteria it could decide stay unknown, with the
reason) and the scan goes on. Only a scope that cannot be read at all is an error (exit code 6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.evidence.azure import graph
from mlops_ladder.assessment.evidence.azure.catalog import (
    DETAIL_API,
    SCOPE_COLLECTIONS,
    SYSTEM_TOPIC_COLLECTIONS,
    WORKSPACE,
    WORKSPACE_COLLECTIONS,
    canonical_type,
)
from mlops_ladder.assessment.evidence.azure.cloud import Cloud
from mlops_ladder.assessment.evidence.azure.redact import redact
from mlops_ladder.assessment.evidence.azure.transport import Arm, CallFailed, NoCredential, Settings
from mlops_ladder.assessment.evidence.azure.workspace import Harvest, read_collections
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence, Gap
from mlops_ladder.assessment.evidence.common import Location, Note, Resource
from mlops_ladder.errors import AzureAccessError, UsageError

SUBSCRIPTION_API = "2022-12-01"
SIGN_IN_HINT = (
    "sign in with `az login`, or set AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET "
    "or a federated token (CI), or run where a managed identity is assigned"
)
READER_HINT = "ask for the Reader role on it (see the README, 'Assessing a live Azure estate')"


@dataclass(frozen=True)
class Scope:
    subscriptions: tuple[str, ...] = ()
    management_group: str | None = None
    resource_group: str | None = None
    workspace: str | None = None

    def describe(self) -> str:
        if self.management_group:
            return f"management group {self.management_group}"
        where = ", ".join(f"subscription {s}" for s in self.subscriptions)
        if self.resource_group:
            where += f", resource group {self.resource_group}"
        if self.workspace:
            where += f", workspace {self.workspace}"
        return where

    def validate(self) -> None:
        if not self.subscriptions and not self.management_group:
            raise UsageError("no Azure scope given", hint="pass --subscription ID or --management-group ID")
        if self.management_group and self.subscriptions:
            raise UsageError("--management-group and --subscription were both given", hint="give one of them")
        if (self.resource_group or self.workspace) and len(self.subscriptions) != 1:
            raise UsageError(
                "--resource-group and --workspace need exactly one --subscription",
                hint="scan several subscriptions or a management group without them",
            )


def default_credential(cloud: Cloud) -> Any:
    """azure-identity's chain: environment (service principal, federated token in CI), workload and
    managed identity, Azure CLI / Azure Developer CLI / PowerShell sign-ins. Never a browser."""
    from azure.identity import DefaultAzureCredential

    options: dict[str, Any] = {"exclude_interactive_browser_credential": True}
    if cloud.authority:
        options["authority"] = cloud.authority
    return DefaultAzureCredential(**options)


def scan(
    scope: Scope,
    cloud: Cloud,
    *,
    credential: Any = None,
    settings: Settings | None = None,
    on_call: Callable[[], None] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> AzureEvidence:
    """Read the estate in *scope*. Raises AzureAccessError when nothing in it can be read."""
    scope.validate()
    arm = Arm(credential if credential is not None else default_credential(cloud), cloud, settings, on_call)
    try:
        return _Scan(arm, scope, on_phase or (lambda _phase: None)).run()
    except NoCredential as exc:
        raise AzureAccessError(
            f"no Azure credential to read {scope.describe()}: {_short(str(exc))}", hint=SIGN_IN_HINT
        ) from None
    finally:
        arm.close()


class _Scan:
    def __init__(self, arm: Arm, scope: Scope, phase: Callable[[str], None]) -> None:
        self.arm, self.scope, self.phase = arm, scope, phase
        self.harvest = Harvest()

    def run(self) -> AzureEvidence:
        self.phase("signing in")
        self.arm.sign_in()
        self.phase("subscriptions")
        subscriptions = self._subscriptions()
        self.phase("resources")
        if self.scope.management_group or len(self.scope.subscriptions) > 1:
            bodies = self._from_graph(subscriptions)
        else:
            bodies = self._from_resource_manager(subscriptions[0])
        top = [self._resource(body) for body in bodies if isinstance(body.get("id"), str)]
        top = self._only_the_workspace(top)
        self.harvest.resources += top
        self.phase("workspaces")
        self._detail(top, subscriptions)
        return AzureEvidence(
            subscriptions=subscriptions,
            resources=self.harvest.resources,
            notes=sorted(set(self.harvest.notes)),
            gaps=self.harvest.gaps,
        )

    # -- scope ----------------------------------------------------------------------------------
    def _subscriptions(self) -> list[str]:
        if self.scope.management_group:
            group = self.scope.management_group
            try:
                found = graph.subscriptions_in(self.arm, group)
            except CallFailed as failure:
                raise AzureAccessError(
                    f"management group {group}: {failure.reason}", hint=READER_HINT
                ) from None
            if not found:
                raise AzureAccessError(
                    f"management group {group}: no subscription in it can be read",
                    hint="check the id with `az account management-group list`, and " + READER_HINT,
                )
            return found
        wanted = list(dict.fromkeys(self.scope.subscriptions))
        outcomes = self.arm.run_all(
            lambda s=s: self._try(lambda: self.arm.get(f"/subscriptions/{s}", SUBSCRIPTION_API))
            for s in wanted
        )
        readable, failures = [], []
        for subscription, outcome in zip(wanted, outcomes, strict=True):
            if isinstance(outcome, CallFailed):
                failures.append((subscription, outcome))
                self._gap(f"/subscriptions/{subscription}", ("*",), outcome, f"subscription {subscription}")
            else:
                readable.append(subscription)
        if not readable:
            subscription, failure = failures[0]
            raise _scope_error(f"subscription {subscription}", failure, "`az account list -o table`")
        return readable

    def _from_resource_manager(self, subscription: str) -> list[dict]:
        client = self.arm.resource_client(subscription)
        group = self.scope.resource_group
        if group:
            outcome = self._try(lambda: self.arm.sdk_call(lambda: client.resource_groups.get(group)))
            if isinstance(outcome, CallFailed):
                raise _scope_error(
                    f"resource group {group} in subscription {subscription}",
                    outcome,
                    f"`az group list --subscription {subscription} -o table`",
                )
            groups = [group]
        else:
            outcome = self._try(
                lambda: self.arm.sdk_call(lambda: [g.name for g in client.resource_groups.list()])
            )
            if isinstance(outcome, CallFailed):
                raise _scope_error(
                    f"resource groups of subscription {subscription}", outcome, "`az account list -o table`"
                )
            groups = outcome
        listed = self.arm.run_all(
            lambda g=g: self._try(
                lambda: self.arm.sdk_call(
                    lambda: [_wire_body(r) for r in client.resources.list_by_resource_group(g)]
                )
            )
            for g in groups
        )
        envelopes: list[dict] = []
        for name, outcome in zip(groups, listed, strict=True):
            if isinstance(outcome, CallFailed):
                self._gap(
                    f"/subscriptions/{subscription}/resourceGroups/{name}",
                    ("*",),
                    outcome,
                    f"resource group {name}",
                )
            else:
                envelopes += outcome
        # The list gives envelopes (type, name, tags, identity); the properties that matter need a GET.
        return self.arm.run_all(lambda body=body: self._with_properties(body) for body in envelopes)

    def _with_properties(self, envelope: dict) -> dict:
        api = DETAIL_API.get(str(envelope.get("type", "")).lower())
        if api is None:
            return envelope
        outcome = self._try(lambda: self.arm.get(envelope["id"], api))
        if isinstance(outcome, CallFailed):
            self._gap(envelope["id"], (canonical_type(envelope["type"]),), outcome, envelope["id"])
            return envelope
        return outcome

    def _from_graph(self, subscriptions: list[str]) -> list[dict]:
        try:
            return graph.resources_in(self.arm, subscriptions, self.scope.management_group)
        except CallFailed as failure:
            raise _scope_error(
                f"Azure Resource Graph over {self.scope.describe()}",
                failure,
                "`az graph query -q 'resources | take 1'`",
            ) from None

    def _only_the_workspace(self, resources: list[Resource]) -> list[Resource]:
        name = self.scope.workspace
        if not name:
            return resources
        workspaces = [r for r in resources if r.type_lower == WORKSPACE.lower()]
        if not any(w.name.lower() == name.lower() for w in workspaces):
            found = ", ".join(sorted(w.name for w in workspaces)) or "none"
            raise AzureAccessError(
                f"workspace {name} not found in {self.scope.describe().rsplit(', workspace', 1)[0]}"
                f" (workspaces there: {found})",
                hint="check the name with `az ml workspace list -o table`",
            )
        return [r for r in resources if r.type_lower != WORKSPACE.lower() or r.name.lower() == name.lower()]

    # -- detail ---------------------------------------------------------------------------------
    def _detail(self, top: list[Resource], subscriptions: list[str]) -> None:
        parents = [
            (w.location.path, f"workspace {w.name}", WORKSPACE_COLLECTIONS)
            for w in top
            if w.type_lower == WORKSPACE.lower()
        ]
        parents += [
            (t.location.path, f"system topic {t.name}", SYSTEM_TOPIC_COLLECTIONS)
            for t in top
            if t.type_lower == "microsoft.eventgrid/systemtopics"
        ]
        for subscription in subscriptions:
            scope_id = f"/subscriptions/{subscription}"
            if self.scope.resource_group:
                scope_id += f"/resourceGroups/{self.scope.resource_group}"
            parents.append((scope_id, scope_id, SCOPE_COLLECTIONS))
        if self.scope.management_group:
            group_id = f"/providers/Microsoft.Management/managementGroups/{self.scope.management_group}"
            parents.append(
                (group_id, f"management group {self.scope.management_group}", SCOPE_COLLECTIONS[:1])
            )
        self.harvest.extend(read_collections(self.arm, parents))

    # -- helpers --------------------------------------------------------------------------------
    def _resource(self, body: dict) -> Resource:
        body = redact(body)
        resource_type = canonical_type(str(body.get("type", "")))
        body["type"] = resource_type
        resource_id = body["id"]
        name = body.get("name") or resource_id.rstrip("/").rsplit("/", 1)[-1]
        return Resource(
            type=resource_type,
            name=str(name),
            body=body,
            location=Location(resource_id),
            api_version=DETAIL_API.get(resource_type.lower()),
            source="azure",
        )

    @staticmethod
    def _try(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except CallFailed as failure:
            return failure

    def _gap(self, scope: str, types: tuple[str, ...], failure: CallFailed, label: str) -> None:
        self.harvest.gaps.append(Gap(scope, types, failure.reason))
        self.harvest.notes.append(Note(scope, f"{label} not read: {failure.reason}"))


def _wire_body(model: Any) -> dict:
    """An SDK model as its REST body (camelCase keys), whichever model base the SDK version has."""
    serialize = getattr(model, "serialize", None)  # msrest models (azure-mgmt-resource < 25)
    return serialize(keep_readonly=True) if serialize else model.as_dict()


def _scope_error(what: str, failure: CallFailed, listing: str) -> AzureAccessError:
    if failure.denied:
        return AzureAccessError(f"{what}: access denied ({failure.reason})", hint=READER_HINT)
    if failure.status == 404:
        return AzureAccessError(f"{what}: not found ({failure.reason})", hint=f"check the id with {listing}")
    return AzureAccessError(f"{what}: {failure.reason}", hint="retry later; Azure did not answer as expected")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:159] + "…"
