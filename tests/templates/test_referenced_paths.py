"""Every repository path a generated project names exists in that project: no README, doc, comment,
CI step or IaC file points at a file or folder that this combination of options (or this level) does
not generate. tests/templates/test_azure_devops_docs.py holds one class of it (`.github/` in Azure
DevOps projects); this test holds the general rule.

What counts as a reference, in every text file of the project (rendered_text.text_lines):

- a *rooted* path: a token whose first segment is a top-level file or folder of a generated project
  (of any project of CASES, so `.github/` counts in an Azure DevOps project), e.g. `infra/main.bicep`,
  `./.github/workflows/x.yml`, `src/pkg/`; resolved from the project root, which is what prose,
  `working-directory:`, `python scripts/x.py` and workflow `uses: ./...` mean;
- a *relative* path, resolved from the folder of the file that names it, as its consumer does:
  markdown link targets, Bicep `module` paths and `load*Content(...)`, local Terraform module
  `source`s, Azure Pipelines `template:` includes;
- a bare file name in a backtick span (`release.yml`), when some project of CASES has a file by
  that name: it must then be the name of a file of this project (folder unknown, so any folder).

Not a reference (each a rule, none a list of names): a token with a placeholder or glob (`<env>`,
`{...}`, `$VAR`, `*`); anything after `://` or `@` (URLs, remote templates); a path the project's
`.gitignore` ignores (`build/`, `outputs/`: written at run time, never in the repository); a bare name
no project of CASES has as a file (run-time outputs such as a step's `decision.json`).
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from tests.conftest import write_files
from tests.templates.rendered_text import text_lines

# Every level with both CI systems and both IaC languages (online deployment, no data pipeline),
# then the options that change the file set most: batch deployment (no online endpoint, canary or
# endpoint alerts) at levels 3-5 and the Data Factory pipeline, each with every CI system and IaC.
CASES = {
    f"l{level}-{ci}-{iac}": (level, {"ci_system": ci, "iac": iac})
    for level in range(1, 6) for ci in ("github", "azure-devops") for iac in ("bicep", "terraform")
} | {
    "l4-github-bicep-batch": (4, {"ci_system": "github", "iac": "bicep", "deployment_kind": "batch"}),
    "l4-azure-devops-terraform-batch": (
        4, {"ci_system": "azure-devops", "iac": "terraform", "deployment_kind": "batch"}),
    "l2-github-bicep-adf": (2, {"ci_system": "github", "iac": "bicep", "data_pipeline": "adf"}),
    "l3-azure-devops-terraform-batch-adf": (
        3, {"ci_system": "azure-devops", "iac": "terraform", "deployment_kind": "batch",
            "data_pipeline": "adf"}),
    "l5-github-terraform-batch-adf": (
        5, {"ci_system": "github", "iac": "terraform", "deployment_kind": "batch", "data_pipeline": "adf"}),
    "l5-azure-devops-bicep-batch-adf": (
        5, {"ci_system": "azure-devops", "iac": "bicep", "deployment_kind": "batch", "data_pipeline": "adf"}),
}

PATH_CHARS = r"[\w.\-/<>{}$*]"
NOT_A_PATH = re.compile(r"[<>{}$*]")  # placeholder (`<env>`, `{{ x }}`, `${var}`) or glob
# A file name with an extension generated projects use, alone in a backtick span.
BARE_NAME = re.compile(r"`([\w.\-]+\.(?:md|ya?ml|json|py|bicep|bicepparam|tf|tfvars|hcl|sh|txt|toml|csv))`")
# (which files, pattern whose group 1 is a path relative to the naming file's folder)
RELATIVE = [
    (re.compile(r"\.md$"), re.compile(r"\]\(([^)\s#]+)")),
    (re.compile(r"\.bicep$"), re.compile(r"(?:^module\s+\w+\s+|load\w*Content\()'([^']+)'")),
    (re.compile(r"\.tf$"), re.compile(r"\bsource\s*=\s*\"(\.\.?/[^\"]+)\"")),
    (re.compile(r"^\.azure-pipelines/.*\.ya?ml$"), re.compile(r"^-?\s*template:\s*['\"]?([^'\"\s#]+)")),
]


def rooted_pattern(folders: set[str], files: set[str]) -> re.Pattern[str]:
    """Tokens that start with one of the top-level *folders* followed by `/`, or that are one of the
    top-level *files*; not inside a longer word, path or URL; optionally behind `./`."""
    def alternatives(names: set[str]) -> str:
        return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w./$@:{{}}\-])((?:\./)?(?:(?:{alternatives(folders)})/{PATH_CHARS}*"
                      rf"|(?:{alternatives(files)})(?![\w.\-])))")


def slashed(token: str, target: str) -> str:
    """*target* with the trailing `/` of *token* kept: .gitignore's `build/` matches folders only."""
    return target + "/" if token.endswith("/") else target


