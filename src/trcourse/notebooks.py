"""Reading the metadata of course notebooks (nbgrader cells; a chapter's review date)."""

from datetime import datetime
from pathlib import Path

import nbformat


def grade_cells(notebook: Path) -> dict[str, dict]:
    """grade_id -> nbgrader metadata (plus ``cell_type`` and ``source``) for every graded cell."""
    nb = nbformat.read(notebook, as_version=4)
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") or meta.get("solution"):
            cells[meta["grade_id"]] = {**meta, "cell_type": cell.cell_type, "source": cell.source}
    return cells


def auto_points(notebook: Path) -> dict[str, float]:
    """grade_id -> points of each autograded test cell."""
    return {gid: float(m["points"]) for gid, m in grade_cells(notebook).items()
            if m.get("grade") and not m.get("solution")}


def evidence_reviewed(notebook: Path) -> str:
    """The month a chapter's evidence was last reviewed, as "November 2026", from its notebook
    metadata ``"trcourse": {"evidence_reviewed": "2026-11"}`` (the one source of that date)."""
    value = nbformat.read(notebook, as_version=4).metadata.get("trcourse", {}).get("evidence_reviewed")
    try:
        return datetime.strptime(value, "%Y-%m").strftime("%B %Y")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{notebook}: notebook metadata trcourse.evidence_reviewed must be "
                         f"'YYYY-MM' (found {value!r})") from error
