"""Every answer variant of every assignment scores as declared in answer_variants.yml.

Student k answers each item with its k-th variant (correct ones first, then the misconceptions;
the model solution once an item has run out), and the class is graded by the pipeline.
"""

import shutil

import pytest
from conftest import ASSIGNMENTS
from nbgrader.api import Gradebook

from trcourse.grading import practice
from trcourse.grading.autograde import Limits, grade
from trcourse.grading.course import open_api
from trcourse.grading.export import scores
from trcourse.grading.synthetic_class import assignment_items, submit

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_variant_scores_as_declared(released_course, tmp_path, assignment):
    course = tmp_path / "course"
    shutil.copytree(released_course, course)
    (course / practice.MARKER).write_text("")  # a throw-away copy: synthetic students allowed
    items = assignment_items(course, assignment)
    assert all(item.wrong for item in items), "every autograded answer needs a wrong variant"
    declared = {}  # (student, item) -> (expected points, what the variant is)
    for k in range(max(len(item.correct) + len(item.wrong) for item in items)):
        student, answers = f"variants{k}", {}
        for item in items:
            variants = [(v, item.points, "correct variant") for v in item.correct] + [
                (v, 0.0, "misconception") for v in item.wrong]
            source, points, what = variants[k] if k < len(variants) else (item.solution, item.points,
                                                                           "model solution")
            answers[item.answer] = source
            declared[student, item.answer] = (points, f"{what}:\n{source}")
        submit(course, assignment, student, answers)

    table = grade(course, assignment, workers=2, limits=Limits(cell_timeout=20, memory_mb=1024),
                  progress=False)
    assert set(table.outcome) == {"graded"}, table.to_string()
    api = open_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        got = scores(gradebook, assignment, [item.answer for item in items])
    wrong = [f"{item} scored {got.loc[student, item]:g}, declared {points:g}: {what}"
             for (student, item), (points, what) in declared.items()
             if got.loc[student, item] != points]
    assert not wrong, "answer variants that do not score as declared:\n" + "\n".join(wrong)
