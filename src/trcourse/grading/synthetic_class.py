"""A synthetic class: N seeded submissions of an assignment with a realistic mix of answers.

Answers come from the instructor's source (the model solution) and from
``solutions/<assignment>/answer_variants.yml`` (correct answers written differently, and wrong
answers that reflect common misconceptions). Besides ordinary students, the class holds one of
each kind of submission that breaks grading pipelines. Every student comes with the outcome and
the per-item scores their submission deserves, so tests can check grading against them.
Synthetic submissions are only ever written into a practice course (``practice.py``).
"""

import copy
import math
import random
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pandas as pd
import yaml

from ..notebooks import auto_points
from . import course, practice

# Kind -> (what the submission does, the outcome it must get). One of each, in this order, then
# "typical" students. A "broken" item is one answer picked at random; the other answers are right.
KINDS = {
    "correct": ("every answer is the model solution", "graded"),
    "correct_variants": ("every answer right but written differently", "graded"),
    "misconceptions": ("a common misconception on every item", "graded"),
    "blank": ("the release, untouched", "graded"),
    "raises": ("some answers raise an error", "graded"),
    "infinite_loop": ("one answer loops forever", "timed_out"),
    "swallow_loop": ("one answer loops and swallows KeyboardInterrupt", "timed_out"),
    "memory_bomb": ("one answer allocates without bound", "memory_limit"),
    "kernel_crash": ("one answer crashes the kernel (segfault)", "kernel_died"),
    "tampered_tests": ("one test cell replaced by `pass`, its answer wrong", "tests_tampered"),
    "deleted_cells": ("one test cell deleted", "cells_deleted"),
    "bad_json": ("the notebook file cut in half", "unreadable"),
    "wrong_nbformat": ("the notebook claims nbformat 3", "unreadable"),
    "missing": ("no notebook submitted", "missing"),
    "renamed": ("the notebook saved under another name", "missing"),
    "typical": ("each item right, a misconception, blank or an error, by ability", "graded"),
}
BROKEN_ANSWER = {
    "infinite_loop": "while True:\n    pass\n",
    "swallow_loop": "import time\n\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                    "    except:\n        continue\n",
    "memory_bomb": "rows = list(range(1000))\nwhile True:\n    rows = rows + rows\n",
    "kernel_crash": "import ctypes\n\nctypes.string_at(0)\n",
}
ERROR_PREFIX = "print(answer_so_far)\n"  # a NameError before the answer: a typical slip
TAMPERED_TEST = "# checks removed\npass\n"
WRITTEN_ANSWER = "A short answer written by a synthetic student for the instructor to mark."
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass
class SyntheticStudent:
    """A generated submission: who, what kind, the outcome and autograded scores it deserves."""

    student: str
    kind: str
    outcome: str
    expected: dict[str, float | None] = field(default_factory=dict)  # test grade_id -> points (None: manual)


@dataclass
class _Item:
    """An autograded question: its answer cell, test cell, points and answer variants."""

    answer: str
    test: str
    points: float
    solution: str
    correct: list[str]
    wrong: list[str]


def load_items(source: Path, variants_file: Path) -> list[_Item]:
    """The autograded items of a source notebook, with their answer variants."""
    nb = nbformat.read(source, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    variants = yaml.safe_load(variants_file.read_text()) if variants_file.exists() else {}
    items = []
    for test, points in auto_points(source).items():
        answer = test.removesuffix("_test")
        declared = variants.get(answer) or {}
        items.append(_Item(answer, test, points, _without_markers(answers[answer]),
                           [v["source"] for v in declared.get("correct") or []],
                           [v["source"] for v in declared.get("wrong") or []]))
    return items


def _without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in _MARKERS)


def _paths(api, assignment: str) -> tuple[Path, Path]:
    """The source notebook of an assignment and its release folder."""
    [source] = sorted(course.folder(api, "source", assignment).glob("*.ipynb"))
    return source, course.folder(api, "release", assignment)


def assignment_items(root: Path, assignment: str) -> list[_Item]:
    """The autograded items of an assignment, with their answer variants."""
    source, _ = _paths(course.open_api(Path(root)), assignment)
    return load_items(source, source.parent / "answer_variants.yml")


def generate(root: Path, assignment: str, students: int, seed: int) -> list[SyntheticStudent]:
    """Write ``students`` submissions to a practice course's submitted/ and a manifest CSV."""
    practice.require(root)
    api = course.open_api(Path(root))
    source, release_dir = _paths(api, assignment)
    release = nbformat.read(release_dir / source.name, as_version=4)
    items = load_items(source, source.parent / "answer_variants.yml")
    rng = random.Random(seed)
    difficulty = {item.test: rng.gauss(-0.8, 1.0) for item in items}
    kinds = (list(KINDS)[:-1] + ["typical"] * students)[:students]
    ids = [f"student{n:03d}" for n in rng.sample(range(1, students + 1), students)]
    made = []
    for student, kind in zip(ids, kinds, strict=True):
        answers, expected, broken = _answers(kind, items, difficulty, rng)
        made.append(SyntheticStudent(student, kind, KINDS[kind][1], expected))
        folder = _fresh_submission(api, assignment, student, release_dir)
        _write(kind, _filled(release, answers, kind, broken), folder, source.name)
    _manifest(made, items).to_csv(course.reports_dir(root, assignment) / "synthetic-class.csv", index=False)
    return sorted(made, key=lambda s: s.student)


