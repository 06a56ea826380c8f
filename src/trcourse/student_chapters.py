"""Reading chapters as students open them in JupyterLab: MyST roles and directives resolved.

JupyterLab renders plain Markdown only (jupyterlab-myst cannot resolve citations from a .bib
file: executablebooks/jupyterlab-myst#127), so the bundle ships chapters in which the built
book's own resolution replaces the markup: citations as the book prints them (author-year, from
sphinxcontrib-bibtex in the Sphinx environment) with a reference list, figure numbers from
Sphinx's numbering, glossary terms as text, admonitions as block quotes and page links pointing
to the bundled HTML book.
"""

import pickle
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nbformat
import pybtex.plugin
import pybtex_docutils
from sphinxcontrib.bibtex.plugin import find_plugin
from sphinxcontrib.bibtex.style.referencing import format_references
from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

from .sphinxext.references import register_styles

ENVIRONMENT = Path(".doctrees") / "environment.pickle"  # in the book's build folder
HTML_BOOK = "html"  # the built HTML book's folder in the bundle
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
DIRECTIVE = re.compile(r"^(?P<fence>```+|:::+)\s*\{(?P<name>[\w-]+)\}(?P<title>[^\n]*)\n"
                       r"(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S)
MD_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?P<anchor>#[^)\s]*)?\)")
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger",
               "error", "seealso", "admonition"}
RAW_MARKUP = re.compile(r"\{[\w:-]+\}`|^(```+|:::+)\s*\{", re.M)


class _TextBuilder:
    """Enough of a Sphinx builder for sphinxcontrib-bibtex to format a reference as text."""

    name = "text"

    def get_relative_uri(self, fromdocname: str, todocname: str) -> str:
        return ""


def _explicit(body: str) -> tuple[str | None, str]:
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", body.strip())
    return (match[1], match[2]) if match else (None, body.strip())


@dataclass
class Book:
    """What the built book resolved: citations, figure numbers, the bibliography's style."""

    env: object  # sphinx.environment.BuildEnvironment, unpickled

    @classmethod
    def load(cls, build: Path) -> "Book":
        """The Sphinx environment of a built book (``_build``; raises if it was never built)."""
        register_styles()  # the book's citation styles, as its Sphinx extension registers them
        with (build / ENVIRONMENT).open("rb") as f:
            return cls(pickle.load(f))

    @cached_property
    def _citations(self) -> dict:
        return {c.key: c for c in self.env.domaindata["cite"]["citations"]}

    def cite(self, role: str, keys: str, docname: str) -> str:
        """A {cite:*} role as the book prints it, e.g. ``(Collins et al., 2007)``."""
        style = find_plugin("sphinxcontrib.bibtex.style.referencing",
                            self.env.config.bibtex_reference_style)()
        citations = self._citations
        missing = [k for k in keys.split(",") if k.strip() not in citations]
        if missing:
            raise KeyError(f"{docname}: citation keys not in the built book: {missing}")
        refs = [(c.entry, c.formatted_entry,
                 SphinxReferenceInfo(_TextBuilder(), docname, c.bibliography_key.docname,
                                     c.citation_id, None, "", ""))
                for c in (citations[k.strip()] for k in keys.split(","))]
        rendered = format_references(style, role.split(":")[-1] if ":" in role else "p", refs)
        text = "".join(node.astext() for node in rendered.render(pybtex_docutils.Backend()))
        return text.replace("[", "\\[").replace("]", "\\]")  # never read as a Markdown link

    def reference_list(self, keys: list[str]) -> str:
        """The cited entries as the book's bibliography formats them, in Markdown, sorted."""
        markdown = pybtex.plugin.find_plugin("pybtex.backends", "markdown")()
        citations = self._citations
        lines = sorted(citations[k].formatted_entry.text.render(markdown).replace("\n", " ")
                       for k in dict.fromkeys(keys))
        return "\n".join(f"- {line}" for line in lines)

    def figure(self, label: str) -> str:
        """A {numref} target's text as the book numbers it, e.g. ``Fig. 2``."""
        docname, node_id, _ = self.env.domaindata["std"]["labels"][label]
        number = self.env.toc_fignumbers[docname]["figure"][node_id]
        return self.env.config.numfig_format["figure"] % ".".join(map(str, number))


def html_page(docname: str) -> str:
    """The bundled HTML book's page for a docname, relative to the chapters' folder."""
    return f"../{HTML_BOOK}/{docname}.html"


def _docname(target: str, docname: str) -> str:
    """A document path written relative to ``docname``'s folder, as a docname."""
    parts = [*Path(docname).parent.parts, *Path(target).with_suffix("").parts]
    out: list[str] = []
    for part in parts:
        if part == "..":
            out.pop()
        elif part != ".":
            out.append(part)
    return "/".join(out)


class Converter:
    """Turns one chapter's MyST Markdown into plain Markdown, collecting the keys it cites."""

    def __init__(self, book: Book, docname: str):
        self.book, self.docname, self.cited = book, docname, []

    def role(self, match: re.Match) -> str:
        role, body = match["role"], match["body"]
        if role.startswith("cite"):
            self.cited += [k.strip() for k in body.split(",")]
            return self.book.cite(role, body, self.docname)
        text, target = _explicit(body)
        if role == "term":
            return text or target
        if role == "numref":
            number = self.book.figure(target)
            return text.replace("%s", number.split(" ", 1)[-1]) if text else number
        if role == "doc":
            page = _docname(target, self.docname)
            title = text or self.book.env.titles[page].astext()
            return f"[{title}]({html_page(page)})"
        raise ValueError(f"{self.docname}: no plain-Markdown form for the {{{role}}} role")

    def directive(self, match: re.Match) -> str:
        name, title, body = match["name"], match["title"].strip(), match["body"]
        if name not in ADMONITIONS:
            raise ValueError(f"{self.docname}: no plain-Markdown form for the {{{name}}} directive")
        heading = title if name == "admonition" else (title or name.capitalize())
        body = "\n".join(line for line in body.splitlines() if not line.startswith(":"))
        quoted = "\n".join(f"> {line}".rstrip() for line in body.strip().splitlines())
        return f"> **{heading}**\n>\n{quoted}\n"

    def link(self, match: re.Match) -> str:
        page = _docname(match["target"], self.docname)
        return f"]({html_page(page)}{match['anchor'] or ''})"

    def markdown(self, source: str) -> str:
        source = DIRECTIVE.sub(self.directive, source)
        source = ROLE.sub(self.role, source)
        return MD_LINK.sub(self.link, source)


def convert(notebook: nbformat.NotebookNode, docname: str, book: Book) -> nbformat.NotebookNode:
    """A copy of a chapter that reads as plain Markdown, with its references at the end."""
    nb = nbformat.from_dict(notebook)
    converter = Converter(book, docname)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = converter.markdown(cell.source)
        cells.append(cell)
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if cell.cell_type == "code" and figure.get("name"):
            caption = converter.markdown(figure.get("caption", ""))
            cells.append(nbformat.v4.new_markdown_cell(
                f"**{book.figure(figure['name'])}.** {caption}".strip(), id=f"{figure['name']}-caption"))
    if converter.cited:
        cells.append(nbformat.v4.new_markdown_cell(
            "## References\n\nThe sources cited in this chapter (the book's "
            f"[full reference list]({html_page('book/bibliography')})).\n\n"
            + book.reference_list(converter.cited), id="references"))
    nb.cells = cells
    return nb


def unresolved(source: str) -> list[str]:
    """Raw MyST markup left in Markdown text (empty when a chapter reads cleanly)."""
    return [m.group(0) for m in RAW_MARKUP.finditer(source)]

