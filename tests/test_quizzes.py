"""Self-check quizzes (book/quizzes/*.yml): strictly valid, one per TOC chapter, rendered by Sphinx."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TOC_PAGES

from trcourse.paths import BOOK, NOTEBOOKS
from trcourse.sphinxext.quiz import QuizError, load_quiz

QUIZZES = sorted(p.name for p in (BOOK / "quizzes").glob("*.yml"))
TOC_CHAPTERS = [Path(p).name for p in TOC_PAGES if p.startswith("notebooks/ch")]
GOOD = {"questions": [{"id": "q-one", "question": "Which?", "options": [
    {"answer": "A", "correct": False, "feedback": "Not A, because."},
    {"answer": "B", "correct": True, "feedback": "B, because."}]}]}


def _broken(change) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data["questions"][0])
    return data


BROKEN = {
    "two correct": _broken(lambda q: q["options"][0].update(correct=True)),
    "none correct": _broken(lambda q: q["options"][1].update(correct=False)),
    "no feedback": _broken(lambda q: q["options"][0].pop("feedback")),
    "empty feedback": _broken(lambda q: q["options"][0].update(feedback=" ")),
    "misspelt key": _broken(lambda q: q["options"][0].update(feeback="x")),
    "one option": _broken(lambda q: q["options"].pop()),
    "correct as text": _broken(lambda q: q["options"][1].update(correct="yes")),
    "bad id": _broken(lambda q: q.update(id="Q 1")),
    "no questions": {"questions": []},
}


@pytest.mark.parametrize("quiz", QUIZZES)
def test_quiz_is_valid(quiz):
    questions = load_quiz(BOOK / "quizzes" / quiz)
    assert 4 <= len(questions) <= 6, f"{quiz}: {len(questions)} questions; the guide asks for 4-6"


@pytest.mark.parametrize("quiz", QUIZZES)
def test_quiz_belongs_to_a_chapter(quiz):
    assert (NOTEBOOKS / f"{Path(quiz).stem}.ipynb").exists(), f"{quiz}: no notebooks/{Path(quiz).stem}.ipynb"


@pytest.mark.parametrize("chapter", TOC_CHAPTERS)
def test_every_chapter_in_the_toc_has_a_quiz(chapter):
    assert (BOOK / "quizzes" / f"{chapter}.yml").exists(), f"book/quizzes/{chapter}.yml is missing"


@pytest.mark.parametrize("name", BROKEN)
def test_malformed_quiz_is_rejected_naming_the_file(tmp_path, name):
    path = tmp_path / "ch09_example.yml"
    path.write_text(yaml.safe_dump(BROKEN[name]))
    with pytest.raises(QuizError, match="ch09_example.yml"):
        load_quiz(path)


def _sphinx_project(root: Path, quiz: dict) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "book" / "quizzes").mkdir(parents=True)
    (root / "conf.py").write_text('extensions = ["trcourse.sphinxext.quiz"]\n')
    (root / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   notebooks/ch09_example\n")
    (root / "notebooks" / "ch09_example.rst").write_text("Chapter 9\n=========\n\nText.\n")
    (root / "book" / "quizzes" / "ch09_example.yml").write_text(yaml.safe_dump(quiz))
    return root


def _sphinx_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(root),
                           str(root / "_build")], capture_output=True, text=True)


def test_sphinx_appends_the_quiz_to_its_chapter_page(tmp_path):
    result = _sphinx_build(_sphinx_project(tmp_path, GOOD))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "_build" / "notebooks" / "ch09_example.html").read_text()
    assert 'id="self-check-quiz"' in page and "Self-check quiz" in page
    assert page.count('type="radio"') == 2 and 'aria-live="polite"' in page
    assert "trcourse-quiz.js" in page and (tmp_path / "_build" / "_static" / "trcourse-quiz.js").exists()


def test_sphinx_build_fails_on_a_malformed_quiz_naming_the_file(tmp_path):
    result = _sphinx_build(_sphinx_project(tmp_path, BROKEN["two correct"]))
    assert result.returncode != 0
    assert "ch09_example.yml" in result.stderr and "exactly one option must be correct" in result.stderr
