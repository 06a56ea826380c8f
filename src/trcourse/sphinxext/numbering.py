"""Figure, table and code numbers per chapter: chapter 3's first figure is "Fig. 3.1".

Sphinx counts them across the whole book unless the table of contents is numbered, which would
also number every chapter heading ("3. Chapter 3: ..."). This restarts the count on every page and
puts the chapter number (from ``chNN_`` in the file name) in front on chapter pages.
"""

import re

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

CHAPTER = re.compile(r"(?:^|/)ch(\d+)_")


def chapter_prefix(docname: str) -> tuple[int, ...]:
    """``(3,)`` for ``notebooks/ch03_acquired_hemophilia``; ``()`` for other pages."""
    match = CHAPTER.search(docname)
    return (int(match[1]),) if match else ()


def renumber(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Number each page's figures (tables, code blocks) 1, 2, ... in their book order."""
    for docname, figtypes in env.toc_fignumbers.items():
        prefix = chapter_prefix(docname)
        for numbers in figtypes.values():
            for count, node_id in enumerate(sorted(numbers, key=numbers.get), start=1):
                numbers[node_id] = (*prefix, count)
    return []


def setup(app: Sphinx) -> dict:
    # after Sphinx's own numbering (the toctree collector, priority 500)
    app.connect("env-get-updated", renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
