"""The student bundle (make student-bundle) holds what a student needs and nothing of the solutions."""

import hashlib
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from trcourse.bundle import NAME, build
from trcourse.leaks import course_secrets, scan
from trcourse.paths import ROOT

EXERCISES = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("exercises/*/*.ipynb"))
CHAPTERS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("notebooks/*.ipynb"))
TOP_LEVEL = {"README.md", "requirements.txt", "environment.yml", "notebooks", "exercises", "data"}
TEXT_SUFFIXES = (".ipynb", ".py", ".md", ".txt", ".yml", ".yaml", ".json", ".csv", ".mplstyle")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build(ROOT, tmp_path_factory.mktemp("dist") / "student.zip")


@pytest.fixture(scope="module")
def bundle(archive, tmp_path_factory):
    """The unpacked bundle's top folder."""
    out = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(out)
    return out / NAME


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_bundle_has_what_a_student_needs(bundle):
    assert {p.name for p in bundle.iterdir()} == TOP_LEVEL
    needed = [*EXERCISES, *CHAPTERS, "notebooks/course.mplstyle", "data/README.md"]
    missing = [path for path in needed if not (bundle / path).is_file()]
    assert not missing, f"not in the bundle: {missing}"
    assert "-e ." not in (bundle / "environment.yml").read_text(), "the course tooling is not shipped"


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


def test_bundle_is_reproducible(archive, tmp_path):
    assert build(ROOT, tmp_path / "again.zip").read_bytes() == archive.read_bytes()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_exercise_runs_up_to_its_first_answer_cell(bundle, exercise):
    path = bundle / exercise
    nb = nbformat.read(path, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    nb.cells = nb.cells[:first]
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
