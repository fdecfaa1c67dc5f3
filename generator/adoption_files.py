"""Which template files an adoption adds, and how, so that nothing changes how the user's tools behave.

upgrade._plan_adopted renders every layer and keeps the files whose path is free and that are needed
(manifest.yml); this module then decides, per file, from the repository's evidence:
- a second CI workflow is not added where the repository already runs its tests on pull requests;
- an added pyproject.toml holds no pytest settings when the repository has tests of its own (pytest
  would run other tests) and no packaging when the package is not under src/ or setup.py builds it;
- the sample dataset and its data asset are not added to a repository that reads data of its own
  (evidence about the data must come from the repository's data): the note names that data;
- tests that import the scripts/ helpers are not added unless pytest is configured to find them;
- a file that refers to a template file which will not exist says so (a test that reads it is not
  added, since it would fail in the user's CI).
Each decision comes with a sentence for the plan's "wire by hand" list.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_ladder.assessment.evidence.repo.collect import RepoEvidence
    from mlops_ladder.assessment.report import Report

CI_WORKFLOWS = (".github/workflows/ci.yml", ".azure-pipelines/ci.yml")  # one per ci_system
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".jsonl", ".feather", ".arrow", ".xlsx", ".xls", ".avro", ".orc")
PYTEST_CONFIGS = ("pytest.ini", "tox.ini", "setup.cfg", "conftest.py", "pyproject.toml")
PACKAGING_TABLES = ("build-system", "project", "tool.setuptools")


@dataclass
class AdoptionFiles:
    repo: RepoEvidence
    report: Report
    package: str
    package_dir: str
    pytest_paths: bool = False  # the plan adds pytest settings that put src/ and scripts/ on the path

    def decide(
        self, candidates: Mapping[str, bytes]
    ) -> tuple[dict[str, bytes], dict[str, str], dict[str, str]]:
        """(the files to add with their content, why the others are not added, extra notes on added files)."""
        met = {f.criterion.id for f in self.report.findings if f.outcome.is_met}
        adding: dict[str, bytes] = {}
        dropped: dict[str, str] = {}
        extra: dict[str, str] = {}
        own_data = self._own_data()
        for path, content in candidates.items():
            if path in CI_WORKFLOWS and "MLL-108" in met:
                dropped[path] = (
                    f"not added: your CI already runs the tests on pull requests ({self._where('MLL-108')}); "
                    "add a lint step (`ruff check`) to that workflow rather than a second one"
                )
            elif path == "pyproject.toml":
                trimmed, why = self._pyproject(content.decode("utf-8"))
                if trimmed is None:
                    dropped[path] = why
                else:
                    adding[path] = trimmed.encode("utf-8")
                    extra[path] = why
            elif own_data and (path.startswith("data/sample/") or path.startswith("mlops/azureml/data/")):
                dropped[path] = (
                    f"not added: your repository has data of its own ({own_data}); a sample dataset "
                    "and a data asset for it would describe other data. Declare yours as an Azure ML "
                    "data asset (a YAML file with `type`, `path` set to where the data lives, and a version)"
                )
            else:
                adding[path] = content
        for ci_workflow in set(CI_WORKFLOWS) & set(adding):
            extra[ci_workflow] = (
                "its `ruff check .` also lints all your existing code (with the rules of pyproject.toml's "
                "[tool.ruff], or ruff's defaults): run `ruff check .` once and fix what it reports, or "
                "narrow the step to the files you want linted, before merging"
            )
        self.pytest_paths = (
            "pyproject.toml" in adding and b"[tool.pytest.ini_options]" in adding["pyproject.toml"]
        )
        if not self.pytest_paths and not self._user_pytest_has_scripts():
            for path, content in list(adding.items()):
                helper = _imported_script(path, content, candidates)
                if helper:
                    del adding[path]
                    dropped[path] = (
                        f"not added: it imports scripts/{helper}.py as `{helper}`, which pytest finds "
                        'only with pythonpath = ["src", "scripts"] in your pytest configuration; add '
                        "that setting and this file by hand"
                    )
        return adding, dropped, extra

    # -- pyproject.toml ---------------------------------------------------------------------------
    def _pyproject(self, text: str) -> tuple[str | None, str]:
        left_out = []
        if self.repo.python.test_modules or any(self.repo.files.exists(c) for c in PYTEST_CONFIGS[:4]):
            tests = sorted({posixpath.dirname(m.path) or "." for m in self.repo.python.test_modules})
            text = _without_tables(text, ("tool.pytest",))
            left_out.append(
                '[tool.pytest.ini_options] (testpaths = ["tests"] would stop pytest running your tests in '
                f"{', '.join(tests[:3]) or 'their folders'}, and pythonpath would change what they import)"
            )
        own_build = [f for f in ("setup.py", "setup.cfg") if self.repo.files.exists(f)]
        if own_build or not self.package_dir.startswith("src/"):
            text = _without_tables(text, PACKAGING_TABLES)
            why = (
                f"{' and '.join(own_build)} builds it"
                if own_build
                else f"your package is {self.package_dir}/"
            )
            left_out.append(f"the packaging tables ([project], [build-system]; {why}, not src/)")
        if not re.search(r"^\[", text, flags=re.M):
            return None, "not added: " + "; ".join(left_out)
        kept = "configures ruff ([tool.ruff]) for the lint step"
        return text, kept + ("; left out: " + "; ".join(left_out) if left_out else "")

    def _user_pytest_has_scripts(self) -> bool:
        for name in PYTEST_CONFIGS:
            text = self.repo.files.read_text(name) if self.repo.files.exists(name) else None
            if text and re.search(r"pythonpath\s*=.*\bscripts\b", text):
                return True
        return False

    # -- evidence ---------------------------------------------------------------------------------
    def _own_data(self) -> str:
        """The data the repository reads or holds, as a short list with locations ("" if none)."""
        found: list[str] = []
        for module in self.repo.python.code_modules:
            for source in module.data_sources:
                found.append(f"{module.path}:{source.line} reads {source.detail}")
        for argument in self.repo.run_arguments:
            found.append(f"{argument.location} passes {argument.uri}")
        for repo_file in self.repo.files.files:
            if repo_file.suffix in DATA_SUFFIXES and not repo_file.path.startswith(("tests/", "test/")):
                found.append(f"{repo_file.path} is a data file")
        unique = list(dict.fromkeys(found))
        return "; ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")

    def _where(self, criterion: str) -> str:
        finding = next((f for f in self.report.findings if f.criterion.id == criterion), None)
        places = (
            list(dict.fromkeys(ref.location.split(":")[0] for ref in finding.evidence)) if finding else []
        )
        return ", ".join(places[:3]) or "found by the assessment"


def _without_tables(text: str, prefixes: tuple[str, ...]) -> str:
    """*text* (TOML) without the tables whose name is one of *prefixes* or below it, comments kept
    with the table they precede."""
    out: list[str] = []
    skipping = False
    pending: list[str] = []  # comments and blank lines before the next table header
    for line in text.splitlines(keepends=True):
        header = re.match(r"\s*\[+\s*([^\]\s]+)\s*\]", line)
        if header:
            name = header.group(1)
            skipping = any(name == p or name.startswith(p + ".") for p in prefixes)
            if not skipping:
                out.extend(pending)
            pending = []
            if not skipping:
                out.append(line)
        elif not line.strip() or line.lstrip().startswith("#"):
            pending.append(line)
        elif not skipping:
            out.extend(pending)
            pending = []
            out.append(line)
        else:
            pending = []
    body = "".join(out + ([] if skipping else pending)).strip("\n")
    return body + "\n" if body else ""


def _imported_script(path: str, content: bytes, rendered: Mapping[str, bytes]) -> str | None:
    """The scripts/ module a Python test file imports by its bare name, if any."""
    if not path.endswith(".py") or not (path.startswith("tests/") or "/test_" in path):
        return None
    scripts = {posixpath.basename(p)[:-3] for p in rendered if p.startswith("scripts/") and p.endswith(".py")}
    scripts |= {"ci_env", "model_release", "rollout_plan", "smoke_test"}
    text = content.decode("utf-8", errors="replace")
    for name in sorted(scripts):
        if re.search(rf"^\s*(?:import|from)\s+{name}\b", text, flags=re.M):
            return name
    return None


def references_not_added(
    adding: Mapping[str, bytes], absent: set[str], package: str, package_dir: str
) -> dict[str, str]:
    """For each file to add, the first template file it names that will not exist (not added, not in
    the repository): by its repository path, its path relative to the file, its last two path parts,
    or its module name (`python -m pkg.train_job`)."""
    found: dict[str, str] = {}
    for path, content in adding.items():
        text = _without_comments(content.decode("utf-8", errors="replace"))
        folder = posixpath.dirname(path)
        for missing in sorted(absent):
            forms = {missing, posixpath.relpath(missing, folder or "."), "/".join(missing.split("/")[-2:])}
            if missing.endswith(".py") and missing.startswith(package_dir + "/"):
                dotted = missing[len(package_dir) + 1 : -3].replace("/", ".").removesuffix(".__init__")
                forms.add(f"{package}.{dotted}")
            if any(
                len(form) > 8 and re.search(rf"(?<![\w/.-]){re.escape(form)}(?![\w-])", text)
                for form in forms
            ):
                found[path] = missing
                break
    return found


def _without_comments(text: str) -> str:
    """Comment lines and trailing `  # ...` comments removed: a path named in a comment is not used."""
    lines = (line.split("  # ", 1)[0] for line in text.splitlines())
    return "\n".join(line for line in lines if not line.lstrip().startswith(("#", "//")))
