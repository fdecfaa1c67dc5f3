"""The Azure ML detail of each workspace (computes, endpoints and their deployments, models and
their versions, data assets and versions, environments, components, schedules, recent jobs,
diagnostic settings), the subscriptions of Event Grid system topics, and the governance lists of
each scope (policy and role assignments, budgets) -- read through the management API in two
parallel rounds: the collections, then what lies under each of their items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.azure.catalog import COLLECTION_PARAMS, Collection
from mlops_ladder.assessment.evidence.azure.redact import redact
from mlops_ladder.assessment.evidence.azure.transport import Arm, CallFailed
from mlops_ladder.assessment.evidence.azure_model import Gap
from mlops_ladder.assessment.evidence.common import Location, Note, Resource


@dataclass
class Harvest:
    """What a round of collection reads gave: resources, gaps (calls that failed) and notes."""

    resources: list[Resource] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def extend(self, other: Harvest) -> None:
        self.resources += other.resources
        self.gaps += other.gaps
        self.notes += other.notes


def read_collections(arm: Arm, parents: list[tuple[str, str, tuple[Collection, ...]]]) -> Harvest:
    """Read each collection under each parent (id, label, collections), then each child collection
    under every item found, in parallel rounds."""
    harvest = Harvest()
    work = [(parent_id, label, c) for parent_id, label, collections in parents for c in collections]
    while work:
        outcomes = arm.run_all(_reader(arm, parent_id, label, c) for parent_id, label, c in work)
        work = []
        for outcome in outcomes:
            harvest.extend(outcome.harvest)
            work.extend(outcome.next_work)
    return harvest


@dataclass
class _Outcome:
    harvest: Harvest
    next_work: list[tuple[str, str, Collection]]


def _reader(arm: Arm, parent_id: str, label: str, collection: Collection) -> Callable[[], _Outcome]:
    def read() -> _Outcome:
        outcome = _Outcome(Harvest(), [])
        path = f"{parent_id}/{collection.segment}"
        max_pages = arm.settings.max_job_pages if collection.max_pages == -1 else collection.max_pages
        try:
            items, complete = arm.list(
                path, collection.api_version, COLLECTION_PARAMS.get(collection.type), max_pages=max_pages
            )
        except CallFailed as failure:
            types = (collection.type, *_descendant_types(collection))
            outcome.harvest.gaps.append(Gap(parent_id, types, failure.reason))
            outcome.harvest.notes.append(
                Note(path, f"{_plural(collection)} of {label} not read: {failure.reason}")
            )
            return outcome
        if not complete:
            outcome.harvest.notes.append(
                Note(path, f"only the first {len(items)} {_plural(collection)} of {label} were read")
            )
        for item in items:
            name = item.get("name")
            if not isinstance(name, str) or not name:
                continue
            item_id = f"{path}/{name}"
            body = redact(item)
            body["type"] = collection.type  # published payloads may carry a placeholder type
            outcome.harvest.resources.append(
                Resource(
                    type=collection.type,
                    name=name,
                    body=body,
                    location=Location(item_id),
                    api_version=collection.api_version,
                    source="azure",
                )
            )
            outcome.next_work.extend((item_id, f"{label}/{name}", child) for child in collection.children)
        return outcome

    return read


def _descendant_types(collection: Collection) -> list[str]:
    out = []
    for child in collection.children:
        out += [child.type, *_descendant_types(child)]
    return out


def _plural(collection: Collection) -> str:
    return collection.segment.rsplit("/", 1)[-1]
