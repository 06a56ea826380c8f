"""`trcourse validate` exits non-zero when a test fails (plain `nbgrader validate` exits 0), starts a
failure with one line per failing question, and a pass says hidden tests decide the grade."""

import subprocess
import sys

import nbformat
from conftest import ASSIGNMENTS

from trcourse.paths import ROOT


def _validate(notebook) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trcourse.cli", "validate", str(notebook)],
                          capture_output=True, text=True)


def test_solution_passes_and_says_what_a_pass_means():
    assignment = ASSIGNMENTS[0]
    solution = _validate(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    assert solution.returncode == 0, solution.stdout + solution.stderr
    assert solution.stdout.startswith("passed: ")
    assert "visible tests" in solution.stdout and "Hidden tests" in solution.stdout


def test_untouched_release_fails_with_one_line_per_question():
    assignment = ASSIGNMENTS[0]
    notebook = ROOT / "exercises" / assignment / f"{assignment}.ipynb"
    release = _validate(notebook)
    assert release.returncode == 1
    header, *lines, summary = release.stdout.strip().splitlines()
    assert header.startswith("FAILED: ") and "one line each" in header
    assert summary == "validated 1 notebooks: 1 failed"
    assert lines and all(line.startswith("  - ") for line in lines), release.stdout
    answers = [c.metadata["nbgrader"]["grade_id"] for c in nbformat.read(notebook, as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("solution")]
    named = [line[4:].split(":", 1)[0] for line in lines]
    assert set(named) <= set(answers), f"each line names a question's checked variable: {named}"
