"""A download link in each chapter's Exercise section, for readers of the web book.

The link points to ``_downloads/exercises/<chapter>.zip`` in the HTML build: the released
exercise folder (``exercises/<chapter>/``: the student notebook and its data), zipped at the end
of the build. Only the release is packed, never solutions/.
"""

import posixpath
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from trcourse.bundle import tree, write_zip

from .quiz import CHAPTER_PAGE

SECTION_TITLE = "Exercise"
DOWNLOADS = "_downloads/exercises"


def release_folder(app: Sphinx, chapter: str) -> Path | None:
    """The released exercise folder of a chapter, or None when it is not released."""
    folder = Path(app.srcdir) / "exercises" / chapter
    return folder if (folder / f"{chapter}.ipynb").is_file() else None


def _paragraph(docname: str, chapter: str) -> nodes.paragraph:
    uri = posixpath.relpath(f"{DOWNLOADS}/{chapter}.zip", posixpath.dirname(docname))
    paragraph = nodes.paragraph(classes=["trcourse-exercise-download"])
    paragraph += nodes.Text("Reading this online? Download the exercise: ")
    paragraph += nodes.reference("", f"{chapter}.zip", refuri=uri)
    paragraph += nodes.Text(" (the notebook and its data folder). Unzip it and open "
                            f"{chapter}.ipynb in JupyterLab from inside the unzipped folder.")
    return paragraph


def add_download_link(app: Sphinx, doctree: nodes.document) -> None:
    """Append the link to the chapter's Exercise section, if the chapter has a released exercise."""
    match = CHAPTER_PAGE.fullmatch(app.env.docname)
    folder = match and release_folder(app, match.group(1))
    if not folder:
        return
    for path in sorted(folder.rglob("*")):
        app.env.note_dependency(str(path))
    for section in doctree.findall(nodes.section):
        if section[0].astext() == SECTION_TITLE:
            section += _paragraph(app.env.docname, match.group(1))


def write_archives(app: Sphinx, exception: Exception | None) -> None:
    """Zip every chapter's released exercise into the HTML build's downloads."""
    if exception or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        match = CHAPTER_PAGE.fullmatch(docname)
        folder = match and release_folder(app, match.group(1))
        if folder:
            archive = Path(app.outdir) / DOWNLOADS / f"{folder.name}.zip"
            write_zip(archive, tree(folder, folder.name))


def setup(app: Sphinx) -> dict:
    """Register the doctree hook and the archive writer."""
    app.connect("doctree-read", add_download_link)
    app.connect("build-finished", write_archives)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
