"""Evidence read from a live Azure estate: the resources, in the same shape as IaC, and what
could not be read.

Only the data model lives here; the collector that fills it from the Azure SDKs is
`assessment/evidence/azure/`, so checks stay pure functions and can be tested with resources
built in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Note, Resource


@dataclass(frozen=True)
class Gap:
    """Something the scan could not see: a scope (subscription, resource group, workspace or
    resource id), the resource types it would have held ("*": any type) and why not.

    A check that would fail for want of a resource of a type a gap covers answers *unknown*
    instead: the resource may well be there, behind the denied call."""

    scope: str
    types: tuple[str, ...]
    reason: str

    def covers(self, resource_type: str) -> bool:
        wanted = resource_type.lower()
        return any(t == "*" or t.lower() == wanted for t in self.types)


@dataclass
class AzureEvidence:
    subscriptions: list[str]
    resources: list[Resource]
    notes: list[Note] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    origin: str = "azure"  # where it came from: "azure" (a live scan) or a snapshot file's path

    def gaps_for(self, resource_type: str) -> list[Gap]:
        """The gaps that may hide resources of *resource_type*."""
        return [g for g in self.gaps if g.covers(resource_type)]

    def gap_at(self, resource: Resource) -> Gap | None:
        """The gap that left *resource* itself half-read (its detail call failed), if any."""
        where = resource.location.path.lower()
        return next((g for g in self.gaps if g.scope.lower() == where and g.covers(resource.type)), None)
