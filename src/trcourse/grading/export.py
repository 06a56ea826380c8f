"""Grades out of the gradebook: one row per student, one column per question.

An item with no score yet (a written answer not marked, an item whose test cell was deleted) is
*pending*: empty in the export, never 0; the row counts its pending items and its total is
"provisional" until they are all marked.
"""

from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

from . import course
from .autograde import load_outcomes


def question(grade_id: str) -> str:
    """The question a graded cell belongs to: a test cell ``<answer>_test`` scores ``<answer>``."""
    return grade_id.removesuffix("_test")


def max_points(api, assignment: str) -> pd.Series:
    """Points of each question, in the order of the released notebooks."""
    return pd.Series({question(c.metadata.nbgrader["grade_id"]): float(c.metadata.nbgrader["points"])
                      for nb in course.release_notebooks(api, assignment).values() for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("grade")}, name="max_points", dtype=float)


def scores(gradebook: Gradebook, assignment: str, questions: list[str]) -> pd.DataFrame:
    """Student x question scores: the manual score if given, else the autograde score, else NaN.

    Every student of the gradebook has a row; one who did not submit has no scores.
    """
    rows = {}
    for student in gradebook.students:
        try:
            submission = gradebook.find_submission(assignment, student.id)
        except MissingEntry:
            rows[student.id] = {}
            continue
        rows[student.id] = {question(g.name): _score(g) for nb in submission.notebooks for g in nb.grades}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=questions)
    return table.astype(float).rename_axis("student").sort_index()


def _score(grade) -> float | None:
    return grade.manual_score if grade.manual_score is not None else grade.auto_score


def pending(gradebook: Gradebook, assignment: str) -> dict[str, list[str]]:
    """Student -> the questions of their submission with no score yet (to be graded by hand)."""
    try:
        gradebook.find_assignment(assignment)
    except MissingEntry:
        return {}
    return {submission.student.id: [question(g.name) for nb in submission.notebooks for g in nb.grades
                                    if _score(g) is None]
            for submission in gradebook.assignment_submissions(assignment)}


def pending_items(root: Path, assignment: str) -> dict[str, list[str]]:
    """Student -> questions still to be graded by hand, for the students who have any."""
    api = course.open_api(Path(root))
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return {student: items for student, items in pending(gradebook, assignment).items() if items}


def grades_table(root: Path, assignment: str) -> pd.DataFrame:
    """The grades export: student, outcome, one column per question, total, maximum, percent, the
    number of pending items and whether the total is final or provisional."""
    api = course.open_api(Path(root))
    points = max_points(api, assignment)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        table = scores(gradebook, assignment, list(points.index))
        waiting = pending(gradebook, assignment)
    maximum = points.sum()
    outcomes = load_outcomes(root, assignment).set_index("student")["outcome"]
    table.insert(0, "outcome", outcomes.reindex(table.index).fillna("not graded"))
    table["total"] = table[list(table.columns[1:])].sum(axis=1)
    table["max_points"] = maximum
    table["percent"] = (100 * table["total"] / maximum).round(1)
    table["pending"] = [len(waiting.get(student, [])) for student in table.index]
    table["status"] = table["pending"].map(lambda n: "provisional" if n else "final")
    return table


def write_grades(root: Path, assignment: str) -> Path:
    """Save the grades export as grading-reports/<assignment>/grades.csv."""
    path = course.reports_dir(root, assignment) / "grades.csv"
    grades_table(root, assignment).to_csv(path)
    return path
