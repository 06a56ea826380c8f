"""What happened to each submission: checks before grading, and reading nbgrader's result after.

Before grading, a submission is compared with the release by ``grade_id`` (nbgrader itself
silently restores edited test cells and says nothing about deleted ones). After grading, the
autograded notebook and nbgrader's log say whether a cell timed out, hit the memory cap, or
killed the kernel. Every submission ends in exactly one outcome, the most serious one found.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.utils import compute_checksum

from .execute import INFRASTRUCTURE
from .workers import WORKER_DIED

# Outcomes, most serious first, with what each means for the grade.
OUTCOMES = {
    "unreadable": "the notebook is not valid JSON or not nbformat 4: not graded, scored 0",
    "missing": "no notebook of the expected name (missing or renamed): not graded, scored 0",
    "infrastructure_error": "the grading machinery failed before student code ran, also when retried "
                            "(detail: the cause): not scored, fix the cause and re-grade (--remaining)",
    "worker_killed": "grading it killed the grading process twice (possible only with --no-sandbox): "
                     "scored 0, review",
    "kernel_died": "the kernel died (crash or memory exhausted outside Python): scored 0, review",
    "grading_failed": "nbgrader failed for another reason (see the log): scored 0, review",
    "timed_out": "a cell exceeded the time limit and was interrupted; the other cells were graded "
                 "(code that could not be stopped ended the kernel: scored 0, review)",
    "memory_limit": "a cell hit the memory cap (MemoryError); the other cells were graded",
    "cells_deleted": "graded cells were deleted; their items are left for manual grading",
    "tests_tampered": "locked cells were edited; nbgrader restored them and graded the answers",
    "graded": "graded normally",
}
NOT_GRADED = ("unreadable", "missing")  # nbgrader is not run on these
SCORED_ZERO = ("unreadable", "missing", "worker_killed", "kernel_died", "grading_failed")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXCEPTION = re.compile(r"^[\w.]*(Error|Exception|Exit|Interrupt)(:|$)")


@dataclass(frozen=True)
class Finding:
    """One thing found about a submission: an outcome and what exactly."""

    outcome: str
    detail: str


def worst(findings: list[Finding]) -> str:
    """The outcome of a submission: its most serious finding, or ``graded``."""
    ranked = list(OUTCOMES)
    return min((f.outcome for f in findings), key=ranked.index, default="graded")


def check_submission(folder: Path, release: dict[str, nbformat.NotebookNode]) -> list[Finding]:
    """Findings about a submitted folder before grading, against the release notebooks by name."""
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    findings = []
    for name, released in release.items():
        if name not in present:
            others = [p for p in present if p not in release]
            detail = f"{name} not found" + (f"; found {', '.join(others)}" if others else "")
            findings.append(Finding("missing", detail))
            continue
        try:
            submitted = read_notebook(folder / name)
        except ValueError as error:
            findings.append(Finding("unreadable", f"{name}: {error}"))
            continue
        findings += compare_cells(submitted, released)
    return findings


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A submitted notebook; ValueError saying why when it is not valid JSON or not nbformat 4."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not valid JSON ({error})") from None
    version = raw.get("nbformat") if isinstance(raw, dict) else None
    if version != 4:
        raise ValueError(f"nbformat {version!r}, expected 4")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for malformed notebooks
        raise ValueError(f"not a readable notebook ({error})") from None


def _graded_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if "grade_id" in c.metadata.get("nbgrader", {})}


def compare_cells(submitted: nbformat.NotebookNode, released: nbformat.NotebookNode) -> list[Finding]:
    """Deleted nbgrader cells and edited locked cells (source or metadata), by grade_id."""
    theirs, ours = _graded_cells(submitted), _graded_cells(released)
    findings = []
    deleted = [gid for gid in ours if gid not in theirs]
    if deleted:
        findings.append(Finding("cells_deleted", ", ".join(deleted)))
    edited = [gid for gid, cell in ours.items() if cell.metadata["nbgrader"].get("locked")
              and gid in theirs and _checksum(theirs[gid]) != _checksum(cell)]
    if edited:
        findings.append(Finding("tests_tampered", ", ".join(edited)))
    return findings


def _checksum(cell: nbformat.NotebookNode) -> str:
    try:
        return compute_checksum(cell)
    except (KeyError, ValueError, TypeError):  # metadata edited beyond recognition
        return ""


def read_result(log: str, success: bool, autograded: list[Path]) -> list[Finding]:
    """Findings from one nbgrader autograde run: its success flag, its log, the executed notebooks."""
    findings = []
    for path in autograded:
        for gid, ename in _errors(nbformat.read(path, as_version=4)):
            if ename == "CellTimeoutError":
                findings.append(Finding("timed_out", f"{gid} interrupted"))
            elif ename == "MemoryError":
                findings.append(Finding("memory_limit", f"{gid} raised MemoryError"))
    if success:
        return findings
    if INFRASTRUCTURE in log:
        return findings + [Finding("infrastructure_error", _last_error(log, INFRASTRUCTURE))]
    if WORKER_DIED in log:
        return findings + [Finding("worker_killed", log.strip())]
    if "Kernel died" in log:
        if "Timeout waiting for execute reply" in log:
            return findings + [Finding("timed_out", "a cell did not stop when interrupted; kernel ended")]
        return findings + [Finding("kernel_died", "the kernel died while running the notebook")]
    return findings + [Finding("grading_failed", _last_error(log))]


def _errors(nb: nbformat.NotebookNode):
    """(grade_id or cell number, error name) of every error output of an executed notebook."""
    for index, cell in enumerate(nb.cells):
        label = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index + 1}")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                yield label, output.ename


def _last_error(log: str, name: str = "") -> str:
    """The exception (of that name) nbgrader logged last (e.g. ``FileNotFoundError: ...``)."""
    lines = [_ANSI.sub("", line).strip() for line in log.splitlines()]
    raised = [line for line in lines if _EXCEPTION.match(line) and name in line]
    return raised[-1] if raised else "nbgrader reported a failure"
