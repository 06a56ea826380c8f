"""requirements-student.txt: the student environment, generated from the one lock (requirements.txt)."""

from trcourse.paths import ROOT
from trcourse.student_env import STUDENT_LOCK, pins, render

DEVELOPER_TOOLS = {"playwright", "sphinx", "jupyter-book", "myst-nb", "pytest", "ruff"}


def test_student_requirements_are_generated_from_the_lock():
    assert (ROOT / STUDENT_LOCK).read_text() == render(ROOT), (
        "requirements-student.txt is out of date: run `.venv/bin/trcourse student-requirements`")


def test_every_student_pin_is_the_lock_pin():
    lock = pins((ROOT / "requirements.txt").read_text())
    student = pins((ROOT / STUDENT_LOCK).read_text())
    assert {name: lock.get(name) for name in student} == student


def test_students_get_no_author_or_test_tools():
    student = pins((ROOT / STUDENT_LOCK).read_text())
    assert not DEVELOPER_TOOLS & student.keys()
    assert {"jupyterlab", "nbgrader", "ipykernel", "pandas", "matplotlib"} <= student.keys()
