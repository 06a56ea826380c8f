"""Feedback sanitising on real tracebacks: two test cells run in a real kernel, then cleaned.

(The whole feedback step, nbgrader's generate_feedback included, is tested on a synthetic class
in test_grading_pipeline.)
"""

import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from trcourse.grading.feedback import HIDDEN_ERROR, PLACEHOLDER, HideHiddenTests

pytestmark = pytest.mark.slow
HIDDEN_FAILS = """answer = 3
assert isinstance(answer, int), "answer should be an int"
### BEGIN HIDDEN TESTS
assert answer == 42, "expected 42"
### END HIDDEN TESTS"""
VISIBLE_FAILS = """value = "7"
assert isinstance(value, int), "value should be an int: use int(...)"
### BEGIN HIDDEN TESTS
assert value == 7, "expected seven"
### END HIDDEN TESTS"""
PRINTED_TRACEBACK = """### BEGIN HIDDEN TESTS
import traceback
try:
    expected_total = int("forty-two")
except ValueError:
    traceback.print_exc()
### END HIDDEN TESTS"""
LIBRARY_FAILS = """import json, sys
print("running in", sys.prefix)
json.loads("{not json")"""


@pytest.fixture(scope="module")
def cleaned():
    nb = new_notebook(cells=[new_code_cell(HIDDEN_FAILS), new_code_cell(VISIBLE_FAILS),
                             new_code_cell(LIBRARY_FAILS), new_code_cell(PRINTED_TRACEBACK)])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    HideHiddenTests().preprocess(nb, {})
    return nb.cells


def _text(cell) -> str:
    return cell.source + "\n".join(line for out in cell.outputs for line in out.get("traceback", []))


def test_hidden_tests_are_replaced_by_a_placeholder(cleaned):
    for cell in cleaned[:2]:
        assert PLACEHOLDER in cell.source and "HIDDEN TESTS" not in _text(cell)
        assert "42" not in _text(cell) and "value == 7" not in _text(cell)


def test_an_error_raised_by_a_hidden_test_shows_no_message(cleaned):
    [error] = [out for out in cleaned[0].outputs if out.output_type == "error"]
    assert error.ename == "AssertionError" and error.evalue == HIDDEN_ERROR
    assert "expected 42" not in _text(cleaned[0])


def test_a_visible_test_keeps_its_message_and_traceback(cleaned):
    [error] = [out for out in cleaned[1].outputs if out.output_type == "error"]
    assert error.evalue == "value should be an int: use int(...)"
    assert "assert isinstance(value, int)" in _text(cleaned[1])
    assert "expected seven" not in _text(cleaned[1])
    nbformat.validate(nbformat.v4.new_notebook(cells=cleaned))


def test_server_paths_are_shortened_and_library_frames_keep_their_package_path(cleaned):
    shown = _text(cleaned[2]) + "".join(out.get("text", "") for out in cleaned[2].outputs)
    assert sys.prefix not in shown and sys.base_prefix not in shown and "site-packages" not in shown
    assert "json/decoder.py" in shown and "JSONDecodeError" in shown
    assert "IPython/" not in shown and "ipykernel" not in shown


def test_a_traceback_printed_by_hidden_code_is_removed(cleaned):
    """IPython prints a plain traceback to stderr when it cannot show one (e.g. memory is short)."""
    [stream] = [out for out in cleaned[3].outputs if out.output_type == "stream"]
    assert stream.name == "stderr" and HIDDEN_ERROR in stream.text
    assert "forty-two" not in stream.text and "expected_total" not in stream.text
