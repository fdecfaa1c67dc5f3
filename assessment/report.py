"""The one report model every renderer draws (terminal, JSON, Markdown, SARIF, HTML).

`Report.to_dict()` is the JSON form, versioned by SCHEMA_VERSION and described by
report.schema.json beside this file. Bump the major version on any breaking change.

Every text that comes from the repository (the target path, notes, what was found, evidence) is
made printable when the report is made (printable.py), so no renderer can pass a file name's
escape sequence, newline or non-UTF-8 byte through.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_ladder.assessment.checks.base import EvidenceRef, Outcome
from mlops_ladder.assessment.drift import DriftResult
from mlops_ladder.assessment.engine import (
    BASIS_CLAIM,
    DimensionStatus,
    Finding,
    LevelStatus,
    Score,
    Tally,
    evidence_level,
)
from mlops_ladder.assessment.evidence.common import Note
from mlops_ladder.assessment.printable import printable
from mlops_ladder.levels.catalog import MaturityModel

if TYPE_CHECKING:
    from mlops_ladder.assessment.baseline import Baseline

# 2.0: criteria are core or minor (`core` replaces `required`), levels and dimensions count core
# and minor criteria separately, dimensions have no level of their own, `gap` names what the next
# level needs.
# 2.1: findings say what decided them (`basis`, and the sources: `decided_by`) and carry the `answer`
# they rest on; `level_on_evidence`; `target.prefix` and `target.remote`; `baseline` (the change since
# an earlier report); `drift` between the infrastructure code and the live Azure estate.
SCHEMA_VERSION = "2.1"
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


@dataclass(frozen=True)
class SourceStatus:
    collected: bool
    detail: str


@dataclass(frozen=True)
class Target:
    path: str
    is_git: bool
    commit: str | None
    prefix: str = ""  # the folder's path inside its git work tree ("" at the top, else "sub/dir/")
    remote: str | None = None  # the repository's web address (from `origin`, without credentials)


@dataclass
class Report:
    tool_version: str
    generated_at: str
    target: Target
    sources: dict[str, SourceStatus]
    model: MaturityModel
    score: Score
    findings: list[Finding]
    notes: list[Note] = field(default_factory=list)
    drift: DriftResult | None = None  # None: Azure was not scanned, so nothing to compare
    baseline: Baseline | None = None  # the change since an earlier report (--baseline)

    def __post_init__(self) -> None:
        self.target = replace(self.target, path=printable(self.target.path))
        self.findings = [_printable_finding(f) for f in self.findings]
        self.notes = [Note(printable(n.path), printable(n.reason)) for n in self.notes]

    # -- the verdict ----------------------------------------------------------------------
    @property
    def level(self) -> int:
        return self.score.level

    @property
    def ceiling(self) -> int:
        return self.score.ceiling

    @property
    def level_on_evidence(self) -> int:
        """The level without the team's claims (answers to criteria the files could not show)."""
        return evidence_level(self.model, self.findings) if self.claims else self.level

    @property
    def claims(self) -> list[Finding]:
        """Criteria that rest on a claim: an answer where the rubric wants evidence in the files."""
        return [f for f in self.findings if f.basis == BASIS_CLAIM]

    @property
    def answered(self) -> list[Finding]:
        """Criteria that rest on an answer alone (claims included)."""
        return [f for f in self.findings if f.rests_on_answer]

    @property
    def level_name(self) -> str:
        return self.model.level(self.level).name

    @property
    def next_level(self) -> int | None:
        return self.level + 1 if self.level < self.model.max_level else None

    @property
    def levels(self) -> tuple[LevelStatus, ...]:
        return self.score.levels

    @property
    def dimensions(self) -> tuple[DimensionStatus, ...]:
        return self.score.dimensions

    def finding(self, criterion_id: str) -> Finding:
        return next(f for f in self.findings if f.criterion.id == criterion_id)

    def missing_core(self, level: int | None = None) -> list[Finding]:
        """Core capabilities of *level* (default: the next level) not met yet, failures first.
        These, and only these, stand between the repository and that level."""
        return self._unmet(level, core=True)

    def missing_minor(self, level: int | None = None) -> list[Finding]:
        """Minor practices of *level* (default: the next level) not met yet: remedies, not blockers."""
        return self._unmet(level, core=False)

    def lower_minor_unmet(self) -> list[Finding]:
        """Minor practices of the levels already reached that are not met (remedies to catch up on)."""
        return sorted(
            (
                f
                for f in self.findings
                if f.criterion.level <= self.level and not f.criterion.core and not f.outcome.is_met
            ),
            key=_gap_order,
        )

    def _unmet(self, level: int | None, *, core: bool) -> list[Finding]:
        level = self.next_level if level is None else level
        if level is None:
            return []
        unmet = (
            f
            for f in self.findings
            if f.criterion.level == level and f.criterion.core == core and not f.outcome.is_met
        )
        return sorted(unmet, key=_gap_order)

    # -- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "mlops-ladder", "version": self.tool_version},
            "generated_at": self.generated_at,
            "target": {
                "path": self.target.path,
                "is_git": self.target.is_git,
                "commit": self.target.commit,
                "prefix": self.target.prefix,
                "remote": self.target.remote,
            },
            "sources": {
                name: {"collected": s.collected, "detail": s.detail} for name, s in self.sources.items()
            },
            "level": self.level,
            "level_name": self.level_name,
            "level_on_evidence": self.level_on_evidence,
            "ceiling": self.ceiling,
            "next_level": self.next_level,
            "levels": [
                {
                    "number": s.number,
                    "name": s.name,
                    "reached": s.reached,
                    "core": _tally_dict(s.core),
                    "minor": _tally_dict(s.minor),
                }
                for s in self.levels
            ],
            "dimensions": [
                {"id": d.id, "name": d.name, "core": _tally_dict(d.core), "minor": _tally_dict(d.minor)}
                for d in self.dimensions
            ],
            "gap": {
                "level": self.next_level,
                "core": [f.criterion.id for f in self.missing_core()],
                "minor": [f.criterion.id for f in self.missing_minor()],
                "lower_minor": [f.criterion.id for f in self.lower_minor_unmet()],
            },
            "findings": [_finding_dict(f) for f in self.findings],
            "notes": [{"path": n.path, "reason": n.reason} for n in self.notes],
            **({"baseline": self.baseline.to_dict()} if self.baseline else {}),
            **({"drift": _drift_dict(self.drift)} if self.drift is not None else {}),
        }


