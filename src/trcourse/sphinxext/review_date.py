""""Evidence reviewed to: <month year>" under each chapter page's title.

The date comes from the chapter notebook's metadata ``"trcourse": {"evidence_reviewed": "YYYY-MM"}``,
its one source (the course map reads it too); a chapter without it stops the build.
"""

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError

from trcourse.notebooks import evidence_reviewed

from .quiz import CHAPTER_PAGE

LABEL = "Evidence reviewed to:"


def add_review_date(app: Sphinx, doctree: nodes.document) -> None:
    """Insert the review date as the first paragraph after the chapter title."""
    if not CHAPTER_PAGE.fullmatch(app.env.docname):
        return
    try:
        date = evidence_reviewed(Path(app.env.doc2path(app.env.docname)))
    except ValueError as error:
        raise SphinxError(str(error)) from error
    paragraph = nodes.paragraph(classes=["trcourse-review-date"])
    paragraph += nodes.strong(LABEL, LABEL)
    paragraph += nodes.Text(f" {date}")
    top = next(iter(doctree.findall(nodes.section)))
    top.insert(top.first_child_matching_class(nodes.title) + 1, paragraph)


def setup(app: Sphinx) -> dict:
    """Register the doctree hook."""
    app.connect("doctree-read", add_review_date)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
