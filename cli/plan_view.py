"""Show a plan of file changes to people: one line per file, then what to wire by hand.
Paths and notes may name the user's files: they are printed through printable() (no raw escapes)."""

from __future__ import annotations

import sys

from mlops_ladder.assessment.printable import printable
from mlops_ladder.generator.changes import Plan
from mlops_ladder.generator.merge import Action

LABEL = {
    Action.ADD: "add",
    Action.UPDATE: "update",
    Action.MERGE: "merge",
    Action.CONFLICT: "CONFLICT",
    Action.REMOVE: "remove",
    Action.SKIP_OWN: "keep yours",
    Action.SKIP_DELETED: "skip",
    Action.KEEP_EDITED: "keep yours",
    Action.NOT_ADDED: "not added",
    Action.LINK_SKIPPED: "skip (link)",
}
ORDER = list(LABEL)


def show_plan(plan: Plan, *, out=None) -> None:
    out = out or sys.stdout
    if not plan.changes:
        print("  nothing to change", file=out)
    for change in sorted(plan.changes, key=lambda c: (ORDER.index(c.action), c.path)):
        print(f"  {LABEL[change.action]:<11} {printable(change.path)}  [{change.layer}]", file=out)
    wiring: dict[str, list[str]] = {}  # one note, many files (tests/training/* share theirs)
    for change in plan.changes:
        if "wire by hand" in change.note or "assumes" in change.note or change.action == Action.NOT_ADDED:
            wiring.setdefault(change.note, []).append(change.path)
    if wiring:
        print("\nWire by hand:", file=out)
        for note, paths in wiring.items():
            shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            print(printable(f"  - {shown}: {note}"), file=out)
    for note in plan.notes:
        print(f"\nNote: {printable(str(note))}", file=out)
    for warning in plan.warnings:
        print(printable(f"\nWarning: {warning}"), file=out)


def show_outcome(plan: Plan, *, out=None) -> None:
    out = out or sys.stdout
    if not plan.writes:
        print("\nNothing changed.", file=out)
        return
    counts = {a: len(plan.of(a)) for a in Action if plan.of(a)}
    summary = ", ".join(f"{n} {LABEL[a]}" for a, n in counts.items())
    print(f"\nDone: {summary}. Review with `git diff`, then commit.", file=out)
    if plan.conflicts:
        print("Conflicts to resolve (both versions are in the file between <<<<<<< and >>>>>>>):", file=out)
        for change in plan.conflicts:
            print(f"  {printable(change.path)}", file=out)
