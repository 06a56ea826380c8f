"""Synthetic datasets, one module per chapter (``chNN_<topic>.py``).

Each chapter module defines ``build() -> list[Dataset]`` and ``ASSIGNMENT_DATA``, a mapping
from assignment id to the dataset names copied beside that assignment in ``solutions/``.
"""

import importlib
import pkgutil
from types import ModuleType

from .core import Dataset, rng

__all__ = ["Dataset", "rng", "chapter_modules", "build_all", "assignment_data"]


def chapter_modules() -> list[ModuleType]:
    """The chapter generator modules, in chapter order."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ch"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def build_all() -> dict[str, Dataset]:
    """Every dataset of the course by name (names are unique across chapters)."""
    datasets: dict[str, Dataset] = {}
    for module in chapter_modules():
        for dataset in module.build():
            if dataset.name in datasets:
                raise ValueError(f"dataset name used twice: {dataset.name}")
            datasets[dataset.name] = dataset
    return datasets


def assignment_data() -> dict[str, tuple[str, ...]]:
    """Assignment id -> the dataset names its folder carries."""
    mapping: dict[str, tuple[str, ...]] = {}
    for module in chapter_modules():
        mapping.update(getattr(module, "ASSIGNMENT_DATA", {}))
    return mapping
