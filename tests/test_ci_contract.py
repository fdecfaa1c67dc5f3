"""CI runs what the README tells a new user to run, and fails where the README's run would.

.ci/run reads the README's two quick-start commands and runs them as written (with the pip that
Python bundles, nothing upgraded first); tests that need ../shared/ fail there instead of skipping.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CI_RUN = ROOT / ".ci" / "run"


def readme_quick_start() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [lines[i + 1] for i, line in enumerate(lines) if line.startswith(("# 1. ", "# 2. "))]


def test_ci_runs_the_readme_commands_as_written() -> None:
    proc = subprocess.run(
        ["bash", str(CI_RUN), "--commands"], capture_output=True, text=True, check=True, timeout=60
    )
    install_and_assess, install_and_test = readme_quick_start()
    assert proc.stdout.splitlines() == [install_and_assess, install_and_test]
    assert 'pip install -e ".[test]"' in install_and_test
    assert install_and_test.endswith("python -m pytest -q -n auto")
    assert "ruff check ." in install_and_test
    assert "pip install ." in install_and_assess and "mlops-ladder assess" in install_and_assess
    # CI gets no step the README does not show: pip is the one Python bundles
    script = CI_RUN.read_text(encoding="utf-8").splitlines()
    code = [line for line in script if not line.lstrip().startswith("#")]
    assert [line for line in code if re.search(r"\bpip\b|upgrade", line)] == []
    assert all("upgrade" not in command for command in readme_quick_start())


def test_tests_that_need_shared_data_fail_in_ci_and_skip_elsewhere(tmp_path: Path) -> None:
    test_file = tmp_path / "test_needs.py"
    test_file.write_text(
        "from pathlib import Path\n"
        "from tests.conftest import needs_shared\n\n"
        "@needs_shared(Path('/nonexistent/shared/bicep-types/index.json'))\n"
        "def test_it():\n"
        "    pass\n",
        encoding="utf-8",
    )

    def pytest_run(**env: str) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k != "MLOPS_LADDER_REQUIRE_SHARED"}
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
             "--rootdir", str(tmp_path), str(test_file)],
            capture_output=True, text=True, cwd=ROOT, env={**environment, **env}, timeout=120, check=False,
        )

    skipped = pytest_run()
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout
    failed = pytest_run(MLOPS_LADDER_REQUIRE_SHARED="1")
    assert failed.returncode == 1 and "1 error" in failed.stdout, failed.stdout
    assert "MLOPS_LADDER_REQUIRE_SHARED=1 makes this a failure" in failed.stdout
