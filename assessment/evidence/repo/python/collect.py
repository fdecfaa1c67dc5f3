"""Read Python modules and Jupyter notebooks into facts (imports, calls, seeds, evaluation gates).

Each `.py` file is parsed once (parse.py); large repositories are parsed by forked workers as
well as this process (parallel.py). Modules that read the model registry only through a
project helper are looked at a second time for evaluation gates, and gates that span modules
(a flag written by one, read by another) are linked here (gates/links.py). Notebooks are
read by notebooks.py. A file that does not parse gets a Note and is skipped; nothing here
raises on bad input.
"""

from __future__ import annotations

from mlops_ladder.assessment.evidence.repo.files import RepoFiles
from mlops_ladder.assessment.evidence.repo.python.gates.facts import GateFacts
from mlops_ladder.assessment.evidence.repo.python.gates.links import link_gates
from mlops_ladder.assessment.evidence.repo.python.model import PythonEvidence, PythonModule
from mlops_ladder.assessment.evidence.repo.python.notebooks import read_notebook
from mlops_ladder.assessment.evidence.repo.python.parallel import ParseJob, start_parsing
from mlops_ladder.assessment.evidence.repo.python.parse import parse_module, read_and_parse


def collect(
    files: RepoFiles, *, processes: int | None = None, started: ParseJob | None = None
) -> PythonEvidence:
    """Facts of every `.py` file and notebook.

    *processes*: how many processes parse the Python files (None: decided from the number of
    files and CPUs; 1: this process only). *started*: the job start_parsing() returned, when
    workers were started earlier so that they parse while other collectors run."""
    evidence = PythonEvidence()
    gate_facts: dict[str, GateFacts] = {}
    registry_helpers: set[str] = set()  # "pkg.util.get_production_model": functions that read the registry
    job = started if started is not None else start_parsing(files, processes=processes)
    if job is not None:
        parsed_files = job.finish()
    else:
        parsed_files = [read_and_parse(files, path) for path in _python_paths(files)]
    for parsed in parsed_files:
        if parsed is not None:
            evidence.modules.append(parsed.module)
            if parsed.facts is not None:
                gate_facts[parsed.module.path] = parsed.facts
            registry_helpers.update(f"{parsed.module.module}.{name}" for name in parsed.registry_functions)
    if registry_helpers:
        _analyse_helper_callers(files, evidence.modules, gate_facts, registry_helpers)
    if gate_facts:
        link_gates(evidence.modules, gate_facts)
    for repo_file in [f for f in files.files if f.path.endswith(".ipynb")]:
        notebook = read_notebook(files, repo_file.path)
        if notebook is not None:
            evidence.notebooks.append(notebook)
    return evidence


def _analyse_helper_callers(
    files: RepoFiles, modules: list[PythonModule], gate_facts: dict[str, GateFacts], helpers: set[str]
) -> None:
    """Look for gates in modules that read the registry through a project helper
    (`from util.model_helper import get_model`). These few modules are parsed a second time."""
    suffixes: dict[str, str] = {}
    for helper in helpers:
        parts = helper.split(".")
        for start in range(len(parts) - 1):  # at least "module.function"
            suffixes.setdefault(".".join(parts[start:]), helper)
    for module in modules:
        if module.path in gate_facts or module.is_test:
            continue
        via = next((suffixes[c.name] for c in module.calls if c.name in suffixes), None)
        text = files.read_text(module.path) if via else None
        parsed = parse_module(files, module.path, text, registry_via=via) if text else None
        if parsed is not None and parsed.facts is not None:
            gate_facts[module.path] = parsed.facts
            module.gates, module.gate_candidates = parsed.module.gates, parsed.module.gate_candidates


def _python_paths(files: RepoFiles) -> list[str]:
    # plain string tests: RepoFile.suffix builds a PurePosixPath for every file of the listing
    return [f.path for f in files.files if f.path.endswith(".py")]
