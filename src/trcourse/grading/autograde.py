"""Parallel autograde: worker processes each run nbgrader's autograde, one student at a time.

Every worker holds nbgrader's Python API (``NbGraderAPI.autograde``: the code ``nbgrader autograde``
runs for each student) on the one course gradebook, so scores are those of a serial run. SQLite
serialises the short writes; a write that still finds the database locked is retried. Each
submission is checked first (``outcomes``), and ends in one outcome in a table saved as CSV.
"""

import glob
import os
import shutil
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning
from tqdm import tqdm
from traitlets.config import Config

from . import course
from .limits import DEFAULT_MEMORY_MB, execute_config
from .outcomes import NOT_GRADED, Finding, check_submission, read_result, worst

LOCK_RETRIES = 5  # attempts when SQLite stays locked past its busy timeout
BUSY_TIMEOUT_S = 60  # how long an SQLite write waits for another worker's write


@dataclass(frozen=True)
class Limits:
    """What student code may use: seconds per cell and megabytes of memory."""

    cell_timeout: int = 60
    memory_mb: int = DEFAULT_MEMORY_MB


def worker_config(limits: Limits, db_url: str) -> Config:
    """nbgrader configuration of a worker: the limits, kernels stopped at once, a patient SQLite."""
    config = execute_config(limits.cell_timeout, limits.memory_mb)
    config.Execute.shutdown_kernel = "immediate"  # outputs are collected; no need to wait for exit
    if db_url.startswith("sqlite:///") and "?" not in db_url:
        config.CourseDirectory.db_url = f"{db_url}?timeout={BUSY_TIMEOUT_S}"
    return config


_API = None  # the nbgrader API of this worker process


def _start_worker(root: str, limits: Limits, db_url: str, log_dir: str) -> None:
    """Open the course in a worker; its stderr (and its kernels') goes to a log file."""
    global _API
    log = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 2)
    os.chdir(root)
    _API = course.open_api(Path(root), worker_config(limits, db_url))


def _autograde(assignment: str, student: str) -> dict:
    """``nbgrader autograde ASSIGNMENT --student STUDENT --force`` in this worker, retried if locked."""
    start = time.perf_counter()
    for attempt in range(LOCK_RETRIES):
        result = _API.autograde(assignment, student, force=True, create=True)
        text = result.get("log", "") + result.get("error", "")
        if result["success"] or "database is locked" not in text:
            break
        time.sleep(0.5 * (attempt + 1))
    return {"student": student, "success": result["success"], "log": text,
            "seconds": time.perf_counter() - start}


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
          limits: Limits = Limits(), progress: bool = True) -> pd.DataFrame:
    """Autograde submissions in parallel; return (and save) the outcome table of this run."""
    root = Path(root).resolve()
    api = course.open_api(root)
    course.ensure_in_gradebook(api, assignment)
    folders = submissions(api, assignment, students)
    release = course.release_notebooks(api, assignment)
    findings = {s: check_submission(f, release) for s, f in folders.items()}
    todo = [s for s in folders if worst(findings[s]) not in NOT_GRADED]
    reports = course.reports_dir(root, assignment)
    logs = reports / "logs"
    logs.mkdir(exist_ok=True)
    seconds = dict.fromkeys(folders, 0.0)
    ungraded = set(folders) - set(todo)

    for result in _run_workers(root, assignment, todo, workers, limits, api.coursedir.db_url, logs,
                               progress):
        student = result["student"]
        (logs / f"{student}.log").write_text(result["log"])
        autograded = sorted(course.folder(api, "autograded", assignment, student).glob("*.ipynb"))
        findings[student] += read_result(result["log"], result["success"], autograded)
        seconds[student] = result["seconds"]
        if not result["success"]:
            ungraded.add(student)

    for student in ungraded:
        _score_zero(api, assignment, student)
    table = _table(findings, seconds)
    _save(table, reports / "outcomes.csv")
    return table


def _run_workers(root, assignment, students, workers, limits, db_url, log_dir, progress):
    """Yield nbgrader's result for each student as workers finish them, with a progress bar."""
    if not students:
        return
    workers = min(workers or os.cpu_count() or 1, len(students))
    with (ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                              initargs=(str(root), limits, db_url, str(log_dir))) as pool,
          tqdm(total=len(students), desc=f"autograde {assignment}", unit="submission",
               disable=not progress) as bar):
        futures = [pool.submit(_autograde, assignment, s) for s in students]
        for future in as_completed(futures):
            result = future.result()
            bar.set_postfix_str(result["student"], refresh=False)
            bar.update()
            yield result


def _score_zero(api, assignment: str, student: str) -> None:
    """Record 0 for every graded cell of a submission nbgrader did not grade (as it does for a missing
    notebook), so no score of an earlier run survives; drop stale graded copies and feedback."""
    for kind in ("autograded", "feedback"):
        shutil.rmtree(course.folder(api, kind, assignment, student), ignore_errors=True)
    with (Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook,
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
