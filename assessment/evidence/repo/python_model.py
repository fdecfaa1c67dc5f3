"""Facts about Python code and notebooks, read from the AST (filled by python_code.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Location


@dataclass(frozen=True)
class Call:
    """A call in the code. `name` is resolved through imports where possible:
    `import mlflow as mf; mf.log_metric()` -> "mlflow.log_metric";
    `from mlflow import log_metric; log_metric()` -> "mlflow.log_metric";
    calls on local objects keep their attribute chain: "ml_client.jobs.create_or_update".
    Decorators are calls too (`@pipeline(...)` -> "azure.ai.ml.dsl.pipeline")."""

    name: str
    line: int
    keywords: frozenset[str] = frozenset()
    string_args: tuple[str, ...] = ()  # literal string arguments (file paths, model names...)

    def endswith(self, suffix: str) -> bool:
        return self.name == suffix or self.name.endswith("." + suffix)


@dataclass(frozen=True)
class EvaluationGate:
    """Code that compares a candidate model with the current one and blocks a worse candidate."""

    location: Location
    detail: str


@dataclass
class PythonModule:
    path: str
    module: str  # dotted import name guessed from the path (src/pkg/train.py -> "pkg.train")
    is_test: bool
    imports: frozenset[str]  # fully qualified imported names ("mlflow", "pkg.features", "pkg.features.build")
    functions: frozenset[str]  # top-level function names
    calls: tuple[Call, ...]
    gates: tuple[EvaluationGate, ...] = ()
    seeds: tuple[Location, ...] = ()  # places that set a random seed
    # Comparisons with the current model that look like a gate but do not block (a constant flag
    # overrides them, the blocking branch cannot run, nothing reads the flag); detail says why.
    gate_candidates: tuple[EvaluationGate, ...] = ()
    file_refs: frozenset[str] = frozenset()  # string literals naming a .py file (scripts loaded by path)

    def calls_ending(self, *suffixes: str) -> list[Call]:
        return [c for c in self.calls if any(c.endswith(s) for s in suffixes)]

    def imports_any(self, *roots: str) -> bool:
        return any(i == r or i.startswith(r + ".") for i in self.imports for r in roots)


@dataclass
class Notebook:
    path: str
    code_cells: int
    imports: frozenset[str] = frozenset()


@dataclass
class PythonEvidence:
    modules: list[PythonModule] = field(default_factory=list)
    notebooks: list[Notebook] = field(default_factory=list)

    def module_at(self, path: str) -> PythonModule | None:
        return next((m for m in self.modules if m.path == path), None)

    @property
    def code_modules(self) -> list[PythonModule]:
        return [m for m in self.modules if not m.is_test]

    @property
    def test_modules(self) -> list[PythonModule]:
        return [m for m in self.modules if m.is_test]
