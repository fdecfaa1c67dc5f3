"""Property: whatever a user edits in a generated project, `update` to a changed template version
and then `upgrade` to the next level never lose the edit silently. Every edited line is still in
its file (merged, kept, or between conflict markers of a file reported as conflicted). When the
update's conflicts are committed unresolved, the upgrade refuses (exit 4) instead of nesting markers."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_ladder.errors import RefusedError
from mlops_ladder.generator.changes import apply
from mlops_ladder.generator.update import plan_update
from mlops_ladder.generator.upgrade import plan_upgrade
from tests.generator.projects import commit_all, generate
from tests.generator.test_upgrade import changed_source  # noqa: F401 (fixture)

# Files the newer template version or the upgrade also change: edits there exercise the 3-way merge.
CONTESTED = ("README.md", ".github/workflows/ci.yml")

EDIT = st.tuples(
    st.one_of(st.integers(min_value=0, max_value=10_000), st.sampled_from(CONTESTED[:2])),  # which file
    st.floats(min_value=0.0, max_value=1.0),  # where in it
    st.sampled_from(["insert", "replace", "append"]),
)


def editable_files(root: Path) -> list[Path]:
    """Text files of the project a user might edit (not git's, not the tool's answers files)."""
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] not in (".git", ".mlops-ladder"):
            data = path.read_bytes()
            if b"\0" not in data and len(data) < 200_000:
                files.append(path)
    return files


def apply_edit(path: Path, where: float, kind: str, marker: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    position = min(int(where * len(lines)), max(len(lines) - 1, 0))
    if kind == "append" or not lines:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(f"{marker}\n")
    elif kind == "insert":
        lines.insert(position, f"{marker}\n")
    else:
        lines[position] = f"{marker}\n"
    path.write_text("".join(lines), encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, min_size=1, max_size=4))
def test_update_then_upgrade_never_loses_a_user_edit(edits, tmp_path_factory, changed_source) -> None:  # noqa: F811
    base = tmp_path_factory.getbasetemp() / "property-base"
    if not base.exists():
        generate(base, 1)
    root = tmp_path_factory.mktemp("edited") / "p"
    shutil.copytree(base, root, symlinks=True)
    candidates = editable_files(root)
    markers: dict[str, Path] = {}
    for n, (which, where, kind) in enumerate(edits):
        target = root / which if isinstance(which, str) else candidates[which % len(candidates)]
        marker = f"USER-EDIT-{n}-{kind}"
        apply_edit(target, where, kind, marker)
        markers[marker] = target
    # a later edit may replace an earlier one's line: what counts is what the user committed
    markers = {m: path for m, path in markers.items() if m in path.read_text(encoding="utf-8")}
    commit_all(root, "user edits")

    update = plan_update(root, changed_source)
    apply(update.plan)
    conflicted = {c.path for c in update.plan.conflicts}
    commit_all(root, "after update")
    try:
        upgrade = plan_upgrade(root, source=changed_source)
    except RefusedError as refused:  # the update's conflicts were committed unresolved: never nested
        assert conflicted and str(refused).split(":")[0] in conflicted, refused
    else:
        apply(upgrade.plan)
        conflicted |= {c.path for c in upgrade.plan.conflicts}

    for marker, path in markers.items():
        assert path.exists(), f"{path.relative_to(root)} was deleted although the user edited it"
        assert marker in path.read_text(encoding="utf-8"), f"{marker} lost from {path.relative_to(root)}"
    for path in editable_files(root):
        rel = path.relative_to(root).as_posix()
        if "<<<<<<< " in path.read_text(encoding="utf-8"):
            assert rel in conflicted, f"{rel} has conflict markers but was not reported as conflicted"
