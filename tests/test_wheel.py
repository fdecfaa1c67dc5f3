"""The built wheel, installed as users install it: no bytecode ships, none reaches a project.

An editable install reads the templates from the checkout, which has no bytecode, so only a real
wheel shows what users get. The checkout is copied (its git-tracked files), bytecode is planted in
its templates as a test run in place would leave it, and a wheel is built from the copy. The wheel
must hold no bytecode under templates/. Installing it lets pip compile every .py in it, template
sources included, as pip always does: `new` and `upgrade` run from that install must still write
only template files.

The wheel is installed without dependencies into a fresh virtual environment, which reaches the
suite's own packages through a .pth line appended after its site-packages (so mlops_ladder itself
comes from the wheel and nothing is downloaded but the build backend).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV

ROOT = Path(__file__).parent.parent
BYTECODE = ("__pycache__", ".pyc", ".pyo")


def is_bytecode(path: str) -> bool:
    return "/__pycache__/" in f"/{path}" or path.endswith(BYTECODE[1:])


def tracked_copy(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(wheel, bin folder of a venv where it is installed)."""
    work = tmp_path_factory.mktemp("wheel")
    source = tracked_copy(work / "source")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(source / "templates")],
                   check=True, capture_output=True)
    assert any((source / "templates").rglob("*.pyc")), "the planted bytecode is missing"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"),
                    str(source)], check=True, capture_output=True, text=True)
    [wheel] = (work / "dist").glob("mlops_ladder-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, text=True)
    site = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "zz_suite_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv / "bin"


@pytest.mark.slow
def test_the_wheel_ships_no_bytecode_under_templates(installed) -> None:
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    templates = [n for n in names if n.startswith("mlops_ladder/templates/")]
    assert any(n.endswith("/register.py") for n in templates)  # the template sources do ship
    assert [n for n in templates if is_bytecode(n)] == []


@pytest.mark.slow
def test_new_and_upgrade_from_the_wheel_write_only_template_files(installed, tmp_path: Path) -> None:
    _, bin_dir = installed
    env = {**os.environ, **GIT_ENV, "HOME": str(tmp_path)}
    env.pop("PYTHONPATH", None)

    def ladder(*args: str, cwd: Path = tmp_path) -> str:
        proc = subprocess.run([str(bin_dir / "mlops-ladder"), *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    locate = "import mlops_ladder; print(mlops_ladder.__file__)"
    where = subprocess.run([str(bin_dir / "python"), "-c", locate],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(bin_dir.parent))  # the package under test is the wheel's
    installed_templates = Path(where.strip()).parent / "templates"
    assert any(installed_templates.rglob("*.pyc")), "pip compiled no template sources: nothing tested"

    project = tmp_path / "project"
    ladder("new", str(project), "--level", "1", "--defaults")
    assert [p for p in project.rglob("*") if is_bytecode(p.relative_to(project).as_posix())] == []
    out = ladder("upgrade", "--to", "2", cwd=project)
    assert "pyc" not in out and "__pycache__" not in out
    assert [p for p in project.rglob("*") if is_bytecode(p.relative_to(project).as_posix())] == []
    assert (project / "src" / "churn_model" / "register.py").is_file()
