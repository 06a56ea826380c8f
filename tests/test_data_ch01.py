"""Chapter 1 data: generated rates land near their fact-sheet targets.

Tolerances are three standard errors computed from each group's size and follow-up, so a
correct generator passes with any seed about 99.7% of the time and a wrong parameter fails.
"""

import math

import numpy as np
import pandas as pd
import pytest

from trcourse.datasets import ch01_hemophilia as ch01


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    patients, log = (d.frame for d in ch01.build())
    return patients, log


def _pooled_abr_and_se(patients, log, target, k):
    """Pooled ABR of a group, and its negative-binomial standard error at the target rate."""
    years = patients["days_observed"].to_numpy() / ch01.DAYS_PER_YEAR
    bleeds = log["patient_id"].isin(patients["patient_id"]).sum()
    mean_counts = target * years
    se = math.sqrt(np.sum(mean_counts + mean_counts**2 / k)) / years.sum()
    return bleeds / years.sum(), se


@pytest.mark.parametrize("regimen", list(ch01.REGIMENS))
def test_severe_patients_abr_near_target(data, regimen):
    patients, log = data
    target, k = ch01.REGIMENS[regimen]
    group = patients[(patients["regimen"] == regimen) & (patients["severity"] == "severe")]
    abr, se = _pooled_abr_and_se(group, log, target, k)
    assert abs(abr - target) < 3 * se, f"{regimen}: ABR {abr:.2f} vs target {target} (SE {se:.2f})"


def test_moderate_patients_bleed_at_the_assumed_ratio(data):
    patients, log = data
    target, k = ch01.REGIMENS["on_demand"]
    target *= ch01.MODERATE_RATE_RATIO
    group = patients[(patients["regimen"] == "on_demand") & (patients["severity"] == "moderate")]
    abr, se = _pooled_abr_and_se(group, log, target, k)
    assert abs(abr - target) < 3 * se, f"moderate on-demand ABR {abr:.2f} vs {target} (SE {se:.2f})"


def test_moderate_share(data):
    patients, _ = data
    n = len(patients)
    share = (patients["severity"] == "moderate").mean()
    se = math.sqrt(ch01.MODERATE_SHARE * (1 - ch01.MODERATE_SHARE) / n)
    assert abs(share - ch01.MODERATE_SHARE) < 3 * se


@pytest.mark.parametrize(("column", "value", "target"), [
    ("site", "joint", ch01.SITE_SHARE["joint"]),
    ("site", "muscle", ch01.SITE_SHARE["muscle"]),
    ("treated", True, ch01.TREATED_SHARE),
])
def test_bleed_shares_near_target(data, column, value, target):
    _, log = data
    share = (log[column] == value).mean()
    se = math.sqrt(target * (1 - target) / len(log))
    assert abs(share - target) < 3 * se, f"{column}={value}: {share:.3f} vs {target}"


def test_severity_matches_factor_level(data):
    """Severe <1 IU/dL, moderate 1-5 IU/dL inclusive (facts §1 [R3])."""
    patients, _ = data
    level = patients["factor_level_iu_dl"]
    severe = patients["severity"] == "severe"
    assert (level[severe] < 1).all() and (level[severe] > 0).all()
    assert level[~severe].between(1, 5).all()


def test_log_is_consistent_with_patients(data):
    patients, log = data
    merged = log.merge(patients, on="patient_id", suffixes=("", "_patient"), validate="many_to_one")
    assert len(merged) == len(log), "every bleed belongs to a known patient"
    assert (merged["regimen"] == merged["regimen_patient"]).all()
    assert merged["study_day"].between(1, merged["days_observed"]).all()
    assert patients["patient_id"].is_unique
    assert patients["days_observed"].between(*ch01.DAYS_OBSERVED_RANGE).all()


def test_some_patients_have_no_bleeds(data):
    """The teaching point: zero-bleed patients are only in the patient table."""
    patients, log = data
    assert (~patients["patient_id"].isin(log["patient_id"])).sum() > 0
