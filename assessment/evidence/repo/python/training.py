"""Calls that show a module trains a model: it fits one (`model.fit`, `xgb.train`, `trainer.train`, a
PyTorch loop's `loss.backward()`), runs AutoML, or logs or saves the model it
made (`mlflow.sklearn.log_model`, `joblib.dump`, `torch.save`, `model.save_pretrained`).

An evaluation step loads a model and scores it; a data preparation step transforms data
(`fit_transform` is preprocessing); neither calls these. Registering a model is not training
either (registry.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from mlops_ladder.assessment.evidence.repo.python.model import Call

_FITS = frozenset({"fit", "fit_generator", "partial_fit", "train"})  # dotted only: `model.fit(...)`
_SAVES = frozenset({"log_model", "save_model", "save_pretrained"})
_DUMPS = frozenset(
    {"joblib.dump", "pickle.dump", "cloudpickle.dump", "dill.dump", "torch.save", "skops.io.dump"}
)
_AUTOML = (
    "AutoMLConfig", "AutoMLStep", "automl.classification", "automl.regression", "automl.forecasting",
    "automl.image_classification", "automl.text_classification",
)
LAST_NAMES = tuple(sorted(
    _FITS | _SAVES | {"dump", "save", "backward"} | {name.rpartition(".")[2] for name in _AUTOML}
))


def training_calls(calls: Iterable[Call]) -> list[Call]:
    """The calls among *calls* (one module's) that fit, run AutoML for, or save or log a model."""
    return [call for call in calls if _trains(call)]


def _trains(call: Call) -> bool:
    name = call.name
    last = name.rpartition(".")[2]
    if "." in name and last in _FITS:
        return True
    if name.endswith(".backward"):  # loss.backward(): back-propagation in a PyTorch training loop
        return True
    if last in _SAVES and "." in name:
        return True
    if name in _DUMPS or any(name.endswith("." + d) for d in _DUMPS):
        return True
    if last == "save" and "model" in name.rpartition(".")[0].lower():  # model.save("x.h5") (Keras)
        return True
    return any(call.endswith(a) for a in _AUTOML)
