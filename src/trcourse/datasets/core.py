"""The description every synthetic dataset carries, and seeded random generators."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Dataset:
    """A synthetic table and the facts its data card needs.

    name: file stem (``data/<name>.csv``); title: one line for the data card;
    how_made: a paragraph on the generator; columns: column -> meaning (with unit);
    sources: where each parameter comes from (fact sheet section and reference), with
    teaching assumptions marked as such.
    """

    name: str
    title: str
    frame: pd.DataFrame
    how_made: str
    columns: Mapping[str, str]
    sources: Sequence[str]

    def __post_init__(self):
        missing = set(self.frame.columns) ^ set(self.columns)
        if missing:
            raise ValueError(f"{self.name}: columns and their descriptions differ: {sorted(missing)}")


def rng(seed: int) -> np.random.Generator:
    """A NumPy generator: every dataset is drawn from its own fixed seed."""
    return np.random.default_rng(seed)
