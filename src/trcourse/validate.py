"""Validate notebooks like ``nbgrader validate``, with an exit code CI can trust (nbgrader #1908).

The report says the truth about a self-check: it starts with one line per failing question, and a
pass says what was checked (the visible tests only) and that hidden tests decide the grade.
"""

from pathlib import Path

import nbformat
from nbconvert.filters import strip_ansi
from nbgrader.validator import Validator

PASSED = ("passed: {notebook}: the visible tests of all {tests} graded cells pass (format and, where "
          "hashed, the answer). Hidden tests, run at grading, decide the grade.")


def _question(source: str, test_cells: dict[str, str]) -> str:
    """The grade_id of the answer a failing graded cell checks (``<answer>_test`` -> ``<answer>``)."""
    grade_id = test_cells.get(source.strip(), "a graded cell")
    return grade_id.removesuffix("_test")


def _last_line(error: str) -> str:
    lines = [line.strip() for line in strip_ansi(error).splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def problems(notebook: Path) -> list[str]:
    """One line per problem that stops a notebook passing its tests, question first; empty if none."""
    results = Validator().validate(str(notebook))
    nb = nbformat.read(notebook, as_version=4)
    test_cells = {c.source.strip(): c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
    found = [f"cell type changed: {c['source'][:60]!r}" for c in results.get("type_changed", [])]
    found += [f"locked cell edited: {c['source'][:60]!r}" for c in results.get("changed", [])]
    found += [f"{_question(c['source'], test_cells)}: {_last_line(c['raw_error'])}"
              for c in results.get("failed", [])]
    return found


def graded_test_cells(notebook: Path) -> int:
    """How many autograded test cells a notebook has (what a pass vouches for)."""
    nb = nbformat.read(notebook, as_version=4)
    return sum(1 for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))


def report(notebook: Path) -> tuple[bool, str]:
    """(passed, text): a summary line per failing question, or what a pass means."""
    found = problems(notebook)
    if not found:
        return True, PASSED.format(notebook=notebook, tests=graded_test_cells(notebook))
    lines = [f"FAILED: {notebook}: {len(found)} problem(s), one line each:"]
    return False, "\n".join(lines + [f"  - {problem}" for problem in found])
