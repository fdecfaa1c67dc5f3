"""HTTP calls to a model's scoring URI in CI scripts (curl, wget, Invoke-RestMethod...): a smoke test."""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.ci.commands.model import Add
from mlops_ladder.assessment.evidence.repo.ci.commands.words import parse_options
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind

K = ActionKind

_SCORING_TARGET = re.compile(
    r"scor(e|ing)[_-]?(uri|url)|endpoint[_-]?(uri|url)|\.inference\.ml\.azure\.com|/score\b", re.I
)
HTTP_CLIENTS = frozenset(
    {"curl", "wget", "http", "https", "invoke-restmethod", "invoke-webrequest", "irm", "iwr"}
)


def read_http_client(args: list[str], add: Add) -> None:
    """A call whose arguments name a scoring URI invokes the endpoint."""
    if any(_SCORING_TARGET.search(arg) for arg in args):
        add(K.INVOKE_ENDPOINT, options=parse_options(args))
