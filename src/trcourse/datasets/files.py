"""Render every dataset to its files (CSV copies and the data card), then write or check them."""

from pathlib import Path

from . import assignment_data, build_all
from .core import Dataset

CARD_HEADER = """\
# Data card: the course's synthetic datasets

**Every dataset here is synthetic.** No row is a patient. The tables are drawn by seeded
generators in `src/trcourse/datasets/` (one module per chapter) with parameters taken from the
course's verified fact sheets; each parameter below names its source, and teaching assumptions
are marked as such. Re-create them with `make data`; a test fails if a file here drifts from
its generator. This file is generated too: edit the generators, not this card.

The same files are copied beside each assignment in `solutions/<assignment>/data/` (and so
into the student release in `exercises/`).
"""


def _csv(dataset: Dataset) -> bytes:
    return dataset.frame.to_csv(index=False, lineterminator="\n").encode()


def _card_section(dataset: Dataset, used_by: list[str]) -> str:
    rows = "\n".join(f"| `{col}` | {meaning} |" for col, meaning in dataset.columns.items())
    sources = "\n".join(f"- {source}" for source in dataset.sources)
    n_rows, n_cols = dataset.frame.shape
    used = ", ".join(f"`{a}`" for a in used_by) or "reading chapters only"
    return (
        f"\n## `{dataset.name}.csv`: {dataset.title}\n\n"
        f"Synthetic; {n_rows} rows, {n_cols} columns. Used by: {used}.\n\n"
        f"**How it is made.** {dataset.how_made}\n\n"
        f"| column | meaning |\n|---|---|\n{rows}\n\n"
        f"**Parameters and their sources.**\n\n{sources}\n"
    )


def render(root: Path) -> dict[Path, bytes]:
    """Every generated data file of the course, by path, with its exact content."""
    datasets = build_all()
    per_assignment = assignment_data()
    csvs = {name: _csv(dataset) for name, dataset in datasets.items()}
    files = {root / "data" / f"{name}.csv": csv for name, csv in csvs.items()}
    for assignment, names in per_assignment.items():
        for name in names:
            files[root / "solutions" / assignment / "data" / f"{name}.csv"] = csvs[name]
    card = CARD_HEADER + "".join(
        _card_section(d, sorted(a for a, names in per_assignment.items() if d.name in names))
        for d in datasets.values()
    )
    files[root / "data" / "README.md"] = card.encode()
    return files


def write(files: dict[Path, bytes]) -> None:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def stale(files: dict[Path, bytes]) -> list[Path]:
    """The paths whose content on disk differs from what the generators make."""
    return [p for p, content in files.items() if not p.exists() or p.read_bytes() != content]
