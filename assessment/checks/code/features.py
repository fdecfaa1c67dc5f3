"""Checks that training and scoring share their feature code (one project module both use)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlops_ladder.assessment.checks.base import CheckResult, Outcome, failed, not_applicable, passed, refs
from mlops_ladder.assessment.checks.code.deployment import no_scoring_script, scoring_scripts
from mlops_ladder.assessment.checks.code.modules import code_modules, module_index, shared_folders
from mlops_ladder.assessment.checks.code.training import mlflow_logging_calls
from mlops_ladder.assessment.checks.text import name_list
from mlops_ladder.assessment.evidence.repo.python.model import PythonModule

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence

TRAINING_CALLS = frozenset({"fit", "train", "partial_fit"})


def _is_training_module(module: PythonModule) -> bool:
    if "train" in posixpath.basename(module.path):
        return True
    return any(c.name.rpartition(".")[2] in TRAINING_CALLS for c in module.calls) or bool(
        mlflow_logging_calls(module)
    )


def shares_feature_code(repo: RepoEvidence) -> CheckResult:
    scorers = scoring_scripts(repo)
    if not scorers:
        result = no_scoring_script(repo)
        if result.outcome == Outcome.NOT_APPLICABLE:
            return not_applicable(
                "deployments serve MLflow models without a scoring script: the model itself carries its "
                "transformations",
                result.evidence,
            )
        return failed(f"no scoring script to share feature code with: {result.found}", result.evidence)
    scorer_paths = {s.path for s in scorers}
    trainers = [m for m in code_modules(repo) if m.path not in scorer_paths and _is_training_module(m)]
    if not trainers:
        return failed(
            f"no training module (one that calls fit/train, logs to MLflow or is named *train*) to compare "
            f"with the scoring script {scorers[0].path}"
        )
    index = module_index(repo)
    for scorer in scorers:
        serving = index.closure(scorer)
        if not serving:
            continue
        for trainer in _nearest_first(scorer.path, trainers):
            shared = set(serving) & set(index.closure(trainer)) - {scorer.path, trainer.path}
            if shared:
                module = serving[sorted(shared)[0]]
                return passed(
                    f"{module.path} is used by the training code ({trainer.path}) and the scoring script "
                    f"({scorer.path})",
                    refs([(module.path, "shared"), (trainer.path, "training"), (scorer.path, "scoring")]),
                )
    scorer = scorers[0]
    return failed(
        f"the scoring script {scorer.path} imports no project module that the training code "
        f"({name_list(t.path for t in trainers)}) also uses",
        refs([(s.path, "scoring script") for s in scorers] + [(t.path, "training") for t in trainers]),
    )


def _nearest_first(path: str, modules: list[PythonModule]) -> Iterator[PythonModule]:
    yield from sorted(modules, key=lambda m: -shared_folders(path, m.path))


CHECKS = (
    shares_feature_code,
)
