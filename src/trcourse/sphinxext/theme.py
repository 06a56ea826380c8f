"""Fixes to what the theme and extensions write, found by axe-core and the browser console.

- the colour-mode button's icons are hidden from assistive technology (template override);
- a hidden code cell's toggle is named by its visible text ("Show code cell source"), not by a
  different aria-label (myst-nb);
- bibliography entries are list items of their list (docutils' deprecated doc-biblioentry role);
- a script added twice is written once (a repeated `const` is a console error).
"""

from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

TEMPLATES = Path(__file__).parent / "templates"


def _add_templates(app: Sphinx, config) -> None:
    config.templates_path.insert(0, str(TEMPLATES))


def dedupe_scripts(app: Sphinx, pagename, templatename, context: dict, doctree) -> None:
    """Drop repeated scripts (one inline script comes twice, once named None and once ''):
    its repeated `const` declaration is a console error."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or None, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


def _rewriting(visit, old: str, new: str):
    """A visitor that runs ``visit`` and replaces ``old`` by ``new`` in the HTML it wrote."""

    def _visit(self, node) -> None:
        start = len(self.body)
        visit(self, node)
        self.body[start:] = [part.replace(old, new) for part in self.body[start:]]

    return _visit


def setup(app: Sphinx) -> dict:
    """Register the template override, the visitor fixes and the script filter."""
    app.add_node(HideCodeCellNode, override=True, html=(
        _rewriting(visit_HideCellInput, '<summary aria-label="Toggle hidden content">', "<summary>"),
        depart_HideCellInput))
    app.add_node(nodes.citation, override=True, html=(
        _rewriting(HTML5Translator.visit_citation, 'role="doc-biblioentry"', 'role="listitem"'),
        HTML5Translator.depart_citation))
    app.connect("config-inited", _add_templates)
    # Early: html-page-context stops at the first handler that returns a template name.
    app.connect("html-page-context", dedupe_scripts, priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
