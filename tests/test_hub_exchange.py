"""One machine (`make lab`): the course's own exchange and work folder, with nbgrader's commands.

Release, fetch, submit and collect go through the git-ignored exchange/ that nbgrader_config.py
makes in the course (never nbgrader's default under /usr/local/share); fetched work lands in
my-work/, never in the tracked exercises/.
"""

import getpass
import os
import subprocess

import pytest
from conftest import make_course_copy

from trcourse.release import nbgrader_env

pytestmark = pytest.mark.slow

ASSIGNMENT = "ch02_inhibitors"


def nbgrader(course, *args: str) -> str:
    env = {k: v for k, v in nbgrader_env().items() if not k.startswith("TRCOURSE_")}
    result = subprocess.run(["nbgrader", *args], cwd=course, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_release_fetch_submit_collect_in_the_course(tmp_path):
    course = make_course_copy(tmp_path / "course")
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    released = (course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    log = nbgrader(course, "release_assignment", ASSIGNMENT)
    assert "/usr/local/share" not in log
    assert (course / "exchange" / "treatment-resistance" / "outbound" / ASSIGNMENT).is_dir()

    nbgrader(course, "fetch_assignment", ASSIGNMENT)
    fetched = course / "my-work" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.read_text() == released
    fetched.write_text(released.replace("YOUR ANSWER HERE", "My written answer."))
    nbgrader(course, "submit", ASSIGNMENT)
    nbgrader(course, "collect", ASSIGNMENT)

    submitted = course / "submitted" / getpass.getuser() / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "My written answer." in submitted.read_text()
    assert (course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text() == released
    assert os.access(course / "exchange", os.W_OK)
