"""Grading benchmark: plain serial ``nbgrader autograde`` against ``trcourse grade``, same class;
and ``trcourse grade`` with the sandbox against ``--no-sandbox``.

Run: .venv/bin/python benchmarks/bench_grading.py [ASSIGNMENT] [--students 60] [--workers 2]

A temporary course gets the assignment released and a seeded synthetic class (every kind of bad
submission included), copied twice. Both runs use the course's nbgrader configuration with the
same limits (a 10 s cell timeout, so the looping submissions do not dominate; 2048 MB). Prints
both wall times and their ratio, their CPU time (the work done, whatever else runs on the machine),
the peak memory of each process tree, whether the per-question
scores are identical, and the time per submission against the kernel floor (start a kernel,
import pandas and matplotlib, shut it down), measured in this run. Targets: pipeline at least
1.8x faster on 2 cores, a normal submission within 1.5x of the floor, identical scores. The same
class is then graded by ``trcourse grade --no-sandbox``: seconds per submission (median normal
submission, and worker time per graded submission) with and without the sandbox, target at most 10%
overhead (the CPU time of sandboxed kernels is not counted: they end killed, inside bwrap's namespace,
not waited for by this process). Figures to read, not assertions: the machine is shared, so its
load is printed with them.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
from jupyter_client.manager import start_new_kernel
from nbgrader.api import Gradebook

from trcourse.grading import practice
from trcourse.grading.autograde import load_outcomes
from trcourse.grading.course import open_api
from trcourse.grading.export import max_points, scores
from trcourse.grading.limits import DEFAULT_MEMORY_MB, kernel_arguments
from trcourse.grading.synthetic_class import generate
from trcourse.release import generate_assignment, nbgrader_env

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT_S = 10
SPEEDUP_TARGET, FLOOR_TARGET, OVERHEAD_TARGET = 1.8, 1.5, 0.10
NORMAL = ["graded", "tests_tampered", "cells_deleted"]
FLOOR_RUNS = 5


def course_copy(dest: Path, assignment: str) -> Path:
    """A course root with this repo's configuration, the assignment's source, and its release."""
    dest.mkdir(parents=True)
    for name in ("nbgrader_config.py", "autotests.yml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "solutions" / assignment, dest / "solutions" / assignment)
    with (dest / "nbgrader_config.py").open("a") as config:
        config.write(f"\nc.Execute.timeout = {CELL_TIMEOUT_S}\n")
    generate_assignment(dest, assignment)
    (dest / practice.MARKER).write_text("throw-away benchmark course\n")  # synthetic students allowed
    return dest


def cpu_of_children() -> float:
    """User + system CPU seconds of the finished child processes (and their waited-for children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MB, process tree, sampled) of a command."""
    start, cpu = time.perf_counter(), cpu_of_children()
    process = psutil.Popen(command, cwd=cwd, env=nbgrader_env(), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    peak = [0.0]

    def sample():
        while process.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    sampler.join()
    return time.perf_counter() - start, cpu_of_children() - cpu, peak[0]


def kernel_floor() -> float:
    """Median seconds to start the grading kernel, import pandas and matplotlib, and shut it down."""
    runs = []
    for _ in range(FLOOR_RUNS):
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3",
                                           extra_arguments=kernel_arguments(DEFAULT_MEMORY_MB))
        client.execute_interactive("import pandas, matplotlib.pyplot", timeout=60)
        client.stop_channels()
        manager.shutdown_kernel()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def class_scores(course: Path, assignment: str) -> pd.DataFrame:
    api = open_api(course)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return scores(gradebook, assignment, list(max_points(api, assignment).index))


def per_submission(course: Path, assignment: str) -> tuple[float, int]:
    """Median seconds of a normal submission, and how many submissions were graded."""
    outcomes = load_outcomes(course, assignment)
    seconds = outcomes.seconds.astype(float)
    return seconds[outcomes.outcome.isin(NORMAL)].median(), int((seconds > 0).sum())


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="ch02_inhibitors")
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = course_copy(Path(tmp) / "plain", args.assignment)
        students = generate(plain, args.assignment, args.students, seed=0)
        pipeline, unsandboxed = Path(tmp) / "pipeline", Path(tmp) / "unsandboxed"
        shutil.copytree(plain, pipeline)
        shutil.copytree(plain, unsandboxed)
        print(f"{args.students} submissions of {args.assignment}; cell timeout {CELL_TIMEOUT_S} s; {load()}")

        floor = kernel_floor()
        print(f"kernel floor (start + import pandas/matplotlib + shutdown, median of {FLOOR_RUNS}): "
              f"{floor:.2f} s; {load()}")
        serial_s, serial_cpu, serial_mb = timed([sys.executable, "-m", "nbgrader", "autograde",
                                                 args.assignment, "--force"], plain)
        print(f"plain nbgrader autograde (serial): {serial_s:.1f} s, CPU {serial_cpu:.0f} s, "
              f"peak {serial_mb:.0f} MB; {load()}")
        def command(course: Path) -> list[str]:
            return [sys.executable, "-m", "trcourse.cli", "--root", str(course), "grade", args.assignment,
                    "--workers", str(args.workers), "--cell-timeout", str(CELL_TIMEOUT_S)]

        parallel_s, parallel_cpu, parallel_mb = timed(command(pipeline), pipeline)
        print(f"trcourse grade --workers {args.workers}: {parallel_s:.1f} s, CPU {parallel_cpu:.0f} s, "
              f"peak {parallel_mb:.0f} MB; {load()}")

        ratio = serial_s / parallel_s
        print(f"speed-up: {ratio:.2f}x (target >= {SPEEDUP_TARGET}x on 2 cores)")
        names = sorted(s.student for s in students)
        same = class_scores(plain, args.assignment).reindex(names).fillna(0).equals(
            class_scores(pipeline, args.assignment).reindex(names).fillna(0))
        print(f"per-question scores identical: {same}")

        median, graded = per_submission(pipeline, args.assignment)
        print(f"per submission: plain {serial_s / graded:.2f} s (wall / {graded} graded); pipeline "
              f"{parallel_s * args.workers / graded:.2f} s of a worker (wall x workers / graded), "
              f"median normal submission {median:.2f} s = {median / floor:.2f}x the floor "
              f"(target <= {FLOOR_TARGET}x)")

        bare_s, bare_cpu, _ = timed([*command(unsandboxed), "--no-sandbox"], unsandboxed)
        bare_median, _ = per_submission(unsandboxed, args.assignment)
        print(f"trcourse grade --no-sandbox: {bare_s:.1f} s, CPU {bare_cpu:.0f} s; {load()}")
        print(f"sandbox overhead per submission: median normal {median:.2f} s sandboxed vs "
              f"{bare_median:.2f} s not ({median / bare_median - 1:+.0%}); worker time "
              f"{parallel_s * args.workers / graded:.2f} vs {bare_s * args.workers / graded:.2f} s "
              f"({parallel_s / bare_s - 1:+.0%}) (target <= {OVERHEAD_TARGET:.0%})")


if __name__ == "__main__":
    main()
