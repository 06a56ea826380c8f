"""Is a folder a complete course? Checked before any command touches it (no heavy imports here)."""

from pathlib import Path

CONFIG_FILES = ("nbgrader_config.py", "autotests.yml")  # nbgrader's configuration, its autotest templates


class CourseError(Exception):
    """A course root that cannot be used; the message is one line naming what is wrong."""


def check(root: Path, assignment: str | None = None, release: bool = True) -> None:
    """Refuse, before anything is touched, a root that is not a complete course.

    Complete: the configuration files, ``solutions/`` (the source; with ``assignment``, its
    notebook) and, when ``release``, ``exercises/`` (with ``assignment``, its folder).
    """
    root = Path(root)
    if not root.is_dir():
        raise CourseError(f"not a course: {root} is not a folder")
    wanted = [*CONFIG_FILES, "solutions/", *(["exercises/"] if release else [])]
    if assignment:
        wanted += [f"solutions/{assignment}/*.ipynb", *([f"exercises/{assignment}/"] if release else [])]
    missing = [name for name in wanted if not any(root.glob(name.rstrip("/")))]
    missing = [name for name in missing if not any(name != m and name.startswith(m) for m in missing)]
    if missing:
        raise CourseError(f"not a complete course: {root.resolve()} lacks {', '.join(missing)}")
