"""Every reading chapter executes and follows the chapter conventions (CONTRIBUTING.md)."""

import re
import time

import nbformat
import pytest
from conftest import CHAPTERS
from nbclient import NotebookClient

from trcourse.notebooks import evidence_reviewed
from trcourse.paths import NOTEBOOKS


def _notebook(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_executes(chapter):
    nb = _notebook(chapter)
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    print(f"{chapter} executed in {time.perf_counter() - start:.1f} s")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_is_committed_without_outputs(chapter):
    dirty = [i for i, c in enumerate(_notebook(chapter).cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{chapter}: strip outputs of cells {dirty} before committing"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_the_required_parts(chapter):
    nb = _notebook(chapter)
    text = _markdown(nb)
    assert nb.cells[0].source.startswith("# "), "the first cell is the chapter title"
    for part in ("## Learning objectives", "## Key points"):
        assert part in text, f"{chapter} lacks a '{part}' section"
    assert "{cite:p}" in text, f"{chapter} cites nothing"
    assert "{term}" in text, f"{chapter} links no glossary term"
    assert "exercises/" in text, f"{chapter} does not point to its exercise"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_figures_have_caption_and_alt_text(chapter):
    figures = [c for c in _notebook(chapter).cells if "figure" in c.metadata.get("mystnb", {})]
    assert len(figures) >= 3, f"{chapter} needs at least 3 figures computed from the data"
    for cell in figures:
        mystnb = cell.metadata["mystnb"]
        assert mystnb["figure"].get("caption"), f"{chapter}: a figure has no caption"
        assert mystnb.get("image", {}).get("alt"), f"{chapter}: a figure has no alt text"
        assert "hide-input" in cell.metadata.get("tags", []), "hide plotting code (hide-input)"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_states_when_its_evidence_was_reviewed(chapter):
    """Notebook metadata trcourse.evidence_reviewed ("YYYY-MM") is the one source of the date."""
    date = evidence_reviewed(NOTEBOOKS / f"{chapter}.ipynb")
    assert re.fullmatch(r"[A-Z][a-z]+ 20\d\d", date), f"{chapter}: review date {date!r}"
