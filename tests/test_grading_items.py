"""Item analysis on a small fixed gradebook (built with nbgrader's API), checked against hand values.

Five students, four items (points): A (1), B (2), C (1), D (1).

    student   A  B  C  D   total
    s1        1  2  0  1   4
    s2        1  2  0  1   4
    s3        1  1  0  1   3
    s4        1  1  1  0   3
    s5        1  0  0  0   1

Difficulty (mean fraction of points): A 5/5 = 1.0; B (1+1+.5+.5+0)/5 = 0.6; C 1/5 = 0.2; D 3/5 = 0.6.
Discrimination (corrected item-total r: item vs total of the other items), by hand:
- B vs rest (2,2,2,2,1): deviations B (.8,.8,-.2,-.2,-1.2), rest (.2,.2,.2,.2,-.8);
  sum of products 1.20, sums of squares 2.80 and 0.80: r = 1.20 / sqrt(2.24) = 0.80178.
- C vs rest (4,4,3,2,1): deviations C (-.2,-.2,-.2,.8,-.2), rest (1.2,1.2,.2,-.8,-1.8);
  sum of products -0.80, sums of squares 0.80 and 6.80: r = -0.80 / sqrt(5.44) = -0.34300.
- D vs rest (3,3,2,3,1): deviations D (.4,.4,.4,-.6,-.6), rest (.6,.6,-.4,.6,-1.4);
  sum of products 0.80, sums of squares 1.20 and 3.20: r = 0.80 / sqrt(3.84) = 0.40825.
- A does not vary: r undefined.
Flags: A too easy (> 0.90); C too hard (< 0.30) and negatively discriminating (< 0).
"""

import math

import pandas as pd
import pytest
from nbgrader.api import Gradebook

from trcourse.grading.export import scores
from trcourse.grading.items import analysed, item_statistics
from trcourse.release import use_course_tools

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own
POINTS = {"A": 1.0, "B": 2.0, "C": 1.0, "D": 1.0}
TABLE = {"s1": (1, 2, 0, 1), "s2": (1, 2, 0, 1), "s3": (1, 1, 0, 1), "s4": (1, 1, 1, 0), "s5": (1, 0, 0, 0)}


@pytest.fixture
def gradebook(tmp_path):
    """A gradebook holding the table above as autograde scores (test cells are named <item>_test)."""
    use_course_tools()  # nbgrader runs `alembic` when it creates a gradebook
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment("hw")
        gb.add_notebook("hw", "hw")
        for item, points in POINTS.items():
            gb.add_grade_cell(f"{item}_test", "hw", "hw", max_score=points, cell_type="code")
        for student, row in TABLE.items():
            gb.add_student(student)
            submission = gb.add_submission("hw", student)
            for grade in submission.notebooks[0].grades:
                grade.auto_score = row["ABCD".index(grade.name[0])]
        gb.db.commit()
        yield gb


def test_scores_come_out_of_the_gradebook_per_question(gradebook):
    table = scores(gradebook, "hw", list(POINTS))
    assert table.to_dict("index") == {s: dict(zip(POINTS, map(float, row), strict=True))
                                      for s, row in TABLE.items()}


def test_item_statistics_match_the_hand_computed_values(gradebook):
    stats = item_statistics(scores(gradebook, "hw", list(POINTS)), pd.Series(POINTS))
    assert stats.difficulty.to_dict() == pytest.approx({"A": 1.0, "B": 0.6, "C": 0.2, "D": 0.6})
    assert stats.mean_score.to_dict() == pytest.approx({"A": 1.0, "B": 1.2, "C": 0.2, "D": 0.6})
    assert math.isnan(stats.discrimination["A"])
    assert stats.discrimination["B"] == pytest.approx(0.80178, abs=1e-5)
    assert stats.discrimination["C"] == pytest.approx(-0.34300, abs=1e-5)
    assert stats.discrimination["D"] == pytest.approx(0.40825, abs=1e-5)
    assert stats["flags"].to_dict() == {"A": "too easy", "B": "", "C": "too hard, negatively discriminating",
                                        "D": ""}


def test_analysis_leaves_out_ungraded_submissions_and_pending_items():
    grades = pd.DataFrame({"outcome": ["graded", "graded", "unreadable", "cells_deleted"],
                           "A": [1.0, 0.0, 0.0, None], "W": [None, None, 0.0, None]},
                          index=["s1", "s2", "s3", "s4"])
    table, points = analysed(grades, pd.Series({"A": 1.0, "W": 4.0}))
    assert list(points.index) == ["A"], "an item most students lack a score for (manual) waits"
    assert list(table.index) == ["s1", "s2"], "unreadable and incomplete submissions are left out"
