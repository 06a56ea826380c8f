"""Where things live in a course checkout (the repository root is book and nbgrader root)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"
BOOK = ROOT / "book"


def assignment_ids(root: Path = ROOT) -> list[str]:
    """The assignments of a course: folders of solutions/ that hold a notebook."""
    source = root / "solutions"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
