"""Checks of checks/code/ on evidence built by hand (no collector runs here)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mlops_ladder.assessment.checks.base import Outcome
from mlops_ladder.assessment.checks.code.codebase import (
    has_ml_code_in_modules,
    has_unit_tests_for_project_code,
    is_git_repository,
)
from mlops_ladder.assessment.checks.code.deployment import (
    has_evaluation_gate,
    has_load_tests,
    has_model_card,
    scoring_script_is_tested,
)
from mlops_ladder.assessment.checks.code.features import shares_feature_code
from mlops_ladder.assessment.checks.code.project import (
    has_codeowners,
    has_dependency_update_bot,
    has_lint_config,
    has_no_committed_secrets,
    has_no_large_binaries,
    has_pinned_environment,
    has_pre_commit_hooks,
)
from mlops_ladder.assessment.checks.code.responsible_ai import runs_responsible_ai_analysis
from mlops_ladder.assessment.checks.code.training import (
    registers_models,
    sets_random_seeds,
    tracks_experiments,
    validates_data,
)
from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.azureml.model import AmlAsset, AmlKind, AzureMLEvidence
from mlops_ladder.assessment.evidence.repo.ci.model import ActionKind, CiAction, CiEvidence
from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
from mlops_ladder.assessment.evidence.repo.files import GitInfo, RepoFile, RepoFiles
from mlops_ladder.assessment.evidence.repo.project.model import (
    CodeOwners,
    Dependency,
    DependencyBot,
    DependencyFile,
    LoadTest,
    LockFile,
    ModelCard,
    PreCommitConfig,
    PreCommitHook,
    ProjectEvidence,
    SecretFinding,
    ToolConfig,
)
from mlops_ladder.assessment.evidence.repo.python.model import (
    Call,
    EvaluationGate,
    Notebook,
    PythonEvidence,
    PythonModule,
)
from mlops_ladder.assessment.evidence.repo.python.parse import is_test_path, module_name

MIB = 1024 * 1024


def module(
    path: str,
    imports: tuple[str, ...] = (),
    functions: tuple[str, ...] = (),
    calls: tuple[Call, ...] = (),
    **fields,
) -> PythonModule:
    return PythonModule(
        path=path, module=module_name(path), is_test=is_test_path(path), imports=frozenset(imports),
        functions=frozenset(functions), calls=calls, **fields,
    )


def repo(
    modules: tuple[PythonModule, ...] = (),
    notebooks: tuple[Notebook, ...] = (),
    project: ProjectEvidence | None = None,
    git: GitInfo | None = None,
    actions: tuple[CiAction, ...] = (),
    assets: tuple[AmlAsset, ...] = (),
) -> RepoEvidence:
    git = git or GitInfo(is_repo=True, commit_count=3, head="0123456789abcdef")
    return RepoEvidence(
        root=Path("."),
        files=RepoFiles(root=Path("."), files=[], git=git),
        ci=CiEvidence(actions=list(actions)),
        iac=SimpleNamespace(resources=[]),
        azureml=AzureMLEvidence(assets=list(assets)),
        python=PythonEvidence(modules=list(modules), notebooks=list(notebooks)),
        project=project or ProjectEvidence(),
    )


def deployment(path: str, data: dict, kind: AmlKind = AmlKind.ONLINE_DEPLOYMENT) -> AmlAsset:
    return AmlAsset(kind=kind, path=path, line=1, name="blue", data=data)


def register_action() -> CiAction:
    return CiAction(
        kind=ActionKind.REGISTER_MODEL, location=Location(".github/workflows/train.yml", 30),
        pipeline=".github/workflows/train.yml", job="train", step="register",
        command="az ml model create --file model.yml",
    )


# -- level 1 ---------------------------------------------------------------------------------


def test_is_git_repository() -> None:
    assert is_git_repository(repo(git=GitInfo(is_repo=False))).outcome == Outcome.FAIL
    empty = is_git_repository(repo(git=GitInfo(is_repo=True, commit_count=0)))
    assert empty.outcome == Outcome.FAIL and "0 commits" in empty.found
    result = is_git_repository(repo(), min_commits=2)
    assert result.outcome == Outcome.PASS and "3 commits" in result.found


def test_ml_code_in_modules_passes_on_ml_imports_or_shared_functions() -> None:
    ml = module("src/taxi/train.py", imports=("sklearn.ensemble",), functions=("main",))
    assert has_ml_code_in_modules(repo((ml,))).outcome == Outcome.PASS
    helpers = module("src/taxi/clean.py", imports=("re",), functions=("clean",))
    user = module("src/taxi/job.py", imports=("taxi.clean",))
    assert has_ml_code_in_modules(repo((helpers, user))).outcome == Outcome.PASS


def test_ml_code_only_in_notebooks_fails_and_says_so() -> None:
    setup = module("setup.py", imports=("setuptools",))
    notebooks = (Notebook("notebooks/train.ipynb", code_cells=12, imports=frozenset({"pandas", "sklearn"})),)
    result = has_ml_code_in_modules(repo((setup,), notebooks))
    assert result.outcome == Outcome.FAIL
    assert "only in notebooks: 1 notebook" in result.found
    assert has_ml_code_in_modules(repo()).found == "no Python modules or notebooks found"


def _requirements(path: str, *specs: tuple[str, bool], kind: str = "requirements") -> DependencyFile:
    dependencies = [Dependency(n, n, p, Location(path, i + 1)) for i, (n, p) in enumerate(specs)]
    return DependencyFile(path, kind, dependencies)


def test_pinned_environment() -> None:
    locked = ProjectEvidence(lock_files=[LockFile("uv.lock", "uv.lock")])
    assert has_pinned_environment(repo(project=locked)).outcome == Outcome.PASS
    pinned = ProjectEvidence(dependency_files=[
        _requirements("pyproject.toml", ("pandas", False), kind="pyproject"),
        _requirements("requirements.txt", ("pandas", True), ("mlflow", True)),
    ])
    result = has_pinned_environment(repo(project=pinned))
    assert result.outcome == Outcome.PASS
    assert "pyproject.toml declare ranges" in result.found
    loose = ProjectEvidence(dependency_files=[
        _requirements("requirements.txt", ("pandas", True), ("mlflow", False)),
        _requirements("environment/conda.yml", ("python", True), ("scikit-learn", False), kind="conda"),
    ])
    result = has_pinned_environment(repo(project=loose))
    assert result.outcome == Outcome.FAIL
    assert result.found.startswith("2 of 4 dependencies")
    assert "mlflow, scikit-learn" in result.found
    assert [e.location for e in result.evidence] == ["requirements.txt:2", "environment/conda.yml:2"]
    assert has_pinned_environment(repo()).outcome == Outcome.FAIL


def test_unit_tests_must_import_or_load_project_code() -> None:
    features = module("src/taxi/features.py", imports=("pandas",), functions=("build",))
    score = module("src/score.py", imports=("sklearn", "sklearn.pipeline"), functions=("init", "run"))
    io_module = module("src/taxi/io.py", functions=("read",))  # ML code: a helper of the taxi package
    by_import = module("tests/test_features.py", imports=("features", "features.build", "pytest"))
    by_path = module("tests/test_score.py", file_refs=frozenset({"../src/score.py"}))
    stdlib_only = module("tests/test_io.py", imports=("io", "pytest"))

    result = has_unit_tests_for_project_code(repo((features, score, io_module, by_import)))
    assert result.outcome == Outcome.PASS and "tests/test_features.py imports taxi.features" in result.found
    assert has_unit_tests_for_project_code(repo((score, by_path))).outcome == Outcome.PASS
    failing = has_unit_tests_for_project_code(repo((io_module, stdlib_only)))
    assert failing.outcome == Outcome.FAIL and "none imports or loads" in failing.found
    assert has_unit_tests_for_project_code(repo((features,))).outcome == Outcome.FAIL


def test_unit_tests_of_code_that_is_not_ml_code_do_not_count() -> None:
    features = module("src/taxi/features.py", imports=("pandas",), functions=("build",))
    release = module("scripts/model_release.py", imports=("json", "subprocess"), functions=("resolve",))
    of_release = module("tests/test_release.py", imports=("model_release", "pytest"))
    result = has_unit_tests_for_project_code(repo((features, release, of_release)))
    assert result.outcome == Outcome.FAIL
    assert "none exercises the ML code" in result.found
    assert "tests/test_release.py imports scripts.model_release" in result.found
    trainer = module("scripts/train.py", imports=("sklearn",), functions=("main",))  # a script beside it
    assert has_unit_tests_for_project_code(repo((trainer, release, of_release))).outcome == Outcome.FAIL
    helper = module("src/taxi/paths.py", functions=("model_file",))  # no ML import, but in the ML package
    of_helper = module("tests/test_paths.py", imports=("taxi.paths",))
    assert has_unit_tests_for_project_code(repo((features, helper, of_helper))).outcome == Outcome.PASS


def test_lint_pre_commit_bots_and_codeowners() -> None:
    hooks = [PreCommitHook("ruff", "ruff-pre-commit", Location(".pre-commit-config.yaml", 5))]
    good = ProjectEvidence(
        lint_configs=[ToolConfig("ruff", Location("pyproject.toml", 30), "pyproject.toml [tool.ruff]")],
        pre_commit=PreCommitConfig(".pre-commit-config.yaml", hooks),
        dependency_bots=[DependencyBot("dependabot", ".github/dependabot.yml", ("pip",))],
        codeowners=[CodeOwners(".github/CODEOWNERS", 2)],
    )
    bad = ProjectEvidence(
        pre_commit=PreCommitConfig(".pre-commit-config.yaml", error="malformed YAML: line 3, column 1: x"),
        dependency_bots=[DependencyBot("renovate", "renovate.json", error="malformed JSON: line 1")],
        codeowners=[CodeOwners("CODEOWNERS", 0)],
    )
    for check in (
        has_lint_config, has_pre_commit_hooks, has_dependency_update_bot, has_codeowners,
    ):
        assert check(repo(project=good)).outcome == Outcome.PASS, check.__name__
        assert check(repo(project=bad)).outcome == Outcome.FAIL, check.__name__
    assert "assigns no owners" in has_codeowners(repo(project=bad)).found
    empty_hooks = ProjectEvidence(pre_commit=PreCommitConfig(".pre-commit-config.yaml"))
    assert has_pre_commit_hooks(repo(project=empty_hooks)).found.endswith("defines no hooks")


def test_secrets_fail_with_redacted_evidence() -> None:
    finding = SecretFinding(Location("config/app.json", 4), "Azure storage account key", "Zm9y…(88 chars)")
    project = ProjectEvidence(secrets=[finding], files_scanned_for_secrets=9)
    result = has_no_committed_secrets(repo(project=project))
    assert result.outcome == Outcome.FAIL
    assert result.evidence[0].location == "config/app.json:4"
    assert result.evidence[0].detail == "Azure storage account key: Zm9y…(88 chars)"
    clean = has_no_committed_secrets(repo(project=ProjectEvidence(files_scanned_for_secrets=9)))
    assert clean.outcome == Outcome.PASS and "9 scanned files" in clean.found


def test_large_binaries_against_the_limit() -> None:
    files = [RepoFile("models/model.pkl", 40 * MIB, True), RepoFile("data/small.csv", MIB, True)]
    project = ProjectEvidence(model_data_files=files)
    result = has_no_large_binaries(repo(project=project), max_mb=10)
    assert result.outcome == Outcome.FAIL and "models/model.pkl (40 MiB)" in result.found
    assert has_no_large_binaries(repo(project=project), max_mb=50).outcome == Outcome.PASS
    plain = has_no_large_binaries(repo(project=project, git=GitInfo(is_repo=False)), max_mb=10)
    assert plain.outcome == Outcome.UNKNOWN


# -- level 2 ---------------------------------------------------------------------------------


def test_tracks_experiments() -> None:
    logging = module("src/train.py", imports=("mlflow",), calls=(Call("mlflow.sklearn.autolog", 3),))
    client = module("src/eval.py", imports=("mlflow.tracking",), calls=(Call("client.log_metric", 9),))
    assert tracks_experiments(repo((logging,))).outcome == Outcome.PASS
    assert tracks_experiments(repo((client,))).outcome == Outcome.PASS
    silent = module("src/train.py", imports=("mlflow",), calls=(Call("mlflow.start_run", 3),))
    result = tracks_experiments(repo((silent,)))
    assert result.outcome == Outcome.FAIL and "imports mlflow but none logs" in result.found


def test_registers_models_from_code_or_ci() -> None:
    registering = module("src/register.py", calls=(
        Call("mlflow.sklearn.log_model", 7, keywords=frozenset({"registered_model_name"})),
    ))
    assert registers_models(repo((registering,))).outcome == Outcome.PASS
    assert registers_models(repo(actions=(register_action(),))).outcome == Outcome.PASS
    calls = (Call("register_model", 12), Call("mlflow.sklearn.log_model", 3))
    local_helper = module("src/pipeline.py", calls=calls)
    assert registers_models(repo((local_helper,))).outcome == Outcome.FAIL


def test_seeds_and_data_validation() -> None:
    seeded = module("src/train.py", seeds=(Location("src/train.py", 14),))
    assert sets_random_seeds(repo((seeded,))).found.endswith("src/train.py:14")
    assert sets_random_seeds(repo((module("src/train.py"),))).outcome == Outcome.FAIL
    validating = module("src/prep.py", imports=("pandera", "pandera.DataFrameSchema"))
    assert validates_data(repo((validating,))).outcome == Outcome.PASS
    only_tests = module("tests/test_schema.py", imports=("great_expectations",))
    result = validates_data(repo((module("src/prep.py"), only_tests)))
    assert result.outcome == Outcome.FAIL and "only tests use one" in result.found


# -- level 3 ---------------------------------------------------------------------------------


def test_evaluation_gate_outcomes() -> None:
    gate = EvaluationGate(Location("src/evaluate.py", 40), "stops (raise/exit) when the candidate is worse")
    assert has_evaluation_gate(repo((module("src/evaluate.py", gates=(gate,)),))).outcome == Outcome.PASS

    bypass = EvaluationGate(Location("src/evaluate.py", 40), "src/register.py:9 overwrites deploy_flag")
    register = module("src/register.py", calls=(Call("mlflow.register_model", 12),))
    result = has_evaluation_gate(repo((module("src/evaluate.py", gate_candidates=(bypass,)), register)))
    assert result.outcome == Outcome.FAIL
    assert result.found.startswith("no working evaluation gate: src/evaluate.py:40")

    always = has_evaluation_gate(repo((register,)))
    assert always.outcome == Outcome.FAIL and "registers every model" in always.found

    unread = EvaluationGate(Location("src/evaluate.py", 40), "writes deploy_flag after comparing ...")
    evaluate = module("src/evaluate.py", gate_candidates=(unread,))
    registered_by_ci = repo((evaluate,), actions=(register_action(),))
    assert has_evaluation_gate(registered_by_ci).outcome == Outcome.UNKNOWN
    assert has_evaluation_gate(repo((evaluate,))).outcome == Outcome.FAIL


def test_scoring_script_is_tested() -> None:
    score = module("src/score.py", functions=("init", "run"))
    importing = module("tests/test_score.py", imports=("score",))
    loading = module("tests/test_endpoint.py", calls=(
        Call("importlib.util.spec_from_file_location", 5, string_args=("score", "src/score.py")),
    ))
    assert scoring_script_is_tested(repo((score, importing))).outcome == Outcome.PASS
    assert scoring_script_is_tested(repo((score, loading))).outcome == Outcome.PASS
    untested = scoring_script_is_tested(repo((score, module("tests/test_train.py", imports=("train",)))))
    assert untested.outcome == Outcome.FAIL and "src/score.py define init() and run()" in untested.found


def test_scoring_script_without_init_run_depends_on_the_deployments() -> None:
    mlflow_deployment = deployment("deploy/blue.yml", {"model": "azureml:taxi:3"})
    assert scoring_script_is_tested(repo(assets=(mlflow_deployment,))).outcome == Outcome.NOT_APPLICABLE
    configuration = {"code": "../src", "scoring_script": "score.py"}
    custom = deployment("deploy/blue.yml", {"code_configuration": configuration})
    half = module("src/score.py", functions=("run",))
    result = scoring_script_is_tested(repo((half,), assets=(custom,)))
    assert result.outcome == Outcome.FAIL
    assert "src/score.py, which has no top-level init() and run()" in result.found
    assert scoring_script_is_tested(repo()).outcome == Outcome.FAIL


@pytest.mark.parametrize(
    ("cards", "outcome"),
    [
        ([ModelCard("MODEL_CARD.md", frozenset({"intended use", "metrics"}))], Outcome.PASS),
        ([ModelCard("MODEL_CARD.md", frozenset({"metrics"}))], Outcome.FAIL),
        ([], Outcome.FAIL),
    ],
)
def test_model_card_needs_two_sections(cards: list[ModelCard], outcome: Outcome) -> None:
    assert has_model_card(repo(project=ProjectEvidence(model_cards=cards))).outcome == outcome


def test_load_tests() -> None:
    k6 = ProjectEvidence(load_tests=[LoadTest("k6", "perf/score.js")])
    assert has_load_tests(repo(project=k6)).outcome == Outcome.PASS
    locust = module("perf/users.py", imports=("locust", "locust.HttpUser"))
    assert has_load_tests(repo((locust,))).outcome == Outcome.PASS
    batch = deployment("deploy/batch.yml", {}, AmlKind.BATCH_DEPLOYMENT)
    assert has_load_tests(repo(assets=(batch,))).outcome == Outcome.NOT_APPLICABLE
    online = deployment("deploy/blue.yml", {})
    assert has_load_tests(repo(assets=(online,))).outcome == Outcome.FAIL


# -- levels 4 and 5 --------------------------------------------------------------------------


def test_shares_feature_code_through_imports() -> None:
    features = module("src/taxi/features.py", imports=("pandas",), functions=("build",))
    transforms = module("src/taxi/transforms.py", imports=("taxi.features",), functions=("apply",))
    train = module("src/taxi/train.py", imports=("taxi.features",), calls=(Call("model.fit", 20),))
    score = module("src/score.py", imports=("taxi.transforms",), functions=("init", "run"))
    result = shares_feature_code(repo((features, transforms, train, score)))
    assert result.outcome == Outcome.PASS
    assert "src/taxi/features.py is used by the training code (src/taxi/train.py)" in result.found
    alone = module("src/score.py", imports=("joblib",), functions=("init", "run"))
    assert shares_feature_code(repo((features, train, alone))).outcome == Outcome.FAIL
    mlflow_only = deployment("deploy/blue.yml", {"model": "azureml:taxi:3"})
    assert shares_feature_code(repo((train,), assets=(mlflow_only,))).outcome == Outcome.NOT_APPLICABLE


RAI_COMPONENT = "azureml://registries/azureml/components/rai_tabular_insight_constructor/versions/0.14.0"


def test_responsible_ai_from_code_or_rai_components() -> None:
    fairness = module("src/evaluate.py", imports=("fairlearn.metrics",))
    assert runs_responsible_ai_analysis(repo((fairness,))).outcome == Outcome.PASS
    pipeline = AmlAsset(
        kind=AmlKind.PIPELINE_JOB, path="mlops/azureml/train/pipeline.yml", line=1, name="train",
        data={"jobs": {"rai": {"component": RAI_COMPONENT}}},
    )
    assert runs_responsible_ai_analysis(repo(assets=(pipeline,))).outcome == Outcome.PASS
    assert runs_responsible_ai_analysis(repo((module("src/train.py"),))).outcome == Outcome.FAIL
