"""No traps for a new instructor: practice courses, refused roots, kept files, honest totals, LMS zips.

Everything runs on throw-away course copies with the real nbgrader; the repository is only read.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import ASSIGNMENTS
from nbgrader.api import Gradebook

from trcourse.cli import main
from trcourse.grading import practice, synthetic_class
from trcourse.grading.autograde import Limits, grade, load_outcomes
from trcourse.grading.course import REPORTS, open_api
from trcourse.grading.export import pending_items
from trcourse.grading.roots import CourseError
from trcourse.paths import ROOT
from trcourse.release import generate_assignment, nbgrader_env

pytestmark = [pytest.mark.skipif(not ASSIGNMENTS, reason="no assignment yet"),
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]
ASSIGNMENT = "ch02_inhibitors" if "ch02_inhibitors" in ASSIGNMENTS else (ASSIGNMENTS or [""])[0]
LIMITS = Limits(cell_timeout=30, memory_mb=1024)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _real_copy(dest: Path) -> Path:
    """A complete course copy that is not a practice course (as a real course is not)."""
    practice.create(ROOT, dest)
    (dest / practice.MARKER).unlink()
    return dest


# --- roots -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lacking", ["everything", "autotests.yml", "exercises"])
def test_an_incomplete_root_is_refused_in_one_line_before_anything_is_touched(tmp_path, capsys, lacking):
    course = tmp_path / "course"
    if lacking == "everything":
        course.mkdir()
    else:
        _real_copy(course)
        target = course / lacking
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    before = _tree(course)
    commands = [["grade", ASSIGNMENT], ["feedback", ASSIGNMENT], ["export", ASSIGNMENT]]
    for command in commands + ([["release"]] if lacking != "exercises" else []):  # release makes exercises/
        assert main(["--root", str(course), *command]) == 2, command
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "not a complete course" in err, err
        assert (lacking if lacking != "everything" else "nbgrader_config.py") in err
    assert _tree(course) == before, "a refused command touched the course"


@pytest.mark.slow
def test_a_failed_release_keeps_the_instructors_exercises(tmp_path):
    course = _real_copy(tmp_path / "course")
    release = course / "exercises" / ASSIGNMENT
    before = _tree(release)
    (course / "autotests.yml").unlink()  # nbgrader's generate_assignment fails, then deletes the release
    with pytest.raises(RuntimeError, match="left as it was"):
        generate_assignment(course, ASSIGNMENT)
    assert _tree(release) == before


@pytest.mark.slow
def test_export_after_every_submission_failed_grading_does_not_crash(tmp_path, capsys):
    course = practice.create(ROOT, tmp_path / "practice")
    synthetic_class.generate(course, ASSIGNMENT, students=2, seed=1)
    (course / "autotests.yml").rename(tmp_path / "autotests.yml")
    with pytest.raises(RuntimeError):  # the gradebook does not get the assignment: its release fails
        grade(course, ASSIGNMENT, workers=1, limits=LIMITS, progress=False)
    (tmp_path / "autotests.yml").rename(course / "autotests.yml")
    grade(course, ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    assert main(["--root", str(course), "export", ASSIGNMENT]) == 0
    grades = pd.read_csv(course / REPORTS / ASSIGNMENT / "grades.csv", index_col="student")
    assert len(grades) == 2
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("item analysis:")


# --- practice courses ------------------------------------------------------------------------------

def test_the_real_course_refuses_synthetic_students(tmp_path, capsys):
    course = _real_copy(tmp_path / "course")
    with pytest.raises(CourseError, match="not a practice course"):
        synthetic_class.generate(course, ASSIGNMENT, students=3, seed=0)
    assert main(["--root", str(course), "synthetic-class", ASSIGNMENT]) == 2
    assert "not a practice course" in capsys.readouterr().err
    assert not (course / "submitted").exists()


def test_practice_class_is_made_fresh_and_only_a_practice_course_is_removed(tmp_path, capsys):
    course, where = _real_copy(tmp_path / "course"), tmp_path / "practice"
    before = _tree(course)
    for students in (4, 2):  # a smaller rerun leaves no older synthetic student behind
        assert main(["--root", str(course), "practice-class", ASSIGNMENT, "--students", str(students),
                     "--path", str(where)]) == 0
        assert "made the practice course" in capsys.readouterr().out.splitlines()[-1]
        folders = sorted((where / "submitted").glob(f"*/{ASSIGNMENT}"))
        assert len(folders) == students
        assert all((f / "timestamp.txt").read_text().endswith("UTC") for f in folders)
        assert all((f / "submission_secret.txt").stat().st_size for f in folders)
    assert _tree(course) == before, "making a practice course changed the real one"

    assert main(["--root", str(course), "practice-class", ASSIGNMENT, "--path", str(course)]) == 2
    assert main(["--root", str(course), "practice-remove", str(course)]) == 2
    assert "not a practice course" in capsys.readouterr().err
    assert _tree(course) == before, "practice-remove deleted a real course"
    assert main(["--root", str(course), "practice-remove", str(where)]) == 0
    assert not where.exists()
    assert "removed the practice course" in capsys.readouterr().out


# --- honest totals ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_practice(tmp_path_factory):
    """A practice class of three graded students, and one whose notebook is missing."""
    course = practice.create(ROOT, tmp_path_factory.mktemp("honest") / "practice")
    made = synthetic_class.generate(course, ASSIGNMENT, students=4, seed=3)
    absent = made[-1].student
    next((course / "submitted" / absent / ASSIGNMENT).glob("*.ipynb")).unlink()
    grade(course, ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    return course, absent


@pytest.mark.slow
def test_unmarked_answers_are_pending_and_totals_provisional_until_marked(graded_practice, capsys):
    course, absent = graded_practice
    waiting = pending_items(course, ASSIGNMENT)
    assert waiting, "written answers wait for marking after autograde"

    assert main(["--root", str(course), "feedback", ASSIGNMENT]) == 1, "pending items need --provisional"
    assert "--provisional" in capsys.readouterr().out
    assert not (course / "feedback").exists()

    assert main(["--root", str(course), "feedback", ASSIGNMENT, "--provisional"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"no page for {absent}: missing" in "\n".join(out)
    assert out[-1].startswith("feedback in")
    for student, items in waiting.items():
        [page] = (course / "feedback" / student / ASSIGNMENT).glob("*.html")
        html = page.read_text()
        assert html.count("Score: pending /") == 2 * len(items), "the contents list and the cell"
        assert "Provisional feedback" in html
    exchange = course.parent / "exchange"  # the formgrader's Release Feedback: nbgrader's own command
    exchange.mkdir(mode=0o1777)
    release = subprocess.run([sys.executable, "-m", "nbgrader", "release_feedback", ASSIGNMENT,
                              f"--Exchange.root={exchange}"], cwd=course, env=nbgrader_env(),
                             capture_output=True, text=True)
    assert release.returncode == 0, release.stderr[-3000:]
    assert len(list(exchange.rglob("*.html"))) == len(list((course / "feedback").rglob("*.html")))

    assert main(["--root", str(course), "export", ASSIGNMENT]) == 0
    grades = pd.read_csv(course / REPORTS / ASSIGNMENT / "grades.csv", index_col="student")
    for student, items in waiting.items():
        assert grades.loc[student, "pending"] == len(items)
        assert grades.loc[student, "status"] == "provisional"
        assert grades.loc[student, items].isna().all(), "pending, not 0"

    api = open_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        for student, items in waiting.items():
            for submission_nb in gradebook.find_submission(ASSIGNMENT, student).notebooks:
                for g in submission_nb.grades:
                    if g.name in items:
                        g.manual_score = 1.0
            gradebook.db.commit()
    assert main(["--root", str(course), "export", ASSIGNMENT]) == 0
    grades = pd.read_csv(course / REPORTS / ASSIGNMENT / "grades.csv", index_col="student")
    assert (grades.loc[list(waiting), "status"] == "final").all()
    assert (grades.pending == 0).all()
    assert main(["--root", str(course), "feedback", ASSIGNMENT]) == 0


# --- collecting from an LMS ------------------------------------------------------------------------

@pytest.mark.slow
def test_an_lms_zip_goes_in_with_nbgrader_zip_collect_and_the_course_configuration(tmp_path):
    course = practice.create(ROOT, tmp_path / "practice")
    [notebook] = (course / "exercises" / ASSIGNMENT).glob("*.ipynb")
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms-download.zip", "w") as lms:
        lms.writestr(f"jsmith_12345_{notebook.name}", notebook.read_bytes())
        lms.writestr(f"adoe_late_23456_98765_{notebook.stem}-1.ipynb", notebook.read_bytes())
        lms.writestr("bkhan_34567_notes.txt", "not a notebook: skipped")
    result = subprocess.run([sys.executable, "-m", "nbgrader", "zip_collect", ASSIGNMENT],
                            cwd=course, env=nbgrader_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    collected = sorted(p.relative_to(course / "submitted") for p in (course / "submitted").rglob("*.ipynb"))
    assert collected == [Path("adoe", ASSIGNMENT, notebook.name), Path("jsmith", ASSIGNMENT, notebook.name)]
    grade(course, ASSIGNMENT, workers=2, limits=LIMITS, progress=False)
    assert set(load_outcomes(course, ASSIGNMENT).outcome) == {"graded"}


def test_every_folder_nbgrader_can_put_student_work_in_is_git_ignored():
    from nbgrader.apps import ZipCollectApp

    api = open_api(ROOT)
    coursedir = api.coursedir
    folders = [coursedir.submitted_directory, coursedir.autograded_directory, coursedir.feedback_directory,
               coursedir.solution_directory, ZipCollectApp(config=api.config).downloaded_directory,
               REPORTS, practice.DEFAULT]
    files = [Path(coursedir.db_url.removeprefix("sqlite:///")).relative_to(ROOT)]
    for path in [f"{folder}/student/{ASSIGNMENT}/answer.ipynb" for folder in folders] + files:
        check = subprocess.run(["git", "check-ignore", "-q", "--no-index", str(path)], cwd=ROOT)
        assert check.returncode == 0, f"{path} is not git-ignored: student work could be committed"
    release = f"{coursedir.release_directory}/{ASSIGNMENT}/x.ipynb"
    assert subprocess.run(["git", "check-ignore", "-q", "--no-index", release], cwd=ROOT).returncode == 1


# --- a self-contained repository -------------------------------------------------------------------

def test_no_tracked_file_points_outside_the_repository():
    outside = ("../" + "shared", "/work" + "/", "shared/" + "facts")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")
    found = []
    for name in filter(None, tracked):
        try:
            text = (ROOT / name).read_text()
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        found += [f"{name}: {needle}" for needle in outside if needle in text]
    assert not found, f"files pointing outside the repository: {found}"


def test_licence_files_exist_and_are_referenced():
    assert "BSD 3-Clause" in (ROOT / "LICENSE").read_text()
    assert "Attribution 4.0 International" in (ROOT / "LICENSE-CONTENT").read_text()
    for page in ("README.md", "book/instructors.md"):
        text = (ROOT / page).read_text()
        assert "LICENSE" in text and "LICENSE-CONTENT" in text, page


def test_data_check_says_what_it_did(capsys):
    status = main(["data", "--check"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert status == 0 and last.endswith("all up to date"), last


def test_feedback_before_grading_says_so_in_one_line(tmp_path, capsys):
    course = _real_copy(tmp_path / "course")
    assert main(["--root", str(course), "feedback", ASSIGNMENT]) == 1
    assert "run trcourse grade first" in capsys.readouterr().out
    assert not (course / "feedback").exists()