def submit(root: Path, assignment: str, student: str, answers: dict[str, str]) -> None:
    """Write an ordinary submission into a practice course: the release with these answers."""
    practice.require(root)
    api = course.open_api(Path(root))
    source, release_dir = _paths(api, assignment)
    release = nbformat.read(release_dir / source.name, as_version=4)
    folder = _fresh_submission(api, assignment, student, release_dir)
    _write("typical", _filled(release, answers, "typical", None), folder, source.name)


def _answers(kind: str, items: list[_Item], difficulty: dict, rng: random.Random):
    """Answer source per answer grade_id (None: keep the stub), expected score per test, broken item."""
    answers, expected = {}, {}
    broken = rng.choice(items) if kind in BROKEN_ANSWER or kind in ("tampered_tests", "deleted_cells") \
        else None
    erring = {i.answer for i in rng.sample(items, max(1, len(items) // 3))} if kind == "raises" else set()
    ability = rng.gauss(0.0, 1.0)
    for item in items:
        right = _right_answer(kind, item, rng)
        if kind in ("blank", "bad_json", "wrong_nbformat", "missing"):
            source = None if kind == "blank" else right
        elif item is broken:
            wrong = (item.wrong or [None])[0]
            source = BROKEN_ANSWER.get(kind) or (wrong if kind == "tampered_tests" else right)
        elif kind == "misconceptions":
            source = rng.choice(item.wrong) if item.wrong else None
        elif kind == "raises":
            source = ERROR_PREFIX + right if item.answer in erring else right
        elif kind == "typical":
            source = _typical(item, ability - difficulty[item.test], rng)
        else:
            source = right
        answers[item.answer] = source
        expected[item.test] = _expected(kind, item, source, item is broken)
    return answers, expected, broken


def _right_answer(kind: str, item: _Item, rng: random.Random) -> str:
    if kind == "correct_variants" and item.correct:
        return rng.choice(item.correct)
    if kind == "typical" and item.correct and rng.random() < 0.4:
        return rng.choice(item.correct)
    return item.solution


def _typical(item: _Item, logit: float, rng: random.Random) -> str | None:
    """Right with a Rasch-model chance; otherwise mostly a misconception, sometimes blank or an error."""
    if rng.random() < 1 / (1 + math.exp(-logit)):
        return _right_answer("typical", item, rng)
    roll = rng.random()
    if roll < 0.75 and item.wrong:
        return rng.choice(item.wrong)
    return ERROR_PREFIX + item.solution if roll < 0.9 else None


def _expected(kind: str, item: _Item, source: str | None, broken: bool) -> float | None:
    if kind in ("bad_json", "wrong_nbformat", "missing", "renamed", "kernel_crash"):
        return 0.0
    if kind == "deleted_cells" and broken:
        return None  # nbgrader leaves an item whose test cell is gone for manual grading
    is_right = source is not None and (source == item.solution or source in item.correct)
    return item.points if is_right else 0.0


def _filled(release: nbformat.NotebookNode, answers: dict, kind: str,
            broken: _Item | None) -> nbformat.NotebookNode:
    """The release notebook with answers written in, a test tampered with or a test cell deleted."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if answers.get(gid) is not None:
            cell.source = answers[gid]
        elif meta.get("solution") and cell.cell_type == "markdown" and kind != "blank":
            cell.source = WRITTEN_ANSWER
        elif kind == "tampered_tests" and gid == broken.test:
            cell.source = TAMPERED_TEST
    if kind == "deleted_cells":
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != broken.test]
    return nb


def _fresh_submission(api, assignment: str, student: str, release_dir: Path) -> Path:
    """An emptied submission folder holding the files students get besides the notebook (data),
    and what ``nbgrader submit`` adds, which its feedback release needs (time and secret)."""
    folder = course.folder(api, "submitted", assignment, student)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    (folder / "submission_secret.txt").write_text(secrets.token_hex(64))
    for extra in release_dir.iterdir():
        if extra.suffix != ".ipynb":
            (shutil.copytree if extra.is_dir() else shutil.copy2)(extra, folder / extra.name)
    return folder


def _write(kind: str, nb: nbformat.NotebookNode, folder: Path, name: str) -> None:
    text = nbformat.writes(nb)
    if kind == "missing":
        return
    if kind == "renamed":
        name = name.replace(".ipynb", "-Copy1.ipynb")
    elif kind == "bad_json":
        text = text[: len(text) // 2]
    elif kind == "wrong_nbformat":
        text = text.replace('"nbformat": 4,', '"nbformat": 3,')
    (folder / name).write_text(text)


def _manifest(made: list[SyntheticStudent], items: list[_Item]) -> pd.DataFrame:
    rows = [{"student": s.student, "kind": s.kind, "expected_outcome": s.outcome,
             **{i.answer: s.expected[i.test] for i in items}} for s in made]
    return pd.DataFrame(rows).sort_values("student")
