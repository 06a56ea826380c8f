"""Book build benchmark: cold build, no-change rebuild, rebuild after touching one chapter.

Run: .venv/bin/python benchmarks/bench_book.py

The course is copied to a temporary folder (so the shared checkout is never touched) and built
there into its own output folder, whose execution cache starts empty, with the command that
`make book` runs (python -m trcourse.jupyterbook). Prints the three build times and their
ratios to the cold build, a no-change rebuild with the plain `jupyter-book` as a baseline,
each notebook's execution time from the jupyter-cache of the cold build, and each solution
notebook's run time (nbclient, test cells included) next to the floor of starting a kernel that
imports pandas and matplotlib. Targets: no-change rebuild at most 10% of the cold build; each
chapter under 15 s; each solution notebook under 10 s. These are figures to read, not
assertions: the machine is shared, so the load is printed too.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
JB = [sys.executable, "-m", "trcourse.jupyterbook"]  # what `make book` runs
PLAIN_JB = [str(Path(sys.executable).with_name("jupyter-book"))]  # baseline: the unwrapped command
NOT_COPIED = (".git", ".venv", "_build", "node_modules", "dist", ".pytest_cache", ".ruff_cache",
              "submitted", "autograded", "feedback", "release", "gradebook.db")
REBUILD_TARGET = 0.10
REPEATS = 3  # no-change rebuilds are short: the best of a few is less at the mercy of the load
CHAPTER_TARGET_S = 15.0
SOLUTION_TARGET_S = 10.0
FLOOR_CODE = "import pandas, matplotlib.pyplot"


def build(src: Path, out: Path, command: list[str] = JB) -> tuple[float, int]:
    """Seconds and exit code of one strict book build of src into out."""
    start = time.perf_counter()
    result = subprocess.run([*command, "build", str(src), "--path-output", str(out), "-W", "-n",
                             "--keep-going"], capture_output=True, text=True)
    return time.perf_counter() - start, result.returncode


def execution_times(src: Path, out: Path) -> dict[str, float]:
    """Notebook (path in src) -> execution seconds recorded in the build's jupyter-cache."""
    cache = get_cache(out / "_build" / ".jupyter_cache")
    return {str(Path(r.uri).relative_to(src)): r.data.get("execution_seconds", float("nan"))
            for r in cache.list_cache_records()}


def run_notebook(nb: nbformat.NotebookNode, folder: Path) -> float:
    """Seconds to run every cell of a notebook in a fresh kernel, in its folder."""
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER TARGET"


def bench_builds(work: Path) -> None:
    src, out = work / "src", work / "out"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*NOT_COPIED))
    chapter = sorted((src / "notebooks").glob("ch*.ipynb"))[0]
    cold, code_cold = build(src, out)
    same, code_same = min(build(src, out) for _ in range(REPEATS))
    os.utime(chapter)
    touched, code_touched = build(src, out)
    plain, _ = min(build(src, out, PLAIN_JB) for _ in range(REPEATS))
    print(f"book build (exit codes {code_cold}, {code_same}, {code_touched}; 0 = strict build passed)")
    print(f"  {'cold: clean tree, empty cache':<45} {cold:6.1f} s")
    print(f"  {f'no-change rebuild (best of {REPEATS})':<45} {same:6.1f} s  {same / cold:6.1%} of cold  "
          f"(target <= {REBUILD_TARGET:.0%}) {verdict(same <= REBUILD_TARGET * cold)}")
    print(f"  {'after touching notebooks/' + chapter.name:<45} {touched:6.1f} s  "
          f"{touched / cold:6.1%} of cold")
    print(f"  {'baseline: the same with plain jupyter-book':<45} {plain:6.1f} s  "
          f"{plain / cold:6.1%} of cold")
    print("notebook execution in the cold build (jupyter-cache):")
    for name, seconds in sorted(execution_times(src, out).items()):
        print(f"  {name:<45} {seconds:6.1f} s  (target < {CHAPTER_TARGET_S:.0f} s) "
              f"{verdict(seconds < CHAPTER_TARGET_S)}")


def bench_solutions() -> None:
    floor = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)])
    run_notebook(floor, ROOT)  # warm-up: the first kernel also pays for a cold disk cache
    print("solution notebooks (nbclient, every cell including the tests):")
    print(f"  {'floor: new kernel + ' + FLOOR_CODE:<45} {run_notebook(floor, ROOT):6.1f} s")
    for path in sorted(ROOT.glob("solutions/*/*.ipynb")):
        try:
            seconds = run_notebook(nbformat.read(path, as_version=4), path.parent)
        except CellExecutionError as error:
            print(f"  {path.relative_to(ROOT).as_posix():<45} FAILED ({error.ename})")
            continue
        print(f"  {path.relative_to(ROOT).as_posix():<45} {seconds:6.1f} s  "
              f"(target < {SOLUTION_TARGET_S:.0f} s) {verdict(seconds < SOLUTION_TARGET_S)}")


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-book-") as work:
        bench_builds(Path(work))
    bench_solutions()
    print(f"load average {os.getloadavg()[0]:.1f} at end (other processes share these cores)")


if __name__ == "__main__":
    main()
