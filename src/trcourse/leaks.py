"""Find solution text or hidden tests where students and readers could see them."""

import html
import re
from pathlib import Path

import nbformat

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_BLOCK = re.compile(
    r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.DOTALL
)
_MIN_LENGTH = 12  # shorter lines ("else:", "return x") are too common to mean a leak


def _is_solution_markdown(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "markdown" and meta.get("solution", False)


def _hidden_and_shown(notebook: Path) -> tuple[set[str], set[str]]:
    """Lines of a source notebook inside solutions or hidden tests, and lines shown to students."""
    nb = nbformat.read(notebook, as_version=4)
    hidden_lines, shown_lines = set(), set()
    for cell in nb.cells:
        hidden = cell.source if _is_solution_markdown(cell) else "\n".join(
            block for _, block in _BLOCK.findall(cell.source)
        )
        shown = "" if _is_solution_markdown(cell) else _BLOCK.sub("", cell.source)
        hidden_lines.update(_lines(hidden))
        shown_lines.update(_lines(shown))
    return hidden_lines, shown_lines


def secret_lines(notebook: Path) -> set[str]:
    """Lines of a source notebook that only the solution or a hidden test contains."""
    hidden, shown = _hidden_and_shown(notebook)
    return hidden - shown


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= _MIN_LENGTH}


def _chapter_lines(root: Path) -> set[str]:
    """Lines of the reading chapters: public by design (e.g. `fig, ax = plt.subplots()`)."""
    chapters = sorted((root / "notebooks").glob("*.ipynb"))
    return set().union(*(_lines("\n".join(c.source for c in nbformat.read(nb, as_version=4).cells))
                         for nb in chapters))


def course_secrets(root: Path) -> set[str]:
    """Secret lines of every source notebook and answer-variants file in solutions/."""
    source = root / "solutions"
    split = [_hidden_and_shown(nb) for nb in sorted(source.glob("*/*.ipynb"))]
    secrets = set().union(*(hidden - shown for hidden, shown in split))
    shown = set().union(*(shown for _, shown in split))
    for variants in sorted(source.glob("*/answer_variants.yml")):
        # a variant repeats the released stub (def line, docstring): only its other lines are secret
        secrets |= _lines(variants.read_text()) - shown
    return secrets - _chapter_lines(root)


def visible_text(path: Path) -> str:
    """What a person can read in a file: HTML is unescaped, notebooks are read as JSON-decoded text."""
    text = path.read_text(errors="replace")
    if path.suffix == ".ipynb":
        nb = nbformat.reads(text, as_version=4)
        return "\n".join(cell.source for cell in nb.cells) + "\n" + text
    if path.suffix in {".html", ".htm"}:
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def find_leaks(text: str, secrets: set[str]) -> list[str]:
    """Markers and secret lines found in a text."""
    found = [m for m in MARKERS if m in text]
    lines = {line.strip() for line in text.splitlines()}
    return found + sorted(secrets & lines)


def scan(folder: Path, secrets: set[str], suffixes=(".ipynb", ".html", ".py", ".md", ".txt")):
    """Path -> leaks, for every file under a folder that leaks something."""
    leaks = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in suffixes:
            found = find_leaks(visible_text(path), secrets)
            if found:
                leaks[path] = found
    return leaks
