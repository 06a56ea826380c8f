"""nbgrader assignments: the release matches its source, leaks nothing, and grades correctly.

Everything runs the real nbgrader (generate_assignment, autograde) in a throw-away course copy.
"""

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ASSIGNMENTS
from nbclient import NotebookClient
from nbgrader.api import Gradebook

from trcourse.leaks import course_secrets, scan
from trcourse.notebooks import auto_points, grade_cells
from trcourse.paths import ROOT
from trcourse.release import nbgrader_env

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignment yet")


def source_notebook(course: Path, assignment: str) -> Path:
    [notebook] = sorted((course / "solutions" / assignment).glob("*.ipynb"))
    return notebook


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_matches_fresh_generate_assignment(released_course, assignment):
    fresh, committed = released_course / "exercises" / assignment, ROOT / "exercises" / assignment
    assert _tree(fresh) == _tree(committed), "run `make release` and commit exercises/"
    differ = [f for f in _tree(fresh) if not filecmp.cmp(fresh / f, committed / f, shallow=False)]
    assert not differ, f"exercises/{assignment} drifted from solutions/: {differ}; run `make release`"


def test_no_solution_or_hidden_test_in_exercises():
    leaks = scan(ROOT / "exercises", course_secrets(ROOT))
    assert not leaks, f"solution text reached exercises/: {leaks}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grade_ids_follow_the_convention(assignment):
    cells = grade_cells(source_notebook(ROOT, assignment))
    tests = [gid for gid, m in cells.items() if m.get("grade") and not m.get("solution")]
    answers = {gid for gid, m in cells.items() if m.get("solution") and not m.get("grade")}
    for gid in tests:
        assert gid.endswith("_test") and gid[: -len("_test")] in answers, (
            f"test cell {gid!r} must be named after its answer cell: <answer grade_id>_test"
        )
    for gid, meta in cells.items():
        if meta.get("grade"):
            assert f"{meta['points']:g} point" in _prompt_before(assignment, gid), (
                f"the prompt of {gid} must state its points"
            )


def _prompt_before(assignment: str, grade_id: str) -> str:
    """The markdown above a graded cell (its prompt)."""
    nb = nbformat.read(source_notebook(ROOT, assignment), as_version=4)
    text = ""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return text
        if cell.cell_type == "markdown":
            text += cell.source
        if cell.metadata.get("nbgrader", {}).get("grade"):
            text = ""
    return text


def _submit(course: Path, assignment: str, student: str, notebook: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    release = course / "exercises" / assignment
    for extra in release.iterdir():  # data and other files come with the submission
        if extra.suffix != ".ipynb":
            (shutil.copytree if extra.is_dir() else shutil.copy2)(extra, folder / extra.name)
    nbformat.write(notebook, folder / source_notebook(course, assignment).name)


def _autograde(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"],
        cwd=course, capture_output=True, text=True, env=nbgrader_env(),
    )
    assert result.returncode == 0, f"nbgrader autograde crashed:\n{result.stderr[-4000:]}"
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            scores[submission.student.id] = {
                g.name: g.score for nb in submission.notebooks for g in nb.grades
                # autograded test cells only: written answers are markdown, graded by hand
                if g.cell.__class__.__name__ == "GradeCell" and g.cell.cell_type == "code"
                and g.auto_score is not None
            }
    return scores


def _with_answers(release: nbformat.NotebookNode, source: nbformat.NotebookNode, keep: set[str]):
    """The release notebook with the solution filled in for the answer cells in ``keep``."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in keep:
            cell.source = answers[gid]
    return release


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_round_trip_scores(released_course, tmp_path, assignment):
    course = tmp_path / "course"
    shutil.copytree(released_course, course)
    # keep gradebook.db: generate_assignment registered the assignment and its grade cells there
    src_path = source_notebook(course, assignment)
    rel_path = course / "exercises" / assignment / src_path.name
    source = nbformat.read(src_path, as_version=4)
    points = auto_points(src_path)
    answer_ids = sorted(gid[: -len("_test")] for gid in points)
    half = set(answer_ids[::2])

    _submit(course, assignment, "solution", source)
    _submit(course, assignment, "untouched", nbformat.read(rel_path, as_version=4))
    _submit(course, assignment, "half", _with_answers(nbformat.read(rel_path, as_version=4),
                                                      source, half))
    scores = _autograde(course, assignment)

    assert scores["solution"] == points, "the solution must get every autograded point"
    assert sum(scores["untouched"].values()) == 0, "the untouched release must score 0"
    expected_half = {gid: (p if gid[: -len("_test")] in half else 0.0) for gid, p in points.items()}
    assert scores["half"] == expected_half


def _hashed_expressions(notebook: nbformat.NotebookNode) -> list[str]:
    marker = "### HASHED AUTOTEST"
    return [expr.strip() for cell in notebook.cells for line in cell.source.splitlines()
            if line.strip().startswith(marker)
            for expr in line.strip()[len(marker):].split(";") if expr.strip()]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hashed_float_answers_survive_student_rounding(assignment):
    """A student who reports a hashed float answer to 2 or 3 decimal places must still pass:
    the hash compares after rounding to 1 dp, so an answer such as 86.947 (reported as 86.95,
    which rounds to 87.0) would fail a right answer."""
    source = source_notebook(ROOT, assignment)
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\n"
        f"_values = {{e: eval(e) for e in {_hashed_expressions(nb)!r}}}\n"
        "print(json.dumps({e: v for e, v in _values.items() if isinstance(v, float)}))"
    ))
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    values = json.loads(nb.cells[-1].outputs[0]["text"])
    fragile = {e: v for e, v in values.items()
               if any(round(round(v, d), 1) != round(v, 1) for d in (2, 3))}
    assert not fragile, f"hashed floats that a student rounding to 2-3 dp would fail: {fragile}"
