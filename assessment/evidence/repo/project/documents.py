"""Documents about the model: model cards (their sections, from markdown headings) and load tests
(locust files, k6 scripts, JMeter plans)."""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.project.common import name_of, with_suffix
from mlops_ladder.assessment.evidence.repo.project.model import (
    LoadTest,
    ModelCard,
    ProjectEvidence,
    PythonTextFacts,
)
from mlops_ladder.assessment.evidence.repo.project.secret_scan import SECRET_SCAN_MAX_BYTES

# -- model cards ------------------------------------------------------------------------------

MODEL_CARD_SECTIONS = ("intended use", "training data", "metrics", "limitations")
_MODEL_CARD_NAME = re.compile(r"(^|[-_.])model[-_ ]?cards?([-_.].*)?\.md$|modelcard.*\.md$", re.IGNORECASE)
_SECTION_PATTERNS = {
    "intended use": re.compile(
        r"\bintended\b|\buse cases?\b|^uses?$|\bdirect use\b|\bout[- ]of[- ]scope\b|\bpurpose\b"
    ),
    "training data": re.compile(r"\bdata(sets?)?\b|\btraining\b"),
    "metrics": re.compile(r"\bmetrics?\b|\bevaluation\b|\bperformance\b|\bresults\b"),
    "limitations": re.compile(r"\blimitations?\b|\bcaveats?\b|\brisks?\b|\bbias(es)?\b|\bethical\b"),
}
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def model_card_sections(text: str) -> frozenset[str]:
    found = set()
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            continue
        heading = match.group(1).lower().strip("*_ :")
        found.update(name for name, pattern in _SECTION_PATTERNS.items() if pattern.search(heading))
    return frozenset(found)


def collect_model_cards(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for repo_file in with_suffix(files, ".md"):
        if not _MODEL_CARD_NAME.search(name_of(repo_file)):
            continue
        text = files.read_text(repo_file.path)
        if text is not None:
            evidence.model_cards.append(ModelCard(repo_file.path, model_card_sections(text)))


# -- load tests -------------------------------------------------------------------------------

_LOCUST_IMPORT = re.compile(r"^\s*(?:from\s+locust\b|import\s+locust\b)", re.MULTILINE)
_K6_IMPORT = re.compile(r"""(?:from\s+|require\(\s*)["']k6(?:/http)?["']""")
_LOAD_TEST_HINTS = ("k6", "load", "perf", "stress", "locust", "bench", "smoke", "soak", "spike")
_JS_SUFFIXES = (".js", ".mjs", ".ts")
_MAX_JS_FILES_READ_ALL = 200


def imports_locust(text: str | None) -> bool:
    return bool(text and "locust" in text and _LOCUST_IMPORT.search(text))


def collect_load_tests(files: RepoFiles, evidence: ProjectEvidence) -> None:
    for repo_file in with_suffix(files, ".py"):
        if name_of(repo_file).startswith("locustfile"):
            evidence.load_tests.append(LoadTest("locust", repo_file.path))
            continue
        if repo_file.size > SECRET_SCAN_MAX_BYTES:
            continue
        facts = files.text_facts.get(repo_file.path)
        if isinstance(facts, PythonTextFacts):  # taken when it was parsed, then forgotten
            locust = facts.imports_locust
        else:
            locust = imports_locust(files.read_text(repo_file.path))
        if locust:
            evidence.load_tests.append(LoadTest("locust", repo_file.path))
    scripts = [
        f for f in with_suffix(files, *_JS_SUFFIXES) if not f.path.endswith(".min.js") and f.size < 262144
    ]
    read_all = len(scripts) <= _MAX_JS_FILES_READ_ALL
    for repo_file in scripts:
        if not read_all and not any(h in repo_file.path.lower() for h in _LOAD_TEST_HINTS):
            continue
        text = files.read_text(repo_file.path)
        if text and "k6" in text and _K6_IMPORT.search(text):
            evidence.load_tests.append(LoadTest("k6", repo_file.path))
    evidence.load_tests.extend(LoadTest("jmeter", f.path) for f in with_suffix(files, ".jmx"))
