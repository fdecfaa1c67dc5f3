"""Gates that span modules: a flag set from a comparison (with the current model, or of the metrics
with thresholds) and written to a file by one module, read by another module that registers only
when it is set (the Azure MLOps v2 template's `deploy_flag`). Unmatched or overridden flags become
gate candidates."""

from __future__ import annotations

import re

from mlops_ladder.assessment.evidence.repo.python.gates.facts import FlagWrite, GateFacts
from mlops_ladder.assessment.evidence.repo.python.model import EvaluationGate, PythonModule

# Names that say they carry a promotion decision (used only to explain failures, never to pass).
_FLAG_NAME = re.compile(r"flag|deploy|promot|regist|better|approv|accept|gate", re.IGNORECASE)


def link_gates(modules: list[PythonModule], facts_by_path: dict[str, GateFacts]) -> None:
    """Pair flag writers with flag readers across modules; add the resulting gates and candidates."""
    by_path = {m.path: m for m in modules}
    writes = [(path, w) for path, facts in facts_by_path.items() for w in facts.flag_writes]
    matched: set[FlagWrite] = set()
    for reader_path, read in ((p, r) for p, facts in facts_by_path.items() for r in facts.flag_reads):
        reader_at = f"{reader_path}:{read.location.line}"
        partners = _closest(reader_path, [(p, w) for p, w in writes if w.keys & read.keys])
        for writer_path, write in partners:
            matched.add(write)
            if read.bypass_line is None:
                detail = (
                    f"sets {write.flag} from the comparison with {write.against}; "
                    f"{reader_at} registers only when it is set"
                )
                _add(by_path[writer_path], gate=EvaluationGate(write.location, detail))
            else:
                detail = (
                    f"sets {write.flag} from the comparison, but {reader_path}:{read.bypass_line} overwrites "
                    f"{read.flag} with a constant before the check at line {read.location.line}: "
                    "every candidate is registered"
                )
                _add(by_path[writer_path], candidate=EvaluationGate(write.location, detail))
        if not partners and _FLAG_NAME.search(read.flag):
            if read.bypass_line is not None:
                detail = (
                    f"line {read.bypass_line} sets {read.flag} to a constant just before `if {read.flag}`: "
                    "registration does not depend on any comparison"
                )
            else:
                detail = (
                    f"registers only when {read.flag} (computed at line {read.binding_line}) is set, but no "
                    "module sets it from a comparison with the current model or a threshold"
                )
            _add(by_path[reader_path], candidate=EvaluationGate(read.location, detail))
    for writer_path, write in writes:
        # A threshold comparison written to a file is everyday code; only a flag named as a decision
        # is worth explaining.
        if write not in matched and (write.against == "the current model" or _FLAG_NAME.search(write.flag)):
            detail = (
                f"writes {write.flag} after comparing with {write.against}, "
                "but no module reads it before registering"
            )
            _add(by_path[writer_path], candidate=EvaluationGate(write.location, detail))


def _closest(path: str, partners: list[tuple[str, FlagWrite]]) -> list[tuple[str, FlagWrite]]:
    """The partners nearest to *path* in the folder tree (a repo may hold several template variants)."""
    if len(partners) < 2:
        return partners
    folder = path.split("/")[:-1]

    def shared(other: str) -> int:
        count = 0
        for mine, theirs in zip(folder, other.split("/")[:-1], strict=False):
            if mine != theirs:
                break
            count += 1
        return count

    best = max(shared(p) for p, _ in partners)
    return [(p, w) for p, w in partners if shared(p) == best]


def _add(
    module: PythonModule, *, gate: EvaluationGate | None = None, candidate: EvaluationGate | None = None
) -> None:
    if gate is not None and gate not in module.gates:
        module.gates = (*module.gates, gate)
    if candidate is not None and candidate not in module.gate_candidates:
        module.gate_candidates = (*module.gate_candidates, candidate)
