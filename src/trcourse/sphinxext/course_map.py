"""Keep the course map page current in incremental builds.

book/course_map.ipynb reads the chapter notebooks (text and review date), the released exercises
and _toc.yml at build time. Sphinx re-reads a page only when its own source changes, so without
this extension an incremental `make book` would keep showing an old table. Here those files
become dependencies of the page: when one of them changes (a new chapter also changes _toc.yml),
the page is re-read and, being a notebook with execution_mode "force", re-executed.
"""

from pathlib import Path

COURSE_MAP = "book/course_map"
SOURCES = (
    "_toc.yml",
    "notebooks/ch[0-9][0-9]_*.ipynb",
    "exercises/ch[0-9][0-9]_*/ch[0-9][0-9]_*.ipynb",
)


def _note_dependencies(app, doctree) -> None:
    env = app.env
    if env.docname != COURSE_MAP:
        return
    root = Path(app.srcdir)
    for pattern in SOURCES:
        for path in sorted(root.glob(pattern)):
            env.note_dependency(str(path))


def setup(app):
    app.connect("doctree-read", _note_dependencies)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
