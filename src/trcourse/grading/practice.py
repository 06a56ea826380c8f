"""Practice courses: throw-away copies of a course where synthetic classes are graded.

A practice course holds what nbgrader needs (configuration, autotest templates, ``solutions/``,
``exercises/``) and a marker file; it never holds the real gradebook or real submissions.
Synthetic students may only be written into a practice course, and only a practice course can be
removed by ``remove``.
"""

import shutil
from pathlib import Path

from .roots import CONFIG_FILES, CourseError, check

MARKER = ".trcourse-practice"
DEFAULT = "practice-course"  # beside the real course files, git-ignored
_COPIED = (*CONFIG_FILES, "solutions", "exercises")


def is_practice(root: Path) -> bool:
    """Whether ``root`` is a practice course (made by ``create``)."""
    return (Path(root) / MARKER).is_file()


def require(root: Path) -> None:
    """Refuse a root that is not a practice course (synthetic students never reach a real one)."""
    if not is_practice(root):
        raise CourseError(
            f"{Path(root).resolve()} is not a practice course: synthetic students go only into one "
            "(make practice-class, or trcourse practice-class)")


def create(source: Path, dest: Path) -> Path:
    """A fresh practice copy of the course at ``source`` (replacing an older practice course at ``dest``)."""
    check(source)
    dest = Path(dest)
    if dest.exists():
        remove(dest)
    dest.mkdir(parents=True)
    for name in _COPIED:
        item = Path(source) / name
        if item.is_dir():
            shutil.copytree(item, dest / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        else:
            shutil.copy2(item, dest / name)
    (dest / MARKER).write_text("A practice course made by trcourse: safe to delete.\n")
    return dest


def remove(root: Path) -> None:
    """Delete a practice course; refuse anything else."""
    if not is_practice(root):
        raise CourseError(f"refused: {Path(root).resolve()} is not a practice course "
                                 f"(no {MARKER}); nothing deleted")
    shutil.rmtree(root)
