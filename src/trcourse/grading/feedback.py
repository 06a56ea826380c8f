"""Feedback that teaches but does not leak: nbgrader's feedback HTML without the hidden tests.

nbgrader renders the autograded notebook, whose test cells hold the hidden tests again (they were
restored for grading), and the tracebacks of failed tests quote them. A preprocessor added to
nbgrader's ``GenerateFeedback`` removes hidden-test regions from the cells, and from tracebacks the
lines that quote them; when a hidden line raised the error, its message is replaced too (an
assertion message or a pandas comparison could show the expected answer), and a traceback printed
to a stream that quotes hidden code is removed whole. Visible tests, their
messages and the scores stay. From every output, traceback frames of the grading machinery (the
course's grading kernel, ipykernel, IPython) are dropped and server paths shortened (a library file
to its package path, any other file to its name). Every page is then checked for solution and
hidden-test lines. The course's nbgrader configuration uses these preprocessors too, so the
formgrader's buttons and plain ``nbgrader generate_feedback`` make the same pages.

Items not graded yet (written answers before they are marked) are shown as pending, not as 0,
and the page says its total is provisional (``MarkPending``).
"""

import glob
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
from traitlets.config import Config

from ..leaks import MARKERS, course_secrets, find_leaks, visible_text
from . import course

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
PLACEHOLDER = "# (hidden tests: not shown in feedback)"
HIDDEN_ERROR = "a hidden test failed (hidden tests and their messages are not shown)"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CONTEXT = re.compile(r"^\s*(?:-*>\s*)?\d+\s(.*)$")  # a traceback line quoting code: "---->  4 code"
_MACHINERY = re.compile(r"/(?:trcourse|ipykernel|IPython|nbclient|jupyter_client)/")
_START = r"(?:~|(?<![\w.:/~]))"  # a path starts at ~ or at a / not inside a word, URL or path
_LIBRARY = re.compile(_START + r"(?:/[^\s/'\"():,]+)*/(?:site-packages|dist-packages|python3\.\d+)/")
_DIRECTORY = re.compile(_START + r"(?:/[^\s/'\"():,]+)+/")


def scrub_paths(text: str) -> str:
    """Server paths shortened: a library file to its package path, any other file to its name."""
    return _DIRECTORY.sub("", _LIBRARY.sub("", text))


def split_hidden(source: str) -> tuple[str, set[str]]:
    """A cell's source with each hidden-test region replaced by a placeholder, and the hidden lines."""
    shown, hidden, inside = [], set(), False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
            shown.append(line[: len(line) - len(line.lstrip())] + PLACEHOLDER)
        elif END in line:
            inside = False
        elif inside:
            hidden.add(line.strip())
        else:
            shown.append(line)
    return "\n".join(shown), hidden - {""}


def clean_traceback(output, hidden: set[str]) -> None:
    """Drop traceback lines quoting hidden code; hide the message of an error a hidden line raised."""
    raised_in_hidden = False
    entries = []
    for entry in output.traceback:
        kept = []
        for line in entry.split("\n"):
            plain = _ANSI.sub("", line)
            quoted = _CONTEXT.match(plain)
            if any(m in plain for m in MARKERS) or (quoted and quoted.group(1).strip() in hidden):
                raised_in_hidden |= plain.lstrip().startswith("-")
                continue
            kept.append(line)
        entries.append("\n".join(kept))
    if raised_in_hidden:
        message = _ANSI.sub("", str(output.get("evalue", "")))
        entries = [e for e in entries if not (message and message in _ANSI.sub("", e))]
        entries.append(f"{output.ename}: {HIDDEN_ERROR}")
        output.evalue = HIDDEN_ERROR
    output.traceback = entries


def clean_stream(output, hidden: set[str]) -> None:
    """A printed traceback quoting hidden code is removed whole: its message could show the answer.

    IPython prints a plain traceback to stderr when it cannot show one normally (for example when
    memory is short), so a stream can quote hidden tests just as an error output can.
    """
    if any(line.strip() in hidden for line in _ANSI.sub("", output.text).splitlines()):
        output.text = f"[{HIDDEN_ERROR}]\n"


