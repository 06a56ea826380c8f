"""Validate notebooks like ``nbgrader validate``, with an exit code CI can trust (nbgrader #1908)."""

from pathlib import Path

from nbgrader.validator import Validator


def problems(notebook: Path) -> list[str]:
    """What stops a notebook from passing its tests; empty when every test cell passes."""
    results = Validator().validate(str(notebook))
    found = [f"cell type changed: {c['source'][:60]!r}" for c in results.get("type_changed", [])]
    found += [f"locked cell edited: {c['source'][:60]!r}" for c in results.get("changed", [])]
    found += [f"test failed: {c['source'].splitlines()[0][:60]!r}\n{c['raw_error'].strip()}"
              for c in results.get("failed", [])]
    return found
