"""The grading pipeline on a synthetic class of a real assignment: real nbgrader, real kernels.

One student of every kind (correct, written differently, misconceptions, blank, errors, loops,
memory bomb, crash, tampered tests, deleted cells, corrupt and missing files) plus a typical one,
graded in parallel; then compared with plain serial ``nbgrader autograde``, re-graded, given
feedback and exported. One assignment is enough here (test_grading_variants covers them all).
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from conftest import ASSIGNMENTS
from nbgrader.api import Gradebook

from trcourse.cli import main
from trcourse.grading import feedback, practice
from trcourse.grading.autograde import Limits, grade, load_outcomes
from trcourse.grading.export import max_points, scores
from trcourse.grading.limits import kernel_arguments
from trcourse.grading.synthetic_class import KINDS, generate
from trcourse.leaks import find_leaks, secret_lines, visible_text
from trcourse.release import nbgrader_env

pytestmark = [pytest.mark.skipif(not ASSIGNMENTS, reason="no assignment yet"), pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]
ASSIGNMENT = ASSIGNMENTS[0] if ASSIGNMENTS else ""
LIMITS = Limits(cell_timeout=10, memory_mb=512)  # generous: a loaded CI machine is slow
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def graded(released_course, tmp_path_factory):
    """A synthetic class (one student of each kind), a copy of it for plain nbgrader, then graded."""
    course = tmp_path_factory.mktemp("pipeline") / "course"
    shutil.copytree(released_course, course)
    (course / practice.MARKER).write_text("")  # a throw-away copy: synthetic students allowed
    made = generate(course, ASSIGNMENT, students=len(KINDS), seed=7)
    serial = course.parent / "serial"
    shutil.copytree(course, serial)
    table = grade(course, ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    return SimpleNamespace(course=course, serial=serial, made={s.student: s for s in made}, table=table)


def gradebook_scores(course: Path) -> pd.DataFrame:
    from trcourse.grading.course import open_api

    api = open_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return scores(gradebook, ASSIGNMENT, list(max_points(api, ASSIGNMENT).index))


def test_every_submission_ends_in_its_stated_outcome(graded):
    got = graded.table.set_index("student")
    for student, made in graded.made.items():
        assert got.outcome[student] == made.outcome, f"{made.kind}: {got.detail[student]}"
    for student, made in graded.made.items():
        if made.kind in ("tampered_tests", "deleted_cells"):
            broken = [test for test, points in made.expected.items() if points in (0.0, None)]
            assert any(test in got.detail[student] for test in broken), "the outcome names the cell"


def test_every_student_gets_what_their_own_answers_deserve(graded):
    """So no bad submission changed anyone else's score, and the bad ones got theirs."""
    table = gradebook_scores(graded.course)
    for student, made in graded.made.items():
        expected = {test.removesuffix("_test"): points for test, points in made.expected.items()}
        got = {q: (None if pd.isna(v) else v) for q, v in table.loc[student, list(expected)].items()}
        assert got == expected, f"{student} ({made.kind})"


def test_parallel_scores_equal_plain_serial_nbgrader(graded):
    config = graded.serial / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.Execute.timeout = {LIMITS.cell_timeout}\n"
                      f"c.Execute.extra_arguments = {kernel_arguments(LIMITS.memory_mb)!r}\n")
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"],
                   cwd=graded.serial, env=nbgrader_env(), capture_output=True, check=False)
    students = sorted(graded.made)
    serial = gradebook_scores(graded.serial).reindex(students).fillna(0)
    parallel = gradebook_scores(graded.course).reindex(students).fillna(0)
    pd.testing.assert_frame_equal(parallel, serial)


def gradebook_rows(course: Path) -> list[tuple]:
    """Everything grading writes: per student and graded cell, the scores and flags."""
    from trcourse.grading.course import open_api

    api = open_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return sorted((s.student.id, nb.name, g.name, g.auto_score, g.manual_score, g.needs_manual_grade)
                      for s in gradebook.assignment_submissions(ASSIGNMENT)
                      for nb in s.notebooks for g in nb.grades)


