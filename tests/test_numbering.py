"""Figures are numbered per chapter (src/trcourse/sphinxext/numbering.py)."""

import re

from conftest import CHAPTERS


def test_each_chapter_numbers_its_own_figures(built_book):
    for chapter in CHAPTERS:
        number = int(chapter[2:4])
        html = (built_book / "notebooks" / f"{chapter}.html").read_text()
        figures = re.findall(r"Fig\. (\d+)\.(\d+)", html)
        assert figures, f"{chapter} shows no figure number"
        assert {int(n) for n, _ in figures} == {number}, (chapter, sorted(set(figures)))
        assert ("1" in {i for _, i in figures}), f"{chapter} does not start at Fig. {number}.1"
