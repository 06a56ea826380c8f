"""Generate the student release (exercises/) from solutions/ with nbgrader."""

import subprocess
import sys
from pathlib import Path


def generate_assignment(root: Path, assignment_id: str) -> None:
    """Run ``nbgrader generate_assignment`` in a course root; raise with nbgrader's log on failure."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id, "--force"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed:\n{result.stderr}")
