"""Parallel autograde: worker processes (``workers``) each run nbgrader's autograde, one student at a time.

Scores are those of a serial ``nbgrader autograde``; student code runs in the sandbox unless told
otherwise. Each submission is checked first (``outcomes``), and ends in one outcome, saved in a CSV
table as soon as that student is done.
"""

import glob
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning
from tqdm import tqdm
from traitlets.config import Config

from . import course, sandbox
from .limits import DEFAULT_MEMORY_MB, execute_config
from .outcomes import NOT_GRADED, Finding, check_submission, read_result, worst
from .workers import run as run_workers

BUSY_TIMEOUT_S = 60  # how long an SQLite write waits for another worker's write


@dataclass(frozen=True)
class Limits:
    """What student code may use: seconds per cell, megabytes of memory, and whether it is sandboxed."""

    cell_timeout: int = 60
    memory_mb: int = DEFAULT_MEMORY_MB
    sandbox: bool = True


def worker_config(limits: Limits, db_url: str) -> Config:
    """nbgrader configuration of a worker: the limits, kernels stopped at once, a patient SQLite."""
    config = execute_config(limits.cell_timeout, limits.memory_mb, limits.sandbox)
    config.Execute.shutdown_kernel = "immediate"  # outputs are collected; no need to wait for exit
    if db_url.startswith("sqlite:///") and "?" not in db_url:
        config.CourseDirectory.db_url = f"{db_url}?timeout={BUSY_TIMEOUT_S}"
    return config


def submissions(api, assignment: str, students: list[str] | None = None) -> dict[str, Path]:
    """Student -> submitted folder of an assignment (all students, or those named)."""
    pattern = course.folder(api, "submitted", assignment, "*")
    found = {Path(p).parent.name: Path(p) for p in sorted(glob.glob(str(pattern))) if Path(p).is_dir()}
    if students is None:
        return found
    unknown = sorted(set(students) - set(found))
    if unknown:
        raise ValueError(f"no submission of {assignment} for: {', '.join(unknown)}")
    return {s: found[s] for s in students}


def grade(root: Path, assignment: str, students: list[str] | None = None, workers: int | None = None,
          limits: Limits = Limits(), progress: bool = True, remaining: bool = False) -> pd.DataFrame:
    """Autograde submissions in parallel; return the outcome table of this run, saved student by student.

    ``remaining``: only the students without a saved outcome (a run that stopped part-way) or whose
    grading failed for the machinery's reasons. Raises ``SandboxUnavailable`` (naming the fix) when
    the sandbox is asked for and cannot start.
    """
    root = Path(root).resolve()
    if limits.sandbox:
        sandbox.check()
    api = course.open_api(root)
    course.ensure_in_gradebook(api, assignment)
    reports = course.reports_dir(root, assignment)
    saved = reports / "outcomes.csv"
    folders = submissions(api, assignment, students)
    if remaining:
        left = _unfinished(saved, folders)
        folders = {s: f for s, f in folders.items() if s in left}
    release = course.release_notebooks(api, assignment)
    findings = {s: check_submission(f, release) for s, f in folders.items()}
    seconds = dict.fromkeys(folders, 0.0)
    todo = [s for s in folders if worst(findings[s]) not in NOT_GRADED]
    _forget(saved, list(folders))
    config = worker_config(limits, api.coursedir.db_url)
    db_url = config.CourseDirectory.get("db_url", api.coursedir.db_url)
    for student in set(folders) - set(todo):
        _finish(api, db_url, assignment, student, findings[student], 0.0, saved, zero=True)
    logs = reports / "logs"
    logs.mkdir(exist_ok=True)
    with tqdm(total=len(todo), desc=f"autograde {assignment}", unit="submission",
              disable=not progress) as bar:
        for result in run_workers(assignment, todo, workers or os.cpu_count() or 1, str(root), config,
                                  str(logs)):
            student = result["student"]
            (logs / f"{student}.log").write_text(result["log"])
            autograded = sorted(course.folder(api, "autograded", assignment, student).glob("*.ipynb"))
            findings[student] += read_result(result["log"], result["success"], autograded)
            seconds[student] = result["seconds"]
            zero = not result["success"] and worst(findings[student]) != "infrastructure_error"
            _finish(api, db_url, assignment, student, findings[student], seconds[student], saved, zero)
            bar.set_postfix_str(student, refresh=False)
            bar.update()
    return _table(findings, seconds)


def _finish(api, db_url: str, assignment: str, student: str, found: list[Finding], seconds: float,
            saved: Path, zero: bool) -> None:
    """A student is done: scored 0 if nbgrader did not grade it, and its outcome saved at once."""
    if zero:
        _score_zero(api, db_url, assignment, student)
    _save(_table({student: found}, {student: seconds}), saved)


def _unfinished(saved: Path, folders: dict[str, Path]) -> set[str]:
    """Students with no saved outcome, or whose grading the machinery failed."""
    if not saved.exists():
        return set(folders)
    done = pd.read_csv(saved, dtype=str, keep_default_na=False)
    return set(folders) - set(done.student[done.outcome != "infrastructure_error"])


def _forget(saved: Path, students: list[str]) -> None:
    """Drop the saved outcomes of the students about to be graded (a rerun then sees who is left)."""
    if saved.exists():
        old = pd.read_csv(saved, dtype=str, keep_default_na=False)
        old[~old.student.isin(students)].to_csv(saved, index=False)


def _score_zero(api, db_url: str, assignment: str, student: str) -> None:
    """Record 0 for every graded cell of a submission nbgrader did not grade (as it does for a missing
    notebook), so no score of an earlier run survives; drop stale graded copies and feedback."""
    for kind in ("autograded", "feedback"):
        shutil.rmtree(course.folder(api, kind, assignment, student), ignore_errors=True)
    with (Gradebook(db_url, api.coursedir.course_id) as gradebook,
          warnings.catch_warnings(category=SAWarning, action="ignore")):  # nbgrader's own, harmless
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gradebook.db.commit()


def _table(findings: dict[str, list[Finding]], seconds: dict[str, float]) -> pd.DataFrame:
    rows = [{"student": student, "outcome": worst(found),
             "detail": "; ".join(f"{f.outcome}: {f.detail}" for f in found),
             "seconds": round(seconds[student], 2)}
            for student, found in sorted(findings.items())]
    return pd.DataFrame(rows, columns=["student", "outcome", "detail", "seconds"])


def _save(table: pd.DataFrame, path: Path) -> None:
    """Merge this run's rows into the saved table (a partial re-grade keeps the other students)."""
    if path.exists():
        old = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = pd.concat([old[~old.student.isin(table.student)], table.astype(str)])
    table.sort_values("student").to_csv(path, index=False)


def load_outcomes(root: Path, assignment: str) -> pd.DataFrame:
    """The saved outcome table of an assignment (empty if it was never graded)."""
    path = Path(root) / course.REPORTS / assignment / "outcomes.csv"
    if not path.exists():
        return pd.DataFrame(columns=["student", "outcome", "detail", "seconds"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)
