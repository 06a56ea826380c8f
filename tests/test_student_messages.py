"""Every message that points a student somewhere points to a place that exists."""

import re

import nbformat
import pytest
import yaml
from conftest import ASSIGNMENTS

from trcourse.paths import ROOT

CHAPTER_SECTION = re.compile(r"Chapter (\d+),? \*([^*]+)\*")
OWN_SECTION = re.compile(r"(?<!Chapter \d) section:? \*([^*]+)\*")


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[*`_]", "", text).split()).rstrip(".:").lower()


def _headings(chapter_number: int) -> set[str]:
    (path,) = (ROOT / "notebooks").glob(f"ch{chapter_number:02d}_*.ipynb")
    cells = nbformat.read(path, as_version=4).cells
    return {_plain(line.lstrip("#")) for c in cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if line.startswith("#")}


def _student_text(assignment: str) -> str:
    """The prompts and test messages of an assignment, one line."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return " ".join(" ".join(c.source.split()) for c in nb.cells)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_named_section_exists_in_its_chapter(assignment):
    text = _student_text(assignment)
    own = int(assignment[2:4])
    named = [(int(n), title) for n, title in CHAPTER_SECTION.findall(text)]
    named += [(own, title) for title in OWN_SECTION.findall(text)]
    missing = [(n, title) for n, title in named if _plain(title) not in _headings(n)]
    assert not missing, f"sections named in {assignment} that their chapter does not have: {missing}"


def test_generic_messages_name_no_section():
    """A template message does not know which section a question points to, so it names none."""
    templates = yaml.safe_load((ROOT / "autotests.yml").read_text())["python3"]["templates"]
    messages = [step["fail"] for steps in templates.values() for step in steps]
    assert not [m for m in messages if "section" in m.lower()]


@pytest.mark.parametrize("chapter", sorted(p.stem for p in (ROOT / "notebooks").glob("ch*.ipynb")))
def test_chapter_points_to_its_exercise(chapter):
    text = " ".join(c.source for c in nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb",
                                                   as_version=4).cells if c.cell_type == "markdown")
    for folder in re.findall(r"exercises/(\w+)/", text):
        assert (ROOT / "exercises" / folder).is_dir(), f"{chapter} points to exercises/{folder}/"
