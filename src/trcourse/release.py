"""Generate the student release (exercises/) from solutions/ with nbgrader."""

import os
import subprocess
import sys
from pathlib import Path


def nbgrader_env() -> dict[str, str]:
    """The environment for an nbgrader subprocess: this interpreter's bin/ first on PATH.

    nbgrader's Gradebook runs the ``alembic`` command by name, which fails when the venv is
    not activated (``make``, ``.venv/bin/trcourse``).
    """
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}


def generate_assignment(root: Path, assignment_id: str) -> None:
    """Run ``nbgrader generate_assignment`` in a course root; raise with nbgrader's log on failure."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id, "--force"],
        cwd=root,
        capture_output=True,
        text=True,
        env=nbgrader_env(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed:\n{result.stderr}")
