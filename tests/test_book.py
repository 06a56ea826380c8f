"""The book builds strictly from a clean tree and shows no solution or hidden test."""

import re
import zipfile

import pytest
from conftest import CHAPTERS, TOC_PAGES

from trcourse.leaks import course_secrets, scan
from trcourse.notebooks import evidence_reviewed
from trcourse.paths import NOTEBOOKS, ROOT


def test_every_toc_page_is_built(built_book):
    missing = [f for f in TOC_PAGES if not (built_book / f"{f}.html").exists()]
    assert not missing, f"pages in _toc.yml that were not built: {missing}"


def test_built_book_leaks_no_solution(built_book):
    leaks = scan(built_book, course_secrets(ROOT), suffixes=(".html", ".ipynb", ".txt", ".js"))
    assert not leaks, f"solution text in the built book: {leaks}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_and_course_map_show_the_review_date(built_book, chapter):
    date = evidence_reviewed(NOTEBOOKS / f"{chapter}.ipynb")
    page = (built_book / "notebooks" / f"{chapter}.html").read_text()
    assert f"Evidence reviewed to:</strong> {date}" in page, f"{chapter}: no review date on its page"
    course_map = (built_book / "book" / "course_map.html").read_text()
    rows = [r for r in re.findall(r"<tr>.*?</tr>", course_map, re.DOTALL) if f"{chapter}.html" in r]
    assert rows and date in rows[0], f"{chapter}: the course map does not show its review date"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_download_is_the_release_without_solutions(built_book, chapter, tmp_path):
    page = (built_book / "notebooks" / f"{chapter}.html").read_text()
    assert f'href="../_downloads/exercises/{chapter}.zip"' in page, f"{chapter}: no download link"
    with zipfile.ZipFile(built_book / "_downloads" / "exercises" / f"{chapter}.zip") as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    assert f"{chapter}/{chapter}.ipynb" in names
    assert any(n.startswith(f"{chapter}/data/") and n.endswith(".csv") for n in names), names
    leaks = scan(tmp_path, course_secrets(ROOT), suffixes=(".ipynb", ".csv", ".md", ".py"))
    assert not leaks, f"solution text in the downloadable exercise: {leaks}"
