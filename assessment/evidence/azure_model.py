"""Evidence read from a live Azure subscription: the resources, in the same shape as IaC.

Only the data model lives here; the collector that fills it from the Azure SDKs is
separate, so checks stay pure functions and can be tested with resources built in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Note, Resource


@dataclass
class AzureEvidence:
    subscriptions: list[str]
    resources: list[Resource]
    notes: list[Note] = field(default_factory=list)
