"""What the gate analysis records about one module (analysis.py fills them, links.py pairs the flags
that modules write and read), and the nodes of a module it is given."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mlops_ladder.assessment.evidence.common import Location
from mlops_ladder.assessment.evidence.repo.python.model import EvaluationGate


@dataclass(frozen=True)
class FlagWrite:
    """A flag set by a comparison (with the current model or a threshold) and written to a file."""

    flag: str
    keys: frozenset[str]  # the flag's name and the strings around the write (file names)
    location: Location  # the comparison
    against: str = "the current model"  # or "a threshold"


@dataclass(frozen=True)
class FlagRead:
    """An `if <flag>` that guards registration, with the flag read from a file (or overridden)."""

    flag: str
    keys: frozenset[str]
    location: Location  # the `if`
    bypass_line: int | None = None  # line that sets the flag to a constant before the `if`
    binding_line: int | None = None  # line that computes the flag


@dataclass
class GateFacts:
    gates: list[EvaluationGate] = field(default_factory=list)
    candidates: list[EvaluationGate] = field(default_factory=list)
    flag_writes: list[FlagWrite] = field(default_factory=list)
    flag_reads: list[FlagRead] = field(default_factory=list)


@dataclass
class ModuleNodes:
    """Nodes the module walk in scan.py already collected, so the analysis needs no new walk."""

    calls: list[ast.Call]
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef]
    assignments: list[ast.Assign]