def clean_output(output) -> None:
    """Drop traceback frames of the grading machinery; shorten server paths in what is shown."""
    if output.output_type == "error":
        output.traceback = [scrub_paths(entry) for entry in output.traceback
                            if not _MACHINERY.search(_ANSI.sub("", entry))]
        output.evalue = scrub_paths(str(output.get("evalue", "")))
    elif output.output_type == "stream":
        output.text = scrub_paths(output.text)
    elif "text/plain" in output.get("data", {}):
        output.data["text/plain"] = scrub_paths(output.data["text/plain"])


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests and the traceback lines quoting them, machinery frames and server paths."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        hidden = set()
        if BEGIN in cell.source:
            cell.source, hidden = split_hidden(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "error" and hidden:
                clean_traceback(output, hidden)
            elif output.output_type == "stream" and hidden:
                clean_stream(output, hidden)
            clean_output(output)
        return cell, resources


PENDING_NOTE = "Not marked yet: the points of this answer are pending (the total does not include them)."
PROVISIONAL = ("**Provisional feedback.** Answers not marked yet: {n}. Their scores show as *pending*, "
               "and the total above counts only what is marked so far.")


class MarkPending(NbGraderPreprocessor):
    """Show items with no score yet as pending (nbgrader would print 0) and say the total is provisional.

    Runs after nbgrader's ``GetGrades``: a pending item's score becomes NaN, which the feedback
    template prints as ``nan`` and ``mark_pending_pages`` rewrites as ``pending``.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"],
                                                          info["student"])
            waiting = {g.name for g in notebook.grades if g.manual_score is None and g.auto_score is None}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id") in waiting:
                meta["score"] = float("nan")
                meta["comment"] = "\n\n".join(filter(None, [meta.get("comment"), PENDING_NOTE]))
        if waiting:
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(PROVISIONAL.format(n=len(waiting))))
        return nb, resources


def mark_pending_pages(pages: list[Path]) -> None:
    """Write ``pending`` where the feedback template printed a pending item's score (``nan``)."""
    for page in pages:
        html = page.read_text()
        if "Score: nan /" in html:
            page.write_text(html.replace("Score: nan /", "Score: pending /"))


def feedback_preprocessors() -> list:
    """nbgrader's feedback preprocessors, with pending items marked, then ``HideHiddenTests``."""
    return [GetGrades, MarkPending, CSSHTMLHeaderPreprocessor, HideHiddenTests]


def feedback_config() -> Config:
    """nbgrader configuration: feedback made with ``feedback_preprocessors``."""
    config = Config()
    config.GenerateFeedback.preprocessors = feedback_preprocessors()
    return config


def generate(root: Path, assignment: str, students: list[str] | None = None) -> dict[Path, list[str]]:
    """Generate sanitised feedback with nbgrader; return (and delete) any page that still leaks."""
    root = Path(root).resolve()
    api = course.open_api(root, feedback_config())
    for student in students or [None]:
        result = api.generate_feedback(assignment, student, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_feedback failed:\n{result.get('log', '')[-4000:]}")
    mark_pending_pages(_pages(api, assignment))
    return check(api, assignment, course_secrets(root), students)


def _pages(api, assignment: str) -> list[Path]:
    return list(map(Path, sorted(glob.glob(str(course.folder(api, "feedback", assignment, "*") / "*.html")))))


def autograded(root: Path, assignment: str) -> list[str]:
    """Students with an autograded notebook of the assignment (those who can get a page)."""
    pattern = str(course.folder(course.open_api(Path(root)), "autograded", assignment, "*") / "*.ipynb")
    return sorted({Path(notebook).parent.parent.name for notebook in glob.glob(pattern)})


def without_page(root: Path, assignment: str, students: list[str] | None = None) -> dict[str, str]:
    """Students who submitted but have no feedback page, with the reason (their grading outcome)."""
    from .autograde import load_outcomes

    api = course.open_api(Path(root))
    pattern = str(course.folder(api, "submitted", assignment, "*"))
    submitted = {Path(folder).parent.name for folder in glob.glob(pattern)}
    have_page = {page.parent.parent.name for page in _pages(api, assignment)}
    outcomes = load_outcomes(root, assignment).set_index("student")
    reasons = {}
    for student in sorted(submitted - have_page):
        if students and student not in students:
            continue
        if student in outcomes.index:
            row = outcomes.loc[student]
            reasons[student] = row.detail if row.detail.startswith(row.outcome) else \
                f"{row.outcome} {row.detail}".strip()
        else:
            reasons[student] = "not autograded yet (run trcourse grade)"
    return reasons


def check(api, assignment: str, secrets: set[str], students: list[str] | None = None) -> dict[Path, list]:
    """Feedback pages showing a solution or hidden-test line the student did not write: deleted."""
    leaks = {}
    pattern = course.folder(api, "feedback", assignment, "*") / "*.html"
    for page in map(Path, sorted(glob.glob(str(pattern)))):
        student = page.parent.parent.name
        if students and student not in students:
            continue
        found = find_leaks(visible_text(page), secrets - _own_lines(api, assignment, student))
        if found:
            leaks[page] = found
            page.unlink()
    return leaks


def _own_lines(api, assignment: str, student: str) -> set[str]:
    """Lines the student wrote: their own answers may match the solution and are no leak."""
    submitted = course.folder(api, "submitted", assignment, student)
    return {line.strip() for nb in submitted.glob("*.ipynb") for line in visible_text(nb).splitlines()}
