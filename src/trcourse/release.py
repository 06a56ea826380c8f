"""Generate the student release (exercises/) from solutions/ with nbgrader."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RELEASE = "exercises"  # nbgrader_config.py: CourseDirectory.release_directory


def _scripts_first(path: str) -> str:
    """PATH with this interpreter's bin/ first.

    nbgrader's Gradebook runs the ``alembic`` command by name, which fails when the venv is
    not activated (``make``, ``.venv/bin/trcourse``).
    """
    scripts = str(Path(sys.executable).parent)
    return path if path.split(os.pathsep)[0] == scripts else os.pathsep.join([scripts, path])


def nbgrader_env() -> dict[str, str]:
    """The environment for an nbgrader subprocess: this interpreter's bin/ first on PATH."""
    return {**os.environ, "PATH": _scripts_first(os.environ.get("PATH", ""))}


def use_course_tools() -> None:
    """The same for nbgrader run in this process (its Python API): bin/ first on our own PATH."""
    os.environ["PATH"] = _scripts_first(os.environ.get("PATH", ""))


def generate_assignment(root: Path, assignment_id: str) -> None:
    """Run ``nbgrader generate_assignment`` in a course root; raise with nbgrader's log on failure.

    nbgrader deletes the assignment's release folder when generation fails: the previous release
    is put back, so a failure never costs the instructor their files.
    """
    release = Path(root) / RELEASE / assignment_id
    with tempfile.TemporaryDirectory() as kept:
        previous = Path(kept) / assignment_id
        if release.is_dir():
            shutil.copytree(release, previous, symlinks=True)
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id, "--force"],
            cwd=root,
            capture_output=True,
            text=True,
            env=nbgrader_env(),
        )
        if result.returncode != 0:
            if previous.is_dir():
                shutil.rmtree(release, ignore_errors=True)
                shutil.copytree(previous, release, symlinks=True)
            raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed "
                               f"({RELEASE}/{assignment_id} left as it was):\n{result.stderr}")
