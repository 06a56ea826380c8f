"""Class load on one server: N student accounts fetch and submit at once, then collect and grade.

Run as root: .venv/bin/python benchmarks/bench_class.py [--students 30] [--workers 2]

Every student is a Unix account (deploy/hub.py makes them) running nbgrader's own commands as
itself: ``nbgrader fetch_assignment``, an answer written into the fetched notebook (with the
student's name in the written answer), ``nbgrader submit``; all N at the same time against one
exchange. The instructor then runs ``nbgrader collect`` and ``trcourse grade``. Prints the wall
times, and counts lost submissions (a student without one) and mixed-up ones (a collected notebook
that does not carry its own student's name). The accounts and the temporary exchange are removed.
"""

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
hub = importlib.import_module("hub")

ASSIGNMENT = "ch02_inhibitors"
COURSE = "treatment-resistance"
BIN = Path(sys.executable).parent
# Run by each student: write their answers into the fetched notebook, naming them in the written one.
ANSWER = """
import sys, nbformat
path, name = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
for cell in nb.cells:
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution") and cell.cell_type == "markdown":
        cell.source = "Written answer of " + name
    elif meta.get("grade_id") == "q1_inhibitor":
        cell.source = 'q1_inhibitor = "B"'
nbformat.write(nb, path)
"""


def run_as(user: str, command: list[str], env: dict, cwd: str | None = None) -> float:
    """Run a command as a Unix account; return its wall time (fails loudly on error)."""
    began = time.perf_counter()
    result = subprocess.run(["runuser", "-u", user, "--", "env", *[f"{k}={v}" for k, v in env.items()],
                             *command], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{user}: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return time.perf_counter() - began


def student_round(student: str, env: dict) -> float:
    """fetch, answer, submit as one student; wall time."""
    home = os.path.expanduser(f"~{student}")
    notebook = f"{home}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    return sum((run_as(student, [str(BIN / "nbgrader"), "fetch_assignment", ASSIGNMENT], env, home),
                run_as(student, [str(BIN / "python"), "-c", ANSWER, notebook, student], env, home),
                run_as(student, [str(BIN / "nbgrader"), "submit", ASSIGNMENT], env, home)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench_class.py needs root: it makes a Unix account for every student.")
    instructor, students = "trb-instr", [f"trb-s{n:02d}" for n in range(1, args.students + 1)]
    state = Path(tempfile.mkdtemp(prefix="trcourse-bench-"))
    state.chmod(0o711)
    exchange = state / "exchange"
    exchange.mkdir(mode=0o1777)
    exchange.chmod(0o1777)
    hub.open_path_to(ROOT)
    hub.open_path_to(Path(sys.executable).resolve())
    try:
        for name in [instructor, *students]:
            hub.make_account(name)
        course = str(hub.copy_course(instructor))
        teacher = {"HOME": f"/home/{instructor}", "PATH": f"{BIN}:/usr/bin:/bin",
                   "TRCOURSE_EXCHANGE": str(exchange)}
        learner = {**teacher, "JUPYTER_CONFIG_PATH": str(ROOT / "deploy" / "jupyter" / "student")}
        released = sum(run_as(instructor, [str(BIN / "nbgrader"), step, ASSIGNMENT], teacher, course)
                       for step in ("generate_assignment", "release_assignment"))

        began = time.perf_counter()
        with ThreadPoolExecutor(len(students)) as pool:
            rounds = list(pool.map(lambda s: student_round(s, {**learner, "HOME": f"/home/{s}"}), students))
        concurrent = time.perf_counter() - began

        collected = run_as(instructor, [str(BIN / "nbgrader"), "collect", ASSIGNMENT], teacher, course)
        graded = run_as(instructor, [str(BIN / "trcourse"), "--root", course, "grade", ASSIGNMENT,
                                     "--workers", str(args.workers)], teacher, course)
        lost, mixed = [], []
        for student in students:
            found = list(Path(course, "submitted", student, ASSIGNMENT).glob("*.ipynb"))
            if not found:
                lost.append(student)
                continue
            cells = nbformat.read(found[0], as_version=4).cells
            if f"Written answer of {student}" not in [c.source for c in cells if c.cell_type == "markdown"]:
                mixed.append(student)
    finally:
        for name in [instructor, *students]:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(state)

    print(f"students: {len(students)} accounts, fetch + answer + submit all at once ({os.cpu_count()} cores)")
    print(f"  generate + release (instructor): {released:6.1f} s")
    print(f"  all students, wall:              {concurrent:6.1f} s "
          f"(one student: median {sorted(rounds)[len(rounds) // 2]:.1f} s, slowest {max(rounds):.1f} s)")
    print(f"  collect (instructor):            {collected:6.1f} s")
    print(f"  trcourse grade, {args.workers} workers:        {graded:6.1f} s "
          f"= {graded * args.workers / len(students):.2f} s per submission per core")
    print(f"lost submissions: {len(lost)} {lost}; mixed-up submissions: {len(mixed)} {mixed}")
    sys.exit(1 if lost or mixed else 0)


if __name__ == "__main__":
    main()
