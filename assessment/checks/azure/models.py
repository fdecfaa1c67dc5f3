"""Which model a live deployment serves, read from its `properties.model`: an online deployment
gives the asset id as a string, a batch deployment an asset reference (`{referenceType: Id,
assetId}`; `DataPath` / `OutputPath` references point at files, not at a registered model).

Asset ids: `/subscriptions/.../workspaces/W/models/NAME/versions/V`,
`azureml://registries/R/models/NAME/versions/V`, `azureml:NAME:V`. A model deployed from a local
folder is uploaded as an anonymous model: azure-ai-ml names it by the SHA-256 of its files (64 hex
digits) and marks its version `isAnonymous`; it bypasses the registry and its lineage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlops_ladder.assessment.checks.azure.common import prop
from mlops_ladder.assessment.evidence.common import Resource

_VERSIONED_ID = re.compile(r"/models/(?P<name>[^/]+)/versions/(?P<version>[^/]+)/?$", re.I)
_SHORT = re.compile(r"^azureml:(?P<name>[^:@/]+):(?P<version>[^:@/]+)$", re.I)
_HASH_NAME = re.compile(r"^[0-9a-f]{64}$", re.I)


@dataclass(frozen=True)
class ModelReference:
    text: str  # as Azure gives it ("" when the deployment has none)
    kind: str  # "version" | "anonymous" | "label" | "unversioned" | "files" | "none"
    name: str = ""
    version: str = ""

    @property
    def registered(self) -> bool:
        return self.kind == "version"

    def describe(self) -> str:
        return {
            "version": f"registered model {self.name} version {self.version}",
            "anonymous": f"an anonymous model uploaded from a local folder ({self.text})",
            "label": f"a model label, not a version ({self.text})",
            "unversioned": f"a model without a version ({self.text})",
            "files": f"model files, not a registered model ({self.text})",
            "none": "no model (the image or the pipeline component carries it)",
        }[self.kind]


def model_reference(deployment: Resource, anonymous_ids: frozenset[str] = frozenset()) -> ModelReference:
    """The model *deployment* serves. *anonymous_ids*: lower-case ids of model versions read with
    `isAnonymous` true."""
    value: Any = prop(deployment, "properties.model")
    if isinstance(value, dict):
        kind = str(value.get("referenceType") or "Id")
        if kind.lower() != "id":
            where = value.get("path") or value.get("jobId") or kind
            return ModelReference(str(where), "files")
        value = value.get("assetId")
    if not isinstance(value, str) or not value.strip():
        return ModelReference("", "none")
    text = value.strip()
    match = _VERSIONED_ID.search(text) or _SHORT.match(text)
    if match:
        name, version = match.group("name"), match.group("version")
        anonymous = _HASH_NAME.match(name) or text.lower() in anonymous_ids
        return ModelReference(text, "anonymous" if anonymous else "version", name, version)
    if "/labels/" in text.lower() or "@" in text:
        return ModelReference(text, "label")
    return ModelReference(text, "unversioned")
