"""Every point of the commissioning brief (tests/seed-coverage.md) is taught in a named section."""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from trcourse.paths import ROOT

SEED_COVERAGE = Path(__file__).parent / "seed-coverage.md"
MAPPING = yaml.safe_load((Path(__file__).parent / "seed_coverage.yml").read_text())


def _points_in_brief() -> list[str]:
    return [line[2:].strip() for line in SEED_COVERAGE.read_text().splitlines()
            if line.startswith("- ")]


def _headings(notebook: Path) -> set[str]:
    nb = nbformat.read(notebook, as_version=4)
    return {m.group(1).strip() for c in nb.cells if c.cell_type == "markdown"
            for m in re.finditer(r"^#+ (.+)$", c.source, re.MULTILINE)}


def test_every_brief_point_is_mapped():
    mapped = {entry["point"] for entries in MAPPING.values() for entry in entries}
    missing = [p for p in _points_in_brief() if p not in mapped]
    assert not missing, f"points of seed-coverage.md with no entry in seed_coverage.yml: {missing}"


@pytest.mark.parametrize("entry", [e for entries in MAPPING.values() for e in entries],
                         ids=lambda e: e["point"][:40])
def test_mapped_section_exists(entry):
    path, _, heading = entry["where"].partition("#")
    notebook = ROOT / path
    assert notebook.exists(), f"{path} does not exist (for: {entry['point']})"
    assert heading in _headings(notebook), f"{path} has no heading {heading!r}"
