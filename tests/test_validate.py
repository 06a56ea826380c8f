"""`trcourse validate` exits non-zero when a test fails (plain `nbgrader validate` exits 0)."""

import subprocess
import sys

from conftest import ASSIGNMENTS

from trcourse.paths import ROOT


def _validate(notebook) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trcourse.cli", "validate", str(notebook)],
                          capture_output=True, text=True)


def test_solution_passes_and_untouched_release_fails():
    assignment = ASSIGNMENTS[0]
    solution = _validate(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    assert solution.returncode == 0, solution.stdout + solution.stderr
    release = _validate(ROOT / "exercises" / assignment / f"{assignment}.ipynb")
    assert release.returncode == 1
    assert "test failed" in release.stdout and "NotImplementedError" in release.stdout
