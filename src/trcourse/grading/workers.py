"""Worker processes that autograde one student at a time, and a pool that survives losing one.

Each worker holds nbgrader's Python API (``NbGraderAPI.autograde``: the code ``nbgrader autograde``
runs for each student) on the one course gradebook. SQLite serialises the short writes; a write
that still finds the database locked is retried, and so is a failure of the grading machinery
(``execute.InfrastructureError``: nothing of the student's ran). A worker that dies (only student
code run without the sandbox can kill it) is replaced; its student is tried once more, then
reported with ``WORKER_DIED``.
"""

import contextlib
import os
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path

from . import course
from .execute import INFRASTRUCTURE

RETRIES = 3  # attempts when SQLite stays locked or the machinery fails before student code ran
WORKER_RETRIES = 1  # further attempts at a student whose worker died
WORKER_DIED = "WorkerDied: the worker process grading this submission died"

_API = None  # the nbgrader API of this worker process


def _start(root: str, config, log_dir: str) -> None:
    """Open the course in a worker; its stderr (and its kernels') goes to a log file."""
    global _API
    log = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 2)
    os.chdir(root)
    _API = course.open_api(Path(root), config)


def autograde(assignment: str, student: str) -> dict:
    """``nbgrader autograde ASSIGNMENT --student STUDENT --force`` in this worker, retried if it may pass."""
    start = time.perf_counter()
    for attempt in range(RETRIES):
        result = _API.autograde(assignment, student, force=True, create=True)
        text = result.get("log", "") + result.get("error", "")
        if result["success"] or not ("database is locked" in text or INFRASTRUCTURE in text):
            break
        time.sleep(0.5 * (attempt + 1))
    return {"student": student, "success": result["success"], "log": text,
            "seconds": time.perf_counter() - start}


def _serve(connection, root: str, config, log_dir: str) -> None:
    """A worker's life: open the course, then grade each student sent until ``None`` comes."""
    _start(root, config, log_dir)
    while (task := connection.recv()) is not None:
        connection.send(autograde(*task))


@dataclass(eq=False)
class _Worker:
    process: object
    connection: object


def run(assignment: str, students: list[str], workers: int, root: str, config,
        log_dir: str) -> Iterator[dict]:
    """Yield each student's result as the workers finish them; a dead worker is replaced."""
    context = get_context("spawn")

    def start() -> _Worker:
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, root, config, log_dir), daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    queue, deaths, busy = deque(students), dict.fromkeys(students, 0), {}
    pool = [start() for _ in range(min(workers, len(students)))]
    try:
        while queue or busy:
            for index, worker in enumerate(pool):
                if queue and worker not in busy:
                    if not worker.process.is_alive():  # died while idle
                        pool[index] = worker = start()
                    busy[worker] = queue.popleft()
                    worker.connection.send((assignment, busy[worker]))
            ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy]))
            for worker in [w for w in busy if {w.connection, w.process.sentinel} & ready]:
                student = busy.pop(worker)
                try:
                    yield worker.connection.recv()
                    continue
                except (EOFError, OSError):  # the worker died
                    pass
                worker.process.join()
                pool[pool.index(worker)] = start()
                deaths[student] += 1
                if deaths[student] <= WORKER_RETRIES:
                    queue.append(student)
                else:
                    yield {"student": student, "success": False, "seconds": 0.0,
                           "log": f"{WORKER_DIED} (exit code {worker.process.exitcode})"}
    finally:
        _stop(pool)


def _stop(pool: list[_Worker]) -> None:
    """Ask every worker to stop; end those that do not."""
    for worker in pool:
        with contextlib.suppress(OSError):  # already dead
            worker.connection.send(None)
    for worker in pool:
        worker.process.join(timeout=10)
        if worker.process.is_alive():
            worker.process.kill()
