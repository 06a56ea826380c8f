"""The gradebook on PostgreSQL (a class with several graders): `trcourse grade` scores the same
submissions exactly as it does on the default SQLite gradebook. Real Debian PostgreSQL on 127.0.0.1.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pandas as pd
import pytest
from conftest import make_course_copy
from nbgrader.api import Gradebook

from trcourse.cli import main
from trcourse.grading import practice
from trcourse.grading.export import grades_table
from trcourse.paths import ROOT

pytestmark = pytest.mark.slow

ASSIGNMENT = "ch02_inhibitors"
POSTGRES = ROOT / "deploy" / "postgres.py"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL cluster on 127.0.0.1 (deploy/postgres.py); skipped loudly when missing."""
    if not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        message = ("POSTGRESQL NOT INSTALLED: the PostgreSQL gradebook was not tested "
                   "(apt-get install postgresql; .ci/run does).")
        if os.environ.get("CI") == "true":
            pytest.fail(message + " CI must run it.")
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="trcourse-pg-")
    os.chmod(folder, 0o755)  # the server runs as `postgres` when we are root
    run = [sys.executable, str(POSTGRES)]
    url = subprocess.run([*run, "start", folder, str(free_port())], check=True, capture_output=True,
                         text=True).stdout.strip()
    yield url
    subprocess.run([*run, "stop", folder], check=True)
    shutil.rmtree(folder)


def test_grade_gives_identical_scores_on_postgresql_and_sqlite(tmp_path, postgres_url, monkeypatch):
    course = make_course_copy(tmp_path / "course")
    (course / practice.MARKER).write_text("")  # a throw-away copy: synthetic students allowed
    on_pg = ["--root", str(course), "--gradebook", postgres_url]
    assert main([*on_pg, "release", ASSIGNMENT]) == 0
    assert main([*on_pg, "synthetic-class", ASSIGNMENT, "--students", "4"]) == 0

    assert main([*on_pg, "grade", ASSIGNMENT]) == 0
    with monkeypatch.context() as env:  # what `trcourse --gradebook` sets for its own command
        env.setenv("TRCOURSE_GRADEBOOK", postgres_url)
        on_postgres = grades_table(course, ASSIGNMENT)
    with Gradebook(postgres_url, "treatment-resistance") as gradebook:
        assert len(gradebook.assignment_submissions(ASSIGNMENT)) == 4
    assert not (course / "gradebook.db").exists(), "the PostgreSQL run wrote to SQLite"

    assert "TRCOURSE_GRADEBOOK" not in os.environ, "--gradebook applies to its own command only"
    assert main(["--root", str(course), "grade", ASSIGNMENT]) == 0
    assert (course / "gradebook.db").exists()
    on_sqlite = grades_table(course, ASSIGNMENT)

    assert on_sqlite["total"].gt(0).any(), "nothing was scored"
    pd.testing.assert_frame_equal(on_postgres, on_sqlite)
