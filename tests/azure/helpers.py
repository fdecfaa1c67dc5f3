"""Running a scan against the emulator from tests, with fast retries."""

from __future__ import annotations

from mlops_ladder.assessment.evidence.azure.cloud import resolve_cloud
from mlops_ladder.assessment.evidence.azure.collect import Scope, scan
from mlops_ladder.assessment.evidence.azure.transport import Settings
from mlops_ladder.assessment.evidence.azure_model import AzureEvidence
from tests.azure_emulator.estate import SUBSCRIPTION
from tests.azure_emulator.server import Emulator

FAST = Settings(retries=3, backoff=0.05, backoff_max=0.2, read_timeout=5.0, call_timeout=20.0)


def scan_emulator(emulator: Emulator, scope: Scope | None = None, settings: Settings = FAST) -> AzureEvidence:
    return scan(scope or Scope((SUBSCRIPTION,)), resolve_cloud(None, emulator.url), settings=settings)


def types_of(evidence: AzureEvidence) -> set[str]:
    return {r.type for r in evidence.resources}
