"""One author-year form for citations and the references page.

An entry's label is what the text cites, "(Collins et al., 2007)": first author's surname, "and" a
second author, "et al." for more; an organisation author (``author = {{WHO}}``) is cited by its
name, an entry without author by its title's first words; a list cut short with "and others" reads
"et al." in the citation and the list. Two entries with the same label get "a", "b" after the
year. The list is sorted by that label, so the page is in one author-year order, and the text
cites the label itself (``bibtex_reference_style = "trcourse"``).
"""

import string
from collections import Counter
from dataclasses import dataclass, field

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import FieldIsMissing, join, node, sentence
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin as register_referencing
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle

NAME = "trcourse"
TITLE_WORDS = 5
ET_AL = "et al."


def _surname(person) -> str:
    """A person's surname with its particles ("van den Berg"), or an organisation's name."""
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def _short_title(entry) -> str:
    """The title's first words, which stand in for a missing author (as in APA style)."""
    words = Text.from_latex(entry.fields.get("title", "")).render_as("text").split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def author_part(entry) -> str:
    """"Collins", "Hay and DiMichele", "Collins et al.", an organisation's name or the title."""
    names = [_surname(p) for p in entry.persons.get("author", [])]
    if not names:
        return _short_title(entry)
    if len(names) > 2 or names[-1] == "others":
        return f"{names[0]} {ET_AL}"
    return " and ".join(names)


def base_label(entry) -> str:
    """The label without its a/b suffix: "Collins et al., 2007" ("n.d." without a year)."""
    return f"{author_part(entry)}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Author-year labels, with a/b suffixes where two entries would share one."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        counts = Counter(base_label(e) for e in entries)
        seen: Counter = Counter()
        for entry in entries:
            label = base_label(entry)
            if counts[label] > 1:
                seen[label] += 1
                label += string.ascii_lowercase[seen[label] - 1]
            yield label


class AuthorYearSorting(BaseSortingStyle):
    """Sorted as the labels read: author part, year, then title."""

    def sorting_key(self, entry):
        return (author_part(entry).lstrip("[").lower(), entry.fields.get("year", "9999"),
                entry.fields.get("title", "").lower())


@node
def names_et_al(children, context, role):
    """The unsrt name list, with a closing "and others" written "et al."."""
    persons = context["entry"].persons.get(role)
    if not persons:
        raise FieldIsMissing(role, context["entry"])
    style = context["style"]
    named = [style.format_name(p, style.abbreviate_names) for p in persons if str(p) != "others"]
    if len(named) == len(persons):
        return join(sep=", ", sep2=" and ", last_sep=", and ")[named].format_data(context)
    return join(sep=" ")[join(sep=", ")[named], ET_AL].format_data(context)


class ReferenceStyle(UnsrtStyle):
    """The unsrt entry format with author-year labels and order."""

    default_label_style = NAME
    default_sorting_style = NAME

    def format_names(self, role, as_sentence=True):
        formatted = names_et_al(role)
        return sentence[formatted] if as_sentence else formatted


@dataclass
class CitationStyle(LabelReferenceStyle):
    """Cites the label in round brackets, several separated by semicolons."""

    bracket_parenthetical: BracketStyle = field(
        default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))


def register_styles() -> None:
    """Make the "trcourse" label, sorting, formatting and referencing styles available by name."""
    register_plugin("pybtex.style.labels", NAME, AuthorYearLabels)
    register_plugin("pybtex.style.sorting", NAME, AuthorYearSorting)
    register_plugin("pybtex.style.formatting", NAME, ReferenceStyle)
    register_referencing("sphinxcontrib.bibtex.style.referencing", NAME, CitationStyle)


def setup(app: Sphinx) -> dict:
    register_styles()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
