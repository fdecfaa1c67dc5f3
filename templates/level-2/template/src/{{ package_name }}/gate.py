"""The evaluation gate: a new model goes to the registry only when it beats the production model.

The current model (the champion) is the version production serves: the release workflow tags the
version it released to the last environment with `production_release` (the time of the release) in
this registry, and the champion is the version with the latest such tag. Before any production
release it is the latest registered version. The champion is scored on the same test data as the
new model (evaluate_job.py passes a scorer), so both numbers come from one test set; without a
scorer, its score is the primary metric stored on it as a tag at registration (see register.py), or
else the metric of the run that produced it. The new model must beat a bar:

    bar = floor                                   when no version is registered yet
    bar = max(floor, champion score + min_improvement)   otherwise
    approved  <=>  new score > bar                (an equal score is rejected)

The gate writes its verdict to decision.json; the register step registers only on approval.
It fails closed: when the registry cannot be read, or the champion has no readable score, it
raises, the evaluate step fails and the pipeline stops before the register step.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from .evaluate import PRIMARY_METRIC

DECISION_FILE_NAME = "decision.json"
DEFAULT_MIN_IMPROVEMENT = 0.0
DEFAULT_FLOOR = 0.7  # no model below this roc_auc is ever registered, not even the first one
PRODUCTION_TAG = "production_release"  # set by the release workflow on the version production serves
Scorer = Callable[[ModelVersion], float]  # scores a registered version on the new model's test data


class RegistryUnavailableError(RuntimeError):
    """The current model's score could not be read: the gate refuses to decide."""


class GateDecisionError(ValueError):
    """A decision file is missing, malformed or ambiguous: nothing may be registered from it."""


@dataclass(frozen=True)
class Champion:
    """The registered version a new model must beat."""

    version: str
    score: float
    basis: str = "tag"  # "test data": scored on the new model's test data; "tag": its recorded score


@dataclass(frozen=True)
class GatePolicy:
    metric: str = PRIMARY_METRIC  # higher is better
    min_improvement: float = DEFAULT_MIN_IMPROVEMENT
    floor: float = DEFAULT_FLOOR

    def __post_init__(self) -> None:
        if not (math.isfinite(self.min_improvement) and self.min_improvement >= 0):
            raise ValueError(f"min_improvement must be a number >= 0, got {self.min_improvement}")
        if not math.isfinite(self.floor):
            raise ValueError(f"floor must be a number, got {self.floor}")

    def bar(self, champion: Champion | None) -> float:
        """The score a new model must exceed."""
        if champion is None:
            return self.floor
        return max(self.floor, champion.score + self.min_improvement)


def current_champion(
    client: MlflowClient, model_name: str, metric: str = PRIMARY_METRIC, scorer: Scorer | None = None
) -> Champion | None:
    """The version production serves (else the latest), scored by *scorer* when given; None when no
    version is registered."""
    try:
        versions = client.search_model_versions(f"name='{model_name}'")
    except Exception as error:  # network, authentication...: never take "unknown" for "no model"
        if isinstance(error, MlflowException) and error.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise RegistryUnavailableError(f"cannot read the versions of {model_name!r}: {error}") from error
    if not versions:
        return None
    in_production = [v for v in versions if (v.tags or {}).get(PRODUCTION_TAG)]
    if in_production:
        champion = max(in_production, key=lambda v: (v.tags[PRODUCTION_TAG], int(v.version)))
    else:
        champion = max(versions, key=lambda version: int(version.version))
    if scorer is None:
        return Champion(version=str(champion.version), score=_score_of(client, champion, metric))
    try:
        score = float(scorer(champion))
    except Exception as error:  # a champion that cannot be scored is no reason to replace it
        raise RegistryUnavailableError(
            f"cannot score {model_name} version {champion.version} on the new test data: {error}"
        ) from error
    if not math.isfinite(score):
        raise RegistryUnavailableError(f"{model_name} version {champion.version} scores {score}")
    return Champion(version=str(champion.version), score=score, basis="test data")


def _score_of(client: MlflowClient, version: ModelVersion, metric: str) -> float:
    """The version's score: its `<metric>` tag, else the metric of its source run."""
    label = f"{version.name} version {version.version}"
    raw = (version.tags or {}).get(metric)
    if raw is None and version.run_id:
        try:
            raw = client.get_run(version.run_id).data.metrics.get(metric)
        except Exception as error:
            raise RegistryUnavailableError(f"cannot read the run of {label}: {error}") from error
    if raw is None:
        raise RegistryUnavailableError(
            f"{label} has no {metric!r} tag and its run has no {metric!r} metric, so a new model "
            f"cannot be compared with it; tag it (az ml model update --set tags.{metric}=<score>)"
        )
    try:
        score = float(raw)
    except (TypeError, ValueError) as error:
        raise RegistryUnavailableError(f"{label}: {metric} is not a number: {raw!r}") from error
    if not math.isfinite(score):
        raise RegistryUnavailableError(f"{label}: {metric} is {score}")
    return score


def decision_path(output: str | Path) -> Path:
    """decision.json inside an output folder, or the given .json file."""
    output = Path(output)
    return output if output.suffix == ".json" else output / DECISION_FILE_NAME


def run_gate(
    client: MlflowClient, model_name: str, new_score: float, policy: GatePolicy, output: str | Path,
    scorer: Scorer | None = None,
) -> bool:
    """Compare the new model with the champion, write decision.json and return the verdict."""
    champion = current_champion(client, model_name, policy.metric, scorer)
    bar = policy.bar(champion)
    against = "the floor" if champion is None else f"version {champion.version} ({champion.score:.4f})"
    if new_score > bar:
        approved = True
        reason = f"{policy.metric} {new_score:.4f} beats the bar {bar:.4f} set by {against}"
    else:  # also when new_score is NaN
        approved = False
        reason = f"{policy.metric} {new_score:.4f} does not beat the bar {bar:.4f} set by {against}"
    target = decision_path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(
            {
                "approved": approved,
                "reason": reason,
                "model_name": model_name,
                "metric": policy.metric,
                "new_score": new_score,
                "bar": bar,
                "champion_version": champion.version if champion else None,
                "champion_score": champion.score if champion else None,
                "champion_scored_on": champion.basis if champion else None,
                "min_improvement": policy.min_improvement,
                "floor": policy.floor,
            },
            indent=2,
        )
        + "\n"
    )
    return approved


def read_decision(output: str | Path) -> dict[str, Any]:
    """The decision written by run_gate; a missing or unreadable file is an error, never a default."""
    target = decision_path(output)
    try:
        decision = json.loads(target.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise GateDecisionError(f"no readable gate decision at {target}: {error}") from error
    if not isinstance(decision, dict):
        raise GateDecisionError(f"{target}: the decision is not a JSON object")
    return decision


def is_approved(decision: Mapping[str, Any], model_name: str) -> bool:
    """The gate's verdict for *model_name*; anything but a JSON true or false, or a decision about
    another model, is an error (fail closed)."""
    if decision.get("model_name") != model_name:
        raise GateDecisionError(f"the decision is about {decision.get('model_name')!r}, not {model_name!r}")
    verdict = decision.get("approved")
    if not isinstance(verdict, bool):
        raise GateDecisionError(f"the decision's `approved` must be true or false, got {verdict!r}")
    return verdict
