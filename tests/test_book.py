"""The book builds strictly from a clean tree and shows no solution or hidden test."""

from conftest import TOC_PAGES

from trcourse.leaks import course_secrets, scan
from trcourse.paths import ROOT


def test_every_toc_page_is_built(built_book):
    missing = [f for f in TOC_PAGES if not (built_book / f"{f}.html").exists()]
    assert not missing, f"pages in _toc.yml that were not built: {missing}"


def test_built_book_leaks_no_solution(built_book):
    leaks = scan(built_book, course_secrets(ROOT), suffixes=(".html", ".ipynb", ".txt", ".js"))
    assert not leaks, f"solution text in the built book: {leaks}"
