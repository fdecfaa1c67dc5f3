"""The project collector: dependency pins, lock files, tool configuration, bots, owners, model cards,
load tests, committed model/data files and committed secrets."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from mlops_ladder.assessment.evidence.repo.files import GitInfo, RepoFile, RepoFiles, list_repo_files
from mlops_ladder.assessment.evidence.repo.project.collect import collect as collect_project
from mlops_ladder.assessment.evidence.repo.project.model import ProjectEvidence
from mlops_ladder.assessment.evidence.repo.project.requirements import parse_requirement
from tests.conftest import write_files

MIB = 1024 * 1024

# Fake credentials, assembled at run time so that this file itself matches no secret pattern.
FAKE_ACCOUNT_KEY = base64.b64encode(b"not-a-real-storage-key/fake-for-tests-only/" + b"0" * 24).decode()
FAKE_GITHUB_TOKEN = "gh" + "p_" + "Fake0Token1For2Unit3Tests4Only56789X"
FAKE_AWS_KEY_ID = "AK" + "IA" + "FAKEFORTESTS1234"
FAKE_ENTRA_SECRET = "Fk8Q" + "~NotARealSecret.ForUnitTestsOnly_012"
FAKE_PRIVATE_KEY = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\n"
    + "MIIEpAIBAAKCAQEAnotarealkeynotarealkeynotarealkeynotarealkey0123\n" * 3
    + "-----END RSA PRIVATE KEY-----\n"
)


def collect(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[ProjectEvidence, list[str]]:
    write_files(tmp_path, files)
    repo_files = list_repo_files(tmp_path)
    return collect_project(repo_files), [str(n) for n in repo_files.notes]


def dependency_file(evidence: ProjectEvidence, path: str, kind: str | None = None):
    found = [f for f in evidence.dependency_files if f.path == path and (kind is None or f.kind == kind)]
    assert found, f"{path} not collected: {[f.path for f in evidence.dependency_files]}"
    return found[0]


# -- dependencies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pandas==2.2.2", ("pandas", True)),
        ("Scikit_Learn[alldeps] == 1.5.0 ; python_version >= '3.10'", ("scikit-learn", True)),
        ("torch===2.3.0", ("torch", True)),
        ("numpy>=1.26", ("numpy", False)),
        ("mlflow~=2.14", ("mlflow", False)),
        ("numpy==1.26.*", ("numpy", False)),
        ("azureml-mlflow", ("azureml-mlflow", False)),
        ("requests>=2 --hash=sha256:0123abcd", ("requests", True)),
        ("mypkg @ file:///wheels/mypkg-1.0-py3-none-any.whl", ("mypkg", True)),
        ("lib @ git+https://github.com/org/lib@0123456789abcdef0123456789abcdef01234567", ("lib", True)),
        ("lib @ git+https://github.com/org/lib@main", ("lib", False)),
        ("git+https://github.com/org/obs#subdirectory=client", ("obs", False)),
        (".", None),
        ("./packages/features", None),
    ],
)
def test_requirement_lines_are_parsed_and_pins_recognised(line: str, expected: tuple | None) -> None:
    assert parse_requirement(line) == expected


def test_requirements_follow_includes_and_constraints(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "requirements.txt": (
            "# runtime\n"
            "-r requirements/base.txt\n"
            "-c constraints.txt\n"
            "pandas  # pinned by the constraints\n"
            "scikit-learn==1.5.0 \\\n"
            "    --hash=sha256:abc\n"
            "--extra-index-url https://example.invalid/simple\n"
            "-e .\n"
        ),
        "requirements/base.txt": "mlflow==2.14.1\nazure-ai-ml>=1.16\n",
        "constraints.txt": "pandas==2.2.2\n",
        "requirements-dev.txt": "-r requirements.txt\npytest\n",
    })
    main = dependency_file(evidence, "requirements.txt")
    assert [(d.name, d.pinned) for d in main.dependencies] == [("pandas", True), ("scikit-learn", True)]
    assert main.includes == ["requirements/base.txt", "constraints.txt"]
    assert main.dependencies[1].location.line == 5
    base = dependency_file(evidence, "requirements/base.txt")
    assert base.unpinned == ["azure-ai-ml"]
    assert dependency_file(evidence, "constraints.txt").kind == "constraints"
    dev = dependency_file(evidence, "requirements-dev.txt")
    assert (dev.total, dev.pinned, dev.unpinned) == (1, 0, ["pytest"])


def test_conda_files_pin_with_single_or_double_equals_and_read_pip_sections(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "environment/train-conda.yml": (
            "name: train\n"
            "channels: [conda-forge]\n"
            "dependencies:\n"
            "  - python=3.11\n"
            "  - conda-forge::numpy==1.26.4\n"
            "  - pandas>=2\n"
            "  - pip\n"
            "  - pip:\n"
            "      - mlflow==2.14.1\n"
            "      - azureml-mlflow\n"
            "      - -r requirements.txt\n"
        ),
        "environment/requirements.txt": "lightgbm==4.3.0\n",
        "mlops/azureml/train/train-env.yml": (  # an Azure ML environment, not a conda file
            "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
            "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\n"
            "conda_file: ../../../environment/train-conda.yml\n"
        ),
    })
    conda = dependency_file(evidence, "environment/train-conda.yml")
    assert conda.kind == "conda"
    assert [(d.name, d.pinned) for d in conda.dependencies] == [
        ("python", True), ("numpy", True), ("pandas", False), ("mlflow", True), ("azureml-mlflow", False),
    ]
    assert conda.dependencies[4].location.line == 10
    assert conda.includes == ["environment/requirements.txt"]
    assert dependency_file(evidence, "environment/requirements.txt").pinned == 1
    assert not any(f.path.startswith("mlops/") for f in evidence.dependency_files)


def test_pyproject_poetry_setup_cfg_and_pipfile_dependencies(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "pyproject.toml": (
            "[project]\nname = 'taxi'\ndependencies = ['pandas==2.2.2', 'mlflow>=2']\n"
            "[project.optional-dependencies]\ntest = ['pytest==8.2.0']\n"
            "[tool.poetry.dependencies]\npython = '^3.11'\nnumpy = '1.26.4'\nscipy = '^1.13'\n"
            "features = {path = './features'}\n"
            "lib = {git = 'https://github.com/org/lib', rev = '0123abc'}\n"
        ),
        "setup.cfg": "[options]\ninstall_requires =\n    xgboost==2.0.3\n    shap\n",
        "Pipfile": "[packages]\nrequests = '*'\nflask = '==3.0.3'\n",
    })
    pep621 = dependency_file(evidence, "pyproject.toml", "pyproject")
    assert [(d.name, d.pinned) for d in pep621.dependencies] == [
        ("pandas", True), ("mlflow", False), ("pytest", True),
    ]
    assert pep621.dependencies[1].location.line == 3
    poetry = dependency_file(evidence, "pyproject.toml", "poetry")
    assert [(d.name, d.pinned) for d in poetry.dependencies] == [
        ("numpy", True), ("scipy", False), ("lib", True),
    ]
    assert poetry.dependencies[0].location.line == 8
    assert dependency_file(evidence, "setup.cfg").unpinned == ["shap"]
    assert dependency_file(evidence, "Pipfile").unpinned == ["requests"]


def test_lock_files_are_recognised(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "poetry.lock": "# lock\n",
        "service/uv.lock": "version = 1\n",
        "conda-lock.yml": "package: []\n",
        "envs/linux.conda-lock.yml": "package: []\n",
        "requirements.lock": "pandas==2.2.2\n",
        "requirements-hashed.txt": (
            "pandas==2.2.2 \\\n    --hash=sha256:abc\nnumpy==1.26.4 --hash=sha256:def\n"
        ),
        "requirements-plain.txt": "pandas==2.2.2\n",
        "empty/Pipfile.lock": "",
    })
    kinds = {lock.path: lock.kind for lock in evidence.lock_files}
    assert kinds == {
        "poetry.lock": "poetry.lock",
        "service/uv.lock": "uv.lock",
        "conda-lock.yml": "conda-lock",
        "envs/linux.conda-lock.yml": "conda-lock",
        "requirements.lock": "requirements lock",
        "requirements-hashed.txt": "requirements with hashes",
    }


# -- test, lint and pre-commit configuration -------------------------------------------------


def test_test_and_lint_configuration_is_found_in_every_usual_place(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-q'\n\n[tool.ruff.lint]\nselect = ['E']\n",
        "setup.cfg": "[metadata]\nname = x\n\n[flake8]\nmax-line-length = 100\n\n[tool:pytest]\n",
        "tox.ini": "[tox]\n[pytest]\n",
        ".pylintrc": "[MASTER]\n",
        "tests/conftest.py": "",
        ".pre-commit-config.yaml": (
            "repos:\n"
            "  - repo: https://github.com/psf/black\n"
            "    rev: 24.4.2\n"
            "    hooks:\n"
            "      - id: black\n"
            "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
            "    rev: v4.6.0\n"
            "    hooks:\n"
            "      - id: check-added-large-files\n"
        ),
    })
    tests = {(c.tool, str(c.location)) for c in evidence.test_configs}
    assert tests == {
        ("pytest", "pyproject.toml:1"), ("pytest", "setup.cfg:7"), ("pytest", "tox.ini:2"),
        ("pytest", "tests/conftest.py"),
    }
    lint = {(c.tool, str(c.location)) for c in evidence.lint_configs}
    assert lint == {
        ("ruff", "pyproject.toml:4"), ("flake8", "setup.cfg:4"), ("pylint", ".pylintrc"),
        ("black", ".pre-commit-config.yaml:5"),
    }
    assert [h.id for h in evidence.pre_commit.hooks] == ["black", "check-added-large-files"]
    assert evidence.pre_commit.error is None


def test_malformed_configuration_is_noted(tmp_path: Path) -> None:
    evidence, notes = collect(tmp_path, {
        ".pre-commit-config.yaml": "repos:\n  - repo: x\n    hooks: [\n",
        "pyproject.toml": "[tool.ruff\nline-length = 1\n",
        ".github/dependabot.yml": "version: 2\nupdates: {\n",
        "renovate.json": "{not json",
    })
    assert evidence.pre_commit.error.startswith("malformed YAML: line")
    assert evidence.lint_configs == []
    assert [b.error is not None for b in evidence.dependency_bots] == [True, True]
    assert any(n.startswith(".pre-commit-config.yaml: malformed YAML") for n in notes)
    assert any(n.startswith("pyproject.toml: malformed TOML") for n in notes)
    assert any(n.startswith("renovate.json: malformed JSON: line 1") for n in notes)


def test_dependency_bots_and_codeowners(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        ".github/dependabot.yml": (
            "version: 2\nupdates:\n"
            "  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n"
            "  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n"
        ),
        ".github/CODEOWNERS": "# owners\n* @org/ml-team\n/infra/ @org/platform @alice\n",
        "docs/CODEOWNERS": "# nobody yet\n\n",
    })
    assert [(b.tool, b.ecosystems) for b in evidence.dependency_bots] == [
        ("dependabot", ("pip", "github-actions")),
    ]
    owners = {(o.path, o.rules) for o in evidence.codeowners}
    assert owners == {(".github/CODEOWNERS", 2), ("docs/CODEOWNERS", 0)}


# -- model cards and load tests --------------------------------------------------------------


def test_model_cards_report_the_sections_their_headings_cover(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "MODEL_CARD.md": (
            "# Taxi fare model\n## Intended use\ntext\n## Training data\n"
            "```markdown\n## Limitations (inside a code block, ignored)\n```\n"
            "### Evaluation metrics\nRMSE 2.1\n"
        ),
        "docs/model-card-churn.md": "# Churn\nJust prose, no headings about anything.\n",
        "README.md": "## Intended use\n## Limitations\n",
    })
    cards = {c.path: c.sections for c in evidence.model_cards}
    assert cards == {
        "MODEL_CARD.md": frozenset({"intended use", "training data", "metrics"}),
        "docs/model-card-churn.md": frozenset(),
    }


def test_load_tests_locust_k6_and_jmeter(tmp_path: Path) -> None:
    evidence, _ = collect(tmp_path, {
        "loadtest/locustfile.py": "print('no import needed: the name says it')\n",
        "perf/score_users.py": "from locust import HttpUser, task\n",
        "perf/k6/score.js": "import http from 'k6/http';\nexport default function () {}\n",
        "perf/jmeter/plan.jmx": "<jmeterTestPlan/>",
        "web/app.js": "import http from 'http';\n",
    })
    assert {(t.tool, t.path) for t in evidence.load_tests} == {
        ("locust", "loadtest/locustfile.py"), ("locust", "perf/score_users.py"), ("k6", "perf/k6/score.js"),
        ("jmeter", "perf/jmeter/plan.jmx"),
    }


# -- model and data files --------------------------------------------------------------------


def test_model_and_data_files_are_judged_by_listed_size_only(tmp_path: Path) -> None:
    listed = [
        RepoFile("models/model.pkl", 50 * MIB, True),
        RepoFile("data/train.csv", 2 * MIB, True),
        RepoFile("data/big.parquet", 80 * MIB, False),  # untracked: not committed
        RepoFile("weights/model.safetensors", 300 * MIB, True),  # in Git LFS
        RepoFile("data/archive.tar.gz", 20 * MIB, True),
        RepoFile("src/model.py", 4000, True),
        RepoFile(".gitattributes", 60, True),
    ]
    write_files(tmp_path, {".gitattributes": "weights/** filter=lfs -text\n", "src/model.py": ""})
    files = RepoFiles(root=tmp_path, files=listed, git=GitInfo(is_repo=True, commit_count=3))
    evidence = collect_project(files)  # the large files do not exist on disk: they must not be read
    committed = {f.path for f in evidence.model_data_files}
    assert committed == {"models/model.pkl", "data/train.csv", "data/archive.tar.gz"}
    assert evidence.lfs_patterns == ("weights/**",)
    assert files.notes == []


# -- secrets ---------------------------------------------------------------------------------


def test_secrets_are_found_and_redacted(tmp_path: Path) -> None:
    connection = (
        f"DefaultEndpointsProtocol=https;AccountName=taxidata;AccountKey={FAKE_ACCOUNT_KEY};"
        "EndpointSuffix=core.windows.net"
    )
    evidence, _ = collect(tmp_path, {
        "config/settings.json": json.dumps({"storage": connection}, indent=1),
        "deploy/key.pem.txt": FAKE_PRIVATE_KEY,
        "scripts/ci.sh": f"export GH_TOKEN={FAKE_GITHUB_TOKEN}\n",
        "src/aws.py": f"ACCESS_KEY_ID = '{FAKE_AWS_KEY_ID}'\n",
        ".env": f"AZURE_CLIENT_SECRET={FAKE_ENTRA_SECRET}\nDB_PASSWORD=Tr0ub4dor&3xyz\n",
        "src/db.py": "password: str = '" + "S3cure-db-pa55!" + "'\n",
    })
    found = {(str(f.location), f.kind) for f in evidence.secrets}
    assert found == {
        ("config/settings.json:2", "Azure storage account key"),
        ("deploy/key.pem.txt:1", "private key"),
        ("scripts/ci.sh:1", "GitHub token"),
        ("src/aws.py:1", "AWS access key id"),
        (".env:1", "Azure AD client secret"),
        (".env:2", "password"),
        ("src/db.py:1", "password"),
    }
    secrets = (FAKE_ACCOUNT_KEY, FAKE_GITHUB_TOKEN, FAKE_AWS_KEY_ID, FAKE_ENTRA_SECRET, "Tr0ub4dor&3xyz")
    for finding in evidence.secrets:
        assert not any(secret in finding.preview for secret in secrets)
    key = next(f for f in evidence.secrets if f.kind == "Azure storage account key")
    assert key.preview == f"{FAKE_ACCOUNT_KEY[:4]}…({len(FAKE_ACCOUNT_KEY)} chars)"
    assert evidence.files_scanned_for_secrets == 6


@pytest.mark.parametrize(
    "content",
    [
        'password = ""\n',
        'password = "<your-password>"\n',
        'db_password = "${DB_PASSWORD}"\n',
        'password = os.environ["DB_PASSWORD"]\n',
        'PASSWORD = "changeme"\n',
        'admin_password = "xxxxxxxx"\n',
        'password: "***"\n',
        'client_secret = settings.azure.client_secret_value\n',
        "clientSecret: ${{ secrets.AZURE_CLIENT_SECRET }}\n",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
        "UseDevelopmentStorage=true;AccountKey="
        + "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n",
        "To sign, paste your -----BEGIN PRIVATE KEY----- block here.\n",
    ],
)
def test_placeholders_and_references_are_not_secrets(tmp_path: Path, content: str) -> None:
    evidence, _ = collect(tmp_path, {"config/app.yml": content})
    assert evidence.secrets == []


def test_large_and_binary_files_are_not_scanned(tmp_path: Path) -> None:
    evidence, notes = collect(tmp_path, {
        "data/dump.json": '{"k": "' + "a" * (MIB + 10) + f'", "AccountKey={FAKE_ACCOUNT_KEY}": 1}}',
        "bin/blob.py": b"\x00" + f"AccountKey={FAKE_ACCOUNT_KEY}".encode(),
    })
    assert evidence.secrets == []
    assert any(n.startswith("bin/blob.py: not read: binary file") for n in notes)
