"""Calls that matter to an evaluation gate: exits, cancelled runs, file writes, "is it better" helpers,
results collected in a list, MLflow validation against thresholds; and the cheap test that says
whether a module that neither reads the registry nor registers may still hold a threshold gate."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mlops_ladder.assessment.evidence.repo.python.model import Call

EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "builtins.exit"})
# Cancelling the pipeline run stops the steps after evaluation (SDK v1 `run.parent.cancel()`, v2 jobs).
CANCEL_CALLS = ("parent.cancel", "jobs.begin_cancel")
FILLS = frozenset({"append", "add", "extend", "update", "insert"})  # failures.append(...) records a result
FILE_WRITES = ("write", "write_text", "writelines", "dump")
BETTER_CALL = re.compile(r"better|improv|outperform|beats?\b|exceed|champion", re.IGNORECASE)
# MLflow raises ModelValidationFailedException when the model misses these thresholds.
VALIDATIONS = ("validate_evaluation_results",)
_FILE_WRITE_LAST = frozenset(FILE_WRITES)


def cancels_run(call: Call) -> bool:
    """`run.parent.cancel()`, `pipeline_run.cancel()`, `ml_client.jobs.begin_cancel(...)`."""
    if any(call.endswith(c) for c in CANCEL_CALLS):
        return True
    receiver, _, last = call.name.rpartition(".")
    return last == "cancel" and "run" in receiver.rpartition(".")[2].lower()


def validates(call: Call) -> bool:
    """`mlflow.evaluate(..., validation_thresholds=...)` or `mlflow.validate_evaluation_results(...)`."""
    if not call.name.startswith("mlflow."):
        return False
    if call.endswith("evaluate"):
        return "validation_thresholds" in call.keywords
    return any(call.endswith(v) for v in VALIDATIONS)


def may_gate_by_threshold(calls: Iterable[Call], orders_values: bool) -> bool:
    """A module that validates with MLflow thresholds, or that orders values (`auc >= min_auc`) and
    writes a file (a flag another step may read), is worth a gate analysis."""
    calls = list(calls)
    if any(validates(c) for c in calls):
        return True
    return orders_values and any(c.name.rpartition(".")[2] in _FILE_WRITE_LAST for c in calls)