def decided_by(finding: Finding) -> list[str]:
    """The sources whose outcome is the criterion's outcome (the ones that decided it)."""
    return [s.source for s in finding.sources if s.result.outcome == finding.outcome]


def _drift_dict(drift: DriftResult) -> dict[str, Any]:
    return {
        "items": [
            {
                "kind": d.kind,
                "type": d.type,
                "name": d.name,
                "azure_id": d.azure_id,
                "iac_location": d.iac_location,
                "property": d.property,
                "iac_value": d.iac_value,
                "azure_value": d.azure_value,
                "description": d.describe(),
            }
            for d in drift.items
        ],
        "notes": list(drift.notes),
    }


def _printable_finding(finding: Finding) -> Finding:
    return replace(
        finding,
        found=printable(finding.found),
        evidence=_printable_refs(finding.evidence),
        sources=tuple(
            replace(
                s,
                result=replace(
                    s.result, found=printable(s.result.found), evidence=_printable_refs(s.result.evidence)
                ),
            )
            for s in finding.sources
        ),
    )


def _printable_refs(refs: tuple[EvidenceRef, ...]) -> tuple[EvidenceRef, ...]:
    return tuple(EvidenceRef(printable(r.location), printable(r.detail)) for r in refs)


def _gap_order(finding: Finding) -> tuple[bool, int, str]:
    """Failures before unknowns, lower levels first, then by id."""
    return (finding.outcome != Outcome.FAIL, finding.criterion.level, finding.criterion.id)


def _tally_dict(tally: Tally) -> dict[str, int]:
    return {"total": tally.total, "met": tally.met, "failed": tally.failed, "unknown": tally.unknown}


def _finding_dict(finding: Finding) -> dict[str, Any]:
    c = finding.criterion
    return {
        "id": c.id,
        "name": c.name,
        "level": c.level,
        "dimension": c.dimension,
        "core": c.core,
        "outcome": finding.outcome.value,
        "found": finding.found,
        "looks_for": c.looks_for,
        "remedy": c.remedy,
        "layer": c.layer,
        "basis": finding.basis,
        "answer": _answer_dict(finding),
        "evidence": [{"location": e.location, "detail": e.detail} for e in finding.evidence],
        "decided_by": decided_by(finding),
        "sources": [
            {"source": s.source, "check": s.check, "outcome": s.result.outcome.value, "found": s.result.found}
            for s in finding.sources
        ],
    }


def _answer_dict(finding: Finding) -> dict[str, Any] | None:
    a = finding.answer
    if a is None:
        return None
    return {"value": a.value, "by": a.by, "at": a.at.isoformat(), "note": a.note, "stale": a.is_stale()}