def test_regrading_in_parts_with_student_gives_the_same_gradebook(graded, capsys):
    before, outcomes = gradebook_rows(graded.course), load_outcomes(graded.course, ASSIGNMENT)
    students = sorted(graded.made)
    grade(graded.course, ASSIGNMENT, students[::2], workers=2, limits=LIMITS, progress=False)
    status = main(["--root", str(graded.course), "grade", ASSIGNMENT, "--student", *students[1::2],
                   "--workers", "2", "--cell-timeout", str(LIMITS.cell_timeout),
                   "--memory-mb", str(LIMITS.memory_mb)])
    assert status == 0
    assert "outcomes saved" in capsys.readouterr().out
    assert gradebook_rows(graded.course) == before
    again = load_outcomes(graded.course, ASSIGNMENT)
    assert again[["student", "outcome", "detail"]].equals(outcomes[["student", "outcome", "detail"]])


def _hidden_lines(source: Path) -> set[str]:
    blocks = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                        "\n".join(c.source for c in nbformat.read(source, as_version=4).cells), re.S)
    return {line.strip() for block in blocks for line in block.splitlines() if len(line.strip()) > 3}


def test_feedback_shows_visible_results_and_no_hidden_test_or_solution(graded):
    assert feedback.generate(graded.course, ASSIGNMENT) == {}, "a page leaked and was deleted"
    [source] = (graded.course / "solutions" / ASSIGNMENT).glob("*.ipynb")
    secrets, hidden = secret_lines(source), _hidden_lines(source)
    visible = {line.strip() for c in nbformat.read(graded.course / "exercises" / ASSIGNMENT / source.name,
                                                   as_version=4).cells for line in c.source.splitlines()}
    pages = sorted((graded.course / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert {p.parent.parent.name for p in pages} == {
        s for s in graded.made if (graded.course / "autograded" / s / ASSIGNMENT / source.name).exists()}
    for page in pages:
        student = page.parent.parent.name
        text = visible_text(page)
        own = {line.strip() for line in visible_text(graded.course / "submitted" / student / ASSIGNMENT
                                                     / source.name).splitlines()}
        assert not find_leaks(text, (secrets | hidden - visible) - own), student
        assert feedback.PLACEHOLDER in text or not hidden
        for message in _visible_errors(graded.course / "autograded" / student / ASSIGNMENT / source.name,
                                       hidden - visible):
            assert message in text, f"{student}: the visible test message {message!r} is missing"


def _visible_errors(notebook: Path, hidden: set[str]) -> list[str]:
    """First lines of the error messages raised by visible code (not by a hidden line)."""
    messages = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            arrows = [_ANSI.sub("", line) for entry in output.get("traceback", [])
                      for line in entry.split("\n") if _ANSI.sub("", line).lstrip().startswith("---->")]
            raised_by = arrows[0].split(None, 2)[-1].strip() if arrows else ""
            if output.output_type == "error" and output.evalue and raised_by not in hidden:
                messages.append(output.evalue.splitlines()[0])
    return messages


def test_export_writes_grades_per_question_and_the_item_report(graded):
    assert main(["--root", str(graded.course), "export", ASSIGNMENT]) == 0
    reports = graded.course / "grading-reports" / ASSIGNMENT
    grades = pd.read_csv(reports / "grades.csv", index_col="student")
    questions = list(gradebook_scores(graded.course).columns)
    assert sorted(grades.index) == sorted(graded.made)
    assert list(grades.columns) == ["outcome", *questions, "total", "max_points", "percent", "pending",
                                    "status"]
    assert grades.total.tolist() == grades[questions].sum(axis=1).tolist()
    html = (reports / "item-report.html").read_text()
    for figure in re.findall(r'src="([^"]+\.png)"', html):
        assert (reports / figure).stat().st_size > 0
    assert "Difficulty" in html and "Discrimination" in html and "tests_tampered" in html
