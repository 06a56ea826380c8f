"""Chapter 6, treatment resistance across diseases: no new data.

The capstone compares the diseases of chapters 2-5, so its reading chapter and assignment reuse
their synthetic datasets (each sourced in its own generator module) instead of adding one.
"""

from .core import Dataset

# The earlier datasets copied beside the capstone assignment (solutions/ch06_across_diseases/data/).
ASSIGNMENT_DATA = {
    "ch06_across_diseases": (
        "ch02_iti_cohort",
        "ch02_emicizumab_bleeds",
        "ch03_aha_registry",
        "ch04_ist_cohort",
        "ch05_clinic_cohort",
    )
}


def build() -> list[Dataset]:
    """The chapter's own datasets: none (see ASSIGNMENT_DATA for the ones it reuses)."""
    return []
