"""What the Python facts say about code a platform job runs: what it imports, whether it trains.

A job's code counts with the repository modules it imports (directly or through others, a few
levels deep): `train.py` that calls `train_model()` from `model.py` trains when `model.py` fits.
An import is matched to the module whose guessed dotted name ends with it, the nearest one
when several do (notebooks that `%cd` into their folder import siblings by bare name).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from mlops_ladder.assessment.evidence.repo.python.model import Call, PythonEvidence, PythonModule

MAX_DEPTH = 3
# Calls that fit a model: sklearn/keras `fit`, a PyTorch backward pass, and `x.train(...)` on an
# object (xgboost/lightgbm `train`, HF `Trainer.train`; a bare `train()` is a local function).
TRAINING_CALLS = frozenset({"fit", "partial_fit", "fit_generator", "backward"})
# Calls that keep the fitted model: an MLflow model (logged, registered, autologged), a framework save.
MODEL_OUTPUT_CALLS = frozenset(
    {
        "save_model",
        "log_model",
        "save_pretrained",
        "save_weights",
        "register_model",
        "create_model_version",
        "autolog",
    }
)
# Calls that score with a registered model: a job that makes them and trains nothing is batch scoring.
SCORING_CALLS = ("score_batch", "spark_udf", "pyfunc.load_model", "mlflow.models.load_model")
_SERIALISERS = ("joblib", "pickle", "cloudpickle", "dill", "skops")  # their dump() writes the model


def closure(python: PythonEvidence, paths: Iterable[str], depth: int = MAX_DEPTH) -> list[PythonModule]:
    """The modules at *paths* and the repository modules they import, *depth* levels deep."""
    paths = tuple(paths)
    # checks ask it for every script a CI step runs, many steps running the same ones: found once
    found = python.derived(f"closure {depth} {paths!r}", lambda _: _closure(python, paths, depth))
    return list(found)


def _closure(python: PythonEvidence, paths: tuple[str, ...], depth: int) -> list[PythonModule]:
    by_suffix = python.modules_by_name_suffix()
    found: dict[str, PythonModule] = {}
    frontier = [m for m in (python.module_at(p) for p in paths) if m is not None]
    for _ in range(depth + 1):
        following: list[PythonModule] = []
        for module in frontier:
            if module.path in found:
                continue
            found[module.path] = module
            for name in sorted(module.imports):
                candidates = [m for m in by_suffix.get(name, ()) if m.path != module.path and not m.is_test]
                following.extend(_nearest(module.path, candidates))
        frontier = following
    return list(found.values())


def _nearest(path: str, modules: list[PythonModule]) -> list[PythonModule]:
    if len(modules) < 2:
        return modules

    def shared(other: str) -> int:
        count = 0
        for mine, theirs in zip(
            posixpath.dirname(path).split("/"), posixpath.dirname(other).split("/"), strict=False
        ):
            if mine != theirs:
                break
            count += 1
        return count

    best = max(shared(m.path) for m in modules)
    return [m for m in modules if shared(m.path) == best]


def last_name(call: Call) -> str:
    return call.name.rpartition(".")[2]


def trains(call: Call) -> bool:
    last = last_name(call)
    return last in TRAINING_CALLS or (last == "train" and "." in call.name)


def keeps_model(call: Call) -> bool:
    last = last_name(call)
    if last in MODEL_OUTPUT_CALLS:
        return True
    if last == "dump":
        return call.name.split(".", 1)[0] in _SERIALISERS
    return last == "save" and "." in call.name  # torch.save(model), model.save(path)


def training_calls(modules: Iterable[PythonModule]) -> list[tuple[PythonModule, Call]]:
    return [(m, c) for m in modules for c in m.calls if trains(c)]


def model_outputs(modules: Iterable[PythonModule]) -> list[tuple[PythonModule, Call]]:
    return [(m, c) for m in modules for c in m.calls if keeps_model(c)]


def calls_ending(modules: Iterable[PythonModule], *suffixes: str) -> list[tuple[PythonModule, Call]]:
    return [(m, c) for m in modules for c in m.calls_ending(*suffixes)]