def references(root: Path, rooted: re.Pattern[str], known_names: set[str]) -> Iterator[tuple[str, int, str, str | None]]:
    """(file, line, token as written, path from the project root, or None for a bare name) of every
    reference in the project at *root*."""
    for path, number, line in text_lines(root):
        for match in rooted.finditer(line):
            token = match.group(1).rstrip(".,:;")
            if NOT_A_PATH.search(token):
                continue
            yield path, number, token, slashed(token, posixpath.normpath(token))
        for applies, pattern in RELATIVE:
            if not applies.search(path):
                continue
            for match in pattern.finditer(line):
                token = match.group(1)
                if "://" in token or "@" in token or token.startswith("mailto:") or NOT_A_PATH.search(token):
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), token))
                yield path, number, token, slashed(token, target)
        for match in BARE_NAME.finditer(line):
            if match.group(1) in known_names:
                yield path, number, match.group(1), None


def ignored(root: Path, paths: list[str]) -> set[str]:
    """The *paths* the project's .gitignore ignores (written at run time, never committed)."""
    if not paths:
        return set()
    result = subprocess.run(["git", "-C", str(root), "check-ignore", "--no-index", "--stdin"],
                            input="\n".join(paths), capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr  # 1: none of them is ignored
    return set(result.stdout.splitlines())


def missing_references(root: Path, rooted: re.Pattern[str], known_names: set[str]) -> tuple[list[str], int]:
    """The references of the project at *root* that name nothing in it, as `file:line: token`, and the
    number of references checked."""
    names = {path.name for path in root.rglob("*") if ".git" not in path.parts}
    found = list(dict.fromkeys(references(root, rooted, known_names)))  # a link is rooted too
    absent = [(file, number, token, target) for file, number, token, target in found
              if (token not in names if target is None else not (root / target).exists())]
    runtime = ignored(root, sorted({target for *_, target in absent if target is not None}))
    return [f"{file}:{number}: {token}" for file, number, token, target in absent
            if target not in runtime or target is None], len(found)


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    made = {}
    for name, (level, data) in CASES.items():
        made[name] = tmp_path_factory.mktemp("refs") / name
        new_project(made[name], level, complete({"name_suffix": "ab12", **data}, level))
    return made


@pytest.fixture(scope="module")
def vocabulary(projects) -> tuple[re.Pattern[str], set[str]]:
    """What any project of CASES has: the rooted pattern of its top-level names and the names of its
    files."""
    tops = {entry for root in projects.values() for entry in root.iterdir() if entry.name != ".git"}
    files = {path.name for root in projects.values() for path in root.rglob("*")
             if path.is_file() and ".git" not in path.parts}
    folders = {entry.name for entry in tops if entry.is_dir()}
    return rooted_pattern(folders, {entry.name for entry in tops} - folders), files


def test_the_cases_cover_every_option() -> None:
    seen = {(level, data["ci_system"], data["iac"]) for level, data in CASES.values()}
    assert seen == {(level, ci, iac) for level in range(1, 6)
                    for ci in ("github", "azure-devops") for iac in ("bicep", "terraform")}
    batch = {(data["ci_system"], data["iac"]) for _, data in CASES.values()
             if data.get("deployment_kind") == "batch"}
    adf = {(data["ci_system"], data["iac"]) for _, data in CASES.values() if data.get("data_pipeline") == "adf"}
    assert len(batch) == len(adf) == 4


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_named_path_exists(projects, vocabulary, name: str) -> None:
    missing, checked = missing_references(projects[name], *vocabulary)
    assert checked > 50  # the extraction still finds the project's references (85 at level 1)
    assert missing == []


def test_the_references_found_in_a_small_project(tmp_path: Path) -> None:
    files = {
        "README.md": "See `infra/main.bicep`, [the runbook](docs/runbook.md), `release.yml`, `src/<pkg>/`,\n"
                     "https://example.com/docs/x.md, `build/out.json` and the `data` folder.\n",
        "docs/a.md": "[back](../README.md), [gone](gone.md), `infra/layers/`.\n",
        "infra/main.bicep": "module m 'layers/10.bicep' = {}\nvar s = loadJsonContent('../cfg.json')\n",
        ".azure-pipelines/ci.yml": "steps:\n- template: templates/steps.yml\n- template: x.yml@other\n",
        ".gitignore": "build/\n",
    }
    write_files(tmp_path, files)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    rooted = rooted_pattern({"docs", "infra", "data", "src", "build", ".azure-pipelines", ".github"},
                            {"README.md"})
    missing, checked = missing_references(tmp_path, rooted, {"release.yml", "a.md"})
    assert missing == [
        ".azure-pipelines/ci.yml:2: templates/steps.yml",
        "README.md:1: docs/runbook.md",
        "README.md:1: release.yml",
        "docs/a.md:1: infra/layers/",
        "docs/a.md:1: gone.md",
        "infra/main.bicep:1: layers/10.bicep",
        "infra/main.bicep:2: ../cfg.json",
    ]
    # README 4 (the link once, not the placeholder, URL or word), docs/a.md 3, Bicep 2, template 1,
    # .gitignore's own `build/` 1
    assert checked == 11
