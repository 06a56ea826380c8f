"""Failures around student code: a worker killed by it, and a kernel the machinery cannot start.

Real nbgrader, real kernels. Without the sandbox a submission can kill its worker: that worker is
replaced and only that submission fails. A kernel that cannot start is retried, then reported as
``infrastructure_error`` (never scored 0), and ``--remaining`` grades it once the cause is fixed.
"""

import shutil

import pandas as pd
import pytest
from conftest import ASSIGNMENTS
from nbgrader.api import Gradebook

from trcourse.cli import main
from trcourse.grading import practice
from trcourse.grading.autograde import Limits, grade, load_outcomes
from trcourse.grading.course import open_api
from trcourse.grading.export import scores
from trcourse.grading.synthetic_class import assignment_items, submit

pytestmark = [pytest.mark.skipif(not ASSIGNMENTS, reason="no assignment yet"), pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]
ASSIGNMENT = ASSIGNMENTS[0] if ASSIGNMENTS else ""
KILL_PARENT = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"


def _class(released_course, tmp_path, students: dict[str, str]):
    """A course copy where each student gives the right answers, the first preceded by some code."""
    course = tmp_path / "course"
    shutil.copytree(released_course, course)
    (course / practice.MARKER).write_text("")  # a throw-away copy: synthetic students allowed
    items = assignment_items(course, ASSIGNMENT)
    right = {item.answer: item.solution for item in items}
    for student, code in students.items():
        submit(course, ASSIGNMENT, student, {**right, items[0].answer: code + right[items[0].answer]})
    return course, items


def _scores(course, items) -> pd.DataFrame:
    api = open_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return scores(gradebook, ASSIGNMENT, [item.test.removesuffix("_test") for item in items])


def test_unsandboxed_a_submission_that_kills_its_worker_ends_only_itself(released_course, tmp_path):
    course, items = _class(released_course, tmp_path, {"honest": "", "killer": KILL_PARENT})
    limits = Limits(cell_timeout=10, memory_mb=512, sandbox=False)
    table = grade(course, ASSIGNMENT, workers=1, limits=limits, progress=False).set_index("student")
    assert table.outcome.to_dict() == {"honest": "graded", "killer": "worker_killed"}, table.detail.to_dict()
    assert _scores(course, items).loc["honest"].sum() == sum(item.points for item in items)
    assert load_outcomes(course, ASSIGNMENT).outcome.tolist() == ["graded", "worker_killed"]


def test_a_kernel_that_cannot_start_is_named_not_scored_and_graded_later(released_course, tmp_path, capsys):
    course, items = _class(released_course, tmp_path, {"first": "", "second": ""})
    config = course / "nbgrader_config.py"
    original = config.read_text()
    config.write_text(original + "\nc.GradingKernelManager.cpu_s = 0  # killed while starting\n")
    table = grade(course, ASSIGNMENT, workers=2, limits=Limits(cell_timeout=10, memory_mb=512),
                  progress=False).set_index("student")
    assert set(table.outcome) == {"infrastructure_error"}, table.detail.to_dict()
    assert all("before any cell ran" in detail for detail in table.detail)
    assert not (_scores(course, items) == 0).any().any(), "a machinery failure is not scored 0"

    config.write_text(original)
    status = main(["--root", str(course), "grade", ASSIGNMENT, "--remaining", "--workers", "2"])
    assert status == 0, capsys.readouterr().out
    outcomes = load_outcomes(course, ASSIGNMENT).set_index("student")
    assert outcomes.outcome.to_dict() == {"first": "graded", "second": "graded"}
    assert (_scores(course, items).sum(axis=1) == sum(item.points for item in items)).all()
    assert main(["--root", str(course), "grade", ASSIGNMENT, "--remaining"]) == 0
    assert load_outcomes(course, ASSIGNMENT).set_index("student").equals(outcomes), "nothing was left"
