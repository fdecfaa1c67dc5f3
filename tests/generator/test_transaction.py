"""Interrupting `upgrade` (Ctrl-C) or failing at any point of the apply step leaves the tree exactly
as it was: same bytes and modes, no temporary file, no empty folder. The fault hook of
changes.apply() is called at every point between two file operations; each test interrupts at
each point in turn."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlops_ladder.generator import transaction
from mlops_ladder.generator.changes import FileChange, Plan, apply
from mlops_ladder.generator.merge import Action
from mlops_ladder.generator.new import new_project
from mlops_ladder.generator.questions import complete
from mlops_ladder.generator.upgrade import plan_upgrade


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every entry under *root* but .git: kind, mode and bytes."""
    entries = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git":
            continue
        info = path.lstat()
        kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
        data = path.read_bytes() if kind == "file" else os.readlink(path).encode() if kind == "link" else b""
        entries[rel.as_posix()] = (kind, info.st_mode & 0o7777, data)
    return entries


def synthetic(root: Path) -> Plan:
    """A plan with every kind of operation: new files in new nested folders, an update of an
    executable file, a merge, a removal, and a new file in an existing folder."""
    (root / "scripts").mkdir(parents=True)
    run_sh = root / "scripts" / "run.sh"
    run_sh.write_text("#!/bin/sh\necho old\n")
    run_sh.chmod(0o750)
    (root / "README.md").write_text("# mine\n")
    (root / "old.txt").write_text("dropped by the template\n")
    (root / "private.cfg").write_text("secret = 1\n")
    (root / "private.cfg").chmod(0o600)
    return Plan(
        root,
        [
            FileChange("a/b/c/new.yml", Action.ADD, "level-2", b"x: 1\n"),
            FileChange("a/b/other.yml", Action.ADD, "level-2", b"y: 2\n"),
            FileChange("scripts/run.sh", Action.UPDATE, "level-1", b"#!/bin/sh\necho new\n", b""),
            FileChange("README.md", Action.MERGE, "level-1", b"# mine\n\nmore\n", b"# mine\n"),
            FileChange("old.txt", Action.REMOVE, "level-1", None, b"dropped by the template\n"),
            FileChange("private.cfg", Action.CONFLICT, "level-1", b"<<<<<<<\nsecret = 2\n>>>>>>>\n", b""),
            FileChange("scripts/new.py", Action.ADD, "level-2", b"print(1)\n"),
            FileChange("empty.txt", Action.ADD, "level-2", b""),
        ],
    )


def points_of(make_plan) -> list[str]:
    """The fault points of one full run of the plan (applied to a throw-away copy)."""
    seen: list[str] = []
    apply(make_plan(), fault=seen.append)
    return seen


def interrupt_at(index: int, error: type[BaseException] = KeyboardInterrupt):
    calls = iter(range(1_000_000))

    def fault(operation: str) -> None:
        if next(calls) == index:
            raise error(f"injected at {operation}")

    return fault


def sigint_at(index: int, struck: list[str]):
    calls = iter(range(1_000_000))

    def fault(operation: str) -> None:
        if next(calls) == index:
            os.kill(os.getpid(), signal.SIGINT)  # arrives now; raised only at the checkpoint
            struck.append(operation)

    return fault


def test_every_operation_kind_is_undone_at_every_point(tmp_path: Path) -> None:
    counter = iter(range(1_000_000))

    def fresh() -> Plan:
        return synthetic(tmp_path / f"t{next(counter)}")

    points = points_of(fresh)
    assert len(points) >= 30 and any(p.startswith("remove ") for p in points)
    assert any(p.startswith("create folder ") for p in points)
    for index in range(len(points)):
        plan = fresh()
        before = snapshot(plan.root)
        for error in (KeyboardInterrupt, OSError):
            with pytest.raises(error):
                apply(plan, fault=interrupt_at(index, error))
            assert snapshot(plan.root) == before, f"not undone when interrupted at {points[index]!r}"


