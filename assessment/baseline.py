"""What changed since an earlier report (`--baseline OLD.json`): the level up or down, criteria newly
met, criteria lost, and other changes of outcome. Every renderer shows it; the Markdown form is
written for a pull-request comment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_ladder.assessment.report import Report

MET = ("pass", "not_applicable")


@dataclass(frozen=True)
class Change:
    id: str
    name: str
    level: int
    core: bool
    before: str | None  # the outcome in the baseline (None: not in it, a criterion added since)
    after: str | None  # the outcome now (None: no longer evaluated)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "level": self.level,
            "core": self.core,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Baseline:
    source: str  # the baseline file as given
    generated_at: str
    commit: str | None
    level_before: int
    level_after: int
    newly_met: tuple[Change, ...]
    lost: tuple[Change, ...]
    other: tuple[Change, ...]  # failed <-> unknown, added or removed criteria

    @property
    def level_change(self) -> int:
        return self.level_after - self.level_before

    @property
    def unchanged(self) -> bool:
        return not (self.level_change or self.newly_met or self.lost or self.other)

    def headline(self) -> str:
        """One line: "level 2 -> 3 (up 1); 4 criteria newly met, 1 lost"."""
        if self.level_change > 0:
            move = f"level {self.level_before} -> {self.level_after} (up {self.level_change})"
        elif self.level_change < 0:
            move = f"level {self.level_before} -> {self.level_after} (down {-self.level_change})"
        else:
            move = f"level {self.level_after} (unchanged)"
        met = len(self.newly_met)
        counts = f"{met} {'criterion' if met == 1 else 'criteria'} newly met, {len(self.lost)} lost"
        return f"{move}; {counts}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "generated_at": self.generated_at,
            "commit": self.commit,
            "level_before": self.level_before,
            "level_after": self.level_after,
            "level_change": self.level_change,
            "newly_met": [c.to_dict() for c in self.newly_met],
            "lost": [c.to_dict() for c in self.lost],
            "other": [c.to_dict() for c in self.other],
        }


def compare(old: dict[str, Any], report: Report, *, source: str) -> Baseline:
    """The change from the JSON report *old* to *report*."""
    before = {f["id"]: f for f in old["findings"]}
    after = {f.criterion.id: f for f in report.findings}
    newly_met, lost, other = [], [], []
    for cid in sorted(set(before) | set(after)):
        was = before[cid]["outcome"] if cid in before else None
        now = after[cid].outcome.value if cid in after else None
        if was == now:
            continue
        entry = after.get(cid)
        if entry is not None:
            change = Change(cid, entry.criterion.name, entry.criterion.level, entry.criterion.core, was, now)
        else:
            b = before[cid]
            change = Change(cid, b["name"], b["level"], b["core"], was, now)
        if now in MET and was not in MET:
            newly_met.append(change)
        elif was in MET and now not in MET:
            lost.append(change)
        else:
            other.append(change)
    return Baseline(
        source=source,
        generated_at=old["generated_at"],
        commit=old["target"].get("commit"),
        level_before=old["level"],
        level_after=report.level,
        newly_met=tuple(sorted(newly_met, key=_order)),
        lost=tuple(sorted(lost, key=_order)),
        other=tuple(sorted(other, key=_order)),
    )


def with_baseline(report: Report, path: Path) -> Report:
    """*report* with the change since the JSON report in *path* (a one-line error if it is not one)."""
    from mlops_ladder.assessment.report_io import read_report_json

    report.baseline = compare(read_report_json(path), report, source=str(path))
    return report


def baseline_from_dict(data: dict[str, Any]) -> Baseline:
    def changes(key: str) -> tuple[Change, ...]:
        return tuple(
            Change(c["id"], c["name"], c["level"], c["core"], c["before"], c["after"]) for c in data[key]
        )

    return Baseline(
        data["source"],
        data["generated_at"],
        data["commit"],
        data["level_before"],
        data["level_after"],
        changes("newly_met"),
        changes("lost"),
        changes("other"),
    )


def _order(change: Change) -> tuple[bool, int, str]:
    """Core capabilities first (they move the level), then by level and id."""
    return (not change.core, change.level, change.id)
