"""Show a plan of file changes to people: one line per file, then what to wire by hand."""

from __future__ import annotations

import sys

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
}
ORDER = list(LABEL)


def show_plan(plan: Plan, *, out=None) -> None:
    out = out or sys.stdout
    if not plan.changes:
        print("  nothing to change", file=out)
    for change in sorted(plan.changes, key=lambda c: (ORDER.index(c.action), c.path)):
        print(f"  {LABEL[change.action]:<11} {change.path}  [{change.layer}]", file=out)
    wiring = [c for c in plan.changes if "wire by hand" in c.note or "assumes" in c.note]
    if wiring:
        print("\nWire by hand:", file=out)
        for change in wiring:
            print(f"  - {change.path}: {change.note}", file=out)
    for note in plan.notes:
        print(f"\nNote: {note}", file=out)


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
            print(f"  {change.path}", file=out)