def test_a_completed_apply_writes_what_was_planned_with_sensible_modes(tmp_path: Path) -> None:
    plan = synthetic(tmp_path / "t")
    apply(plan)
    after = snapshot(plan.root)
    assert after["scripts/run.sh"] == ("file", 0o750, b"#!/bin/sh\necho new\n")  # its mode kept
    assert after["private.cfg"][1] == 0o600
    umask = os.umask(0o022)
    os.umask(umask)
    assert after["a/b/c/new.yml"][1] == 0o666 & ~umask  # not mkstemp's 0o600
    assert "old.txt" not in after and not any("mlops-ladder-tmp" in p for p in after)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("gen") / "project"
    new_project(dest, 1, complete({"name_suffix": "ab12"}, 1))
    return dest


def test_interrupting_a_real_upgrade_at_every_point_leaves_the_repository_as_it_was(
    generated: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(generated, root, symlinks=True)
    planned = plan_upgrade(root, 2)  # 20 files added in new folders, the level-1 answers file updated
    before = snapshot(root)
    throwaway = tmp_path / "throwaway"
    shutil.copytree(generated, throwaway, symlinks=True)
    points = points_of(lambda: Plan(throwaway, planned.plan.changes))
    assert len(points) > 80
    for index in range(len(points)):
        with pytest.raises(KeyboardInterrupt):
            apply(planned.plan, fault=interrupt_at(index))
        assert snapshot(root) == before, f"not undone when interrupted at {points[index]!r}"
    apply(planned.plan)  # and uninterrupted, it completes
    assert (root / "mlops" / "azureml" / "train" / "pipeline.yml").is_file()


def test_a_real_sigint_is_deferred_to_the_next_point_and_everything_is_undone(tmp_path: Path) -> None:
    counter = iter(range(1_000_000))

    def fresh() -> Plan:
        return synthetic(tmp_path / f"t{next(counter)}")

    points = points_of(fresh)
    for index in range(len(points)):
        plan = fresh()
        before = snapshot(plan.root)
        struck: list[str] = []
        with pytest.raises(KeyboardInterrupt):
            apply(plan, fault=sigint_at(index, struck))
        assert struck and snapshot(plan.root) == before, f"not undone after SIGINT at {points[index]!r}"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_a_second_ctrl_c_during_the_rollback_does_not_stop_it(tmp_path: Path, monkeypatch) -> None:
    plan = synthetic(tmp_path / "t")
    before = snapshot(plan.root)
    original = transaction._put_back

    def interrupted_put_back(*args) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # ignored while the tree is put back
        original(*args)

    monkeypatch.setattr(transaction, "_put_back", interrupted_put_back)
    points = points_of(lambda: synthetic(tmp_path / "throwaway"))
    with pytest.raises(KeyboardInterrupt):
        apply(plan, fault=interrupt_at(len(points) - 1))
    assert snapshot(plan.root) == before


def test_sigint_from_another_process_during_upgrade_leaves_the_repository_as_it_was(
    generated: Path, tmp_path: Path
) -> None:
    """The real thing: a separate process applies an upgrade and is sent SIGINT from outside
    while it waits at a point of the apply step (a few points spread over the whole run)."""
    script = textwrap.dedent(
        """
        import signal, sys, time
        from pathlib import Path
        from mlops_ladder.generator.changes import apply
        from mlops_ladder.generator.upgrade import plan_upgrade

        root, stop_at = Path(sys.argv[1]), int(sys.argv[2])
        planned = plan_upgrade(root, 2)
        calls = iter(range(10**6))

        def fault(operation):
            if next(calls) != stop_at:
                return
            deferring, arrived = signal.getsignal(signal.SIGINT), []

            def seen(signum, frame):  # note the arrival, then let the transaction's handler defer it
                arrived.append(signum)
                deferring(signum, frame)

            signal.signal(signal.SIGINT, seen)
            print("waiting", flush=True)
            while not arrived:  # the signal lands here, with an operation of the apply step next
                time.sleep(0.01)
            signal.signal(signal.SIGINT, deferring)

        try:
            apply(planned.plan, fault=fault)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("finished", flush=True)
        """
    )
    for stop_at in (0, 41, 79):  # of more than 80 points
        root = tmp_path / f"p{stop_at}"
        shutil.copytree(generated, root, symlinks=True)
        before = snapshot(root)
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(root), str(stop_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if proc.stdout.readline().strip() != "waiting":
            out, err = proc.communicate(timeout=60)
            pytest.fail(f"the upgrade did not start ({proc.returncode}): {out} {err[-2000:]}")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "interrupted" in out
        assert snapshot(root) == before, f"not undone after SIGINT at point {stop_at}"
