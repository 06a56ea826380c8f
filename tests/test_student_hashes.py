"""No graded item can be answered by reversing its hash.

A hashed check of a rounded number has few possible values: trying them recovers the answer. So a
hashed check is allowed on a letter answer (the student may try every letter in the visible test
anyway: multiple choice is a self-check) or on a function's result when the hidden tests call the
function again on other data than the setup cell's tables; a numeric answer has no hashed check.
"""

import ast
import re
import textwrap

import nbformat
import pytest
from conftest import ASSIGNMENTS

from trcourse.paths import ROOT

HASHED = "### HASHED AUTOTEST"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _setup_names(nb) -> set[str]:
    """The names the read-only setup cell assigns (the data a visible test is run on)."""
    setup = next(c for c in nb.cells if _nbgrader(c).get("grade_id") == "setup")
    return {t.id for node in ast.walk(ast.parse(setup.source)) if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def _is_letter_answer(answer: str) -> bool:
    body = ast.parse(textwrap.dedent(SOLUTION.search(answer)[1])).body
    return (len(body) == 1 and isinstance(body[0], ast.Assign)
            and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str))


def _rerun_on_other_data(function: str, hidden: str, setup: set[str]) -> bool:
    """Whether the hidden tests call ``function`` with an argument other than the setup's tables."""
    calls = [n for n in ast.walk(ast.parse(hidden)) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == function]
    return any(ast.unparse(arg) not in setup for call in calls for arg in call.args)


def hashed_items(assignment: str):
    """(grade_id, answer source, test source) of every graded test cell with a hashed check."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {_nbgrader(c)["grade_id"]: c.source for c in nb.cells if _nbgrader(c).get("solution")}
    for cell in nb.cells:
        if _nbgrader(cell).get("grade") and HASHED in cell.source:
            grade_id = _nbgrader(cell)["grade_id"].removesuffix("_test")
            yield grade_id, answers[grade_id], cell.source, _setup_names(nb)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_graded_item_rests_on_a_reversible_hash(assignment):
    weak = []
    for grade_id, answer, test, setup in hashed_items(assignment):
        if _is_letter_answer(answer):
            continue
        hidden = HIDDEN.search(test)
        is_function = re.search(rf"^def {re.escape(grade_id)}\(", answer, re.M)
        if not (is_function and hidden and _rerun_on_other_data(grade_id, hidden[1], setup)):
            weak.append(grade_id)
    assert not weak, (f"hashed checks that a student can reverse (give them a hidden test that reruns "
                      f"the function on other data, or drop the hash): {weak}")


def test_the_check_catches_a_hashed_number():
    answer = "### BEGIN SOLUTION\nq3 = 4 * 1.32\n### END SOLUTION"
    assert not _is_letter_answer(answer)
    assert not _rerun_on_other_data("f", "assert f(pups) == 2", {"pups"})
    assert _rerun_on_other_data("f", "for d in (pups, pups.sample(frac=0.5)):\n    f(d)", {"pups"})
