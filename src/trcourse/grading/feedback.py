"""Feedback that teaches but does not leak: nbgrader's feedback HTML without the hidden tests.

nbgrader renders the autograded notebook, whose test cells hold the hidden tests again (they were
restored for grading), and the tracebacks of failed tests quote them. A preprocessor added to
nbgrader's ``GenerateFeedback`` removes hidden-test regions from the cells, and from tracebacks the
lines that quote them; when a hidden line raised the error, its message is replaced too (an
assertion message or a pandas comparison could show the expected answer). Visible tests, their
messages and the scores stay. From every output, traceback frames of the grading machinery (the
course's grading kernel, ipykernel, IPython) are dropped and server paths shortened (a library file
to its package path, any other file to its name). Every page is then checked for solution and
hidden-test lines. The course's nbgrader configuration uses these preprocessors too, so the
formgrader's buttons and plain ``nbgrader generate_feedback`` make the same pages.
"""

import glob
import re
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
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
            clean_output(output)
        return cell, resources


def feedback_preprocessors() -> list:
    """nbgrader's feedback preprocessors, then ``HideHiddenTests``."""
    return [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]


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
    return check(api, assignment, course_secrets(root), students)


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
