"""The student bundle (make student-bundle): a complete offline course, nothing of the solutions."""

import hashlib
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from trcourse.bundle import CONFIG_PACKAGE, NAME, build
from trcourse.leaks import course_secrets, scan
from trcourse.paths import ROOT
from trcourse.student_chapters import HTML_BOOK, unresolved

pytestmark = pytest.mark.slow

EXERCISES = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("exercises/*/*.ipynb"))
CHAPTERS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("notebooks/*.ipynb"))
TOP_LEVEL = {"README.md", "requirements.txt", "environment.yml", "nbgrader_config.py", CONFIG_PACKAGE,
             "notebooks", "exercises", "data", HTML_BOOK}
TEXT_SUFFIXES = (".ipynb", ".py", ".md", ".txt", ".yml", ".yaml", ".json", ".csv", ".mplstyle", ".html")
LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)\s]*)?\)")
FIGURE = re.compile(r"^\*\*(Fig\. [\d.]+)\.\*\*", re.M)


@pytest.fixture(scope="module")
def archive(built_book, tmp_path_factory):
    return build(ROOT, tmp_path_factory.mktemp("dist") / "student.zip", built_book.parent)


@pytest.fixture(scope="module")
def bundle(archive, tmp_path_factory):
    """The unpacked bundle's top folder."""
    out = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(out)
    return out / NAME


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _markdown(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_bundle_has_what_a_student_needs(bundle):
    assert {p.name for p in bundle.iterdir()} == TOP_LEVEL
    book_pages = [f"{HTML_BOOK}/{page}.html" for page in
                  ("index", "search", "book/glossary", "book/bibliography", "book/about-data")]
    needed = [*EXERCISES, *CHAPTERS, "notebooks/course.mplstyle", "data/README.md", *book_pages,
              *(f"{HTML_BOOK}/{Path(c).with_suffix('.html')}" for c in CHAPTERS)]
    missing = [path for path in needed if not (bundle / path).is_file()]
    assert not missing, f"not in the bundle: {missing}"
    assert "-e ." not in (bundle / "environment.yml").read_text(), "the course tooling is not shipped"


def test_bundled_book_has_its_quizzes_and_search_index(bundle):
    quizzes = [p.stem for p in (ROOT / "book" / "quizzes").glob("ch*.yml")]
    assert quizzes
    for chapter in quizzes:
        assert 'class="trq-question"' in (bundle / HTML_BOOK / "notebooks" / f"{chapter}.html").read_text()
    assert (bundle / HTML_BOOK / "searchindex.js").stat().st_size > 10_000


def test_bundle_installs_the_student_lock_and_settings(bundle):
    lines = (bundle / "requirements.txt").read_text().splitlines()
    assert lines == [*(ROOT / "requirements-student.txt").read_text().splitlines(), f"./{CONFIG_PACKAGE}"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_bundled_chapter_reads_as_plain_markdown(bundle, chapter):
    text = _markdown(bundle / chapter)
    assert not unresolved(text), f"raw MyST markup left in {chapter}: {unresolved(text)[:5]}"
    if "{cite" in _markdown(ROOT / chapter):
        assert "\n## References\n" in text, "a chapter that cites sources ends with its references"
    broken = [m["target"] for m in LINK.finditer(text)
              if "://" not in m["target"] and not (bundle / Path(chapter).parent / m["target"]).exists()]
    assert not broken, f"links to files that are not in the bundle: {broken}"
    page = (bundle / HTML_BOOK / Path(chapter).with_suffix(".html")).read_text()
    numbers = FIGURE.findall(text)
    assert len(numbers) == len(set(numbers)), "each figure has its own number"
    assert all(n in page for n in numbers), "figure numbers are the built book's"


def test_bundle_has_nothing_from_solutions(bundle):
    names = [p.relative_to(bundle).as_posix() for p in _files(bundle)]
    assert not [n for n in names if "solutions" in n or n.endswith("answer_variants.yml")]
    solution_files = {hashlib.sha256(p.read_bytes()).digest()
                      for p in ROOT.glob("solutions/*/*") if p.is_file()}
    copies = [p for p in _files(bundle) if hashlib.sha256(p.read_bytes()).digest() in solution_files]
    assert not copies, f"copies of files from solutions/: {copies}"


def test_bundle_leaks_no_solution_line_hidden_test_or_marker(bundle):
    # course_secrets already leaves out the lines the reading chapters publish
    leaks = scan(bundle, course_secrets(ROOT), suffixes=TEXT_SUFFIXES)
    assert not leaks, f"solution text in the student bundle: {leaks}"


def test_bundle_is_reproducible(archive, built_book, tmp_path):
    assert build(ROOT, tmp_path / "again.zip", built_book.parent).read_bytes() == archive.read_bytes()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_exercise_runs_up_to_its_first_answer_cell(bundle, exercise):
    path = bundle / exercise
    nb = nbformat.read(path, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    nb.cells = nb.cells[:first]
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
