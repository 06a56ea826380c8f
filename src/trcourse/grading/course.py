"""A course directory as nbgrader sees it: its configuration, folders and gradebook."""

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader
from nbgrader.auth import Authenticator
from traitlets.config import Config

from ..release import generate_assignment, use_course_tools

REPORTS = "grading-reports"


def open_api(root: Path, overrides: Config | None = None) -> NbGraderAPI:
    """nbgrader's Python API on a course root, configured as ``nbgrader`` there would be, plus overrides."""
    use_course_tools()
    app = NbGrader()
    app.initialize([], root=str(Path(root).resolve()))
    if overrides is not None:
        app.update_config(overrides)
    return NbGraderAPI(app.coursedir, Authenticator(parent=app), parent=app)


def folder(api: NbGraderAPI, kind: str, assignment: str, student: str = ".") -> Path:
    """A folder of one assignment; ``kind``: source, release, submitted, autograded or feedback."""
    return Path(api.coursedir.format_path(getattr(api.coursedir, f"{kind}_directory"), student, assignment))


def release_notebooks(api: NbGraderAPI, assignment: str) -> dict[str, nbformat.NotebookNode]:
    """File name -> released student notebook."""
    release = folder(api, "release", assignment)
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(release.glob("*.ipynb"))}


def reports_dir(root: Path, assignment: str) -> Path:
    """Where the grading reports of an assignment go (git-ignored)."""
    path = Path(root) / REPORTS / assignment
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_in_gradebook(api: NbGraderAPI, assignment: str) -> None:
    """Make sure the gradebook knows the assignment (a fresh clone has none): nbgrader releases it."""
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
            return
        except MissingEntry:
            pass
    generate_assignment(Path(api.coursedir.root), assignment)
