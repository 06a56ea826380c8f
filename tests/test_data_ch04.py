"""Chapter 4 data land near the fact-sheet targets (facts/aplastic-anemia-and-severe-asthma.md C1, A).

n=200. Tolerances are three standard errors of a proportion for the group size, unless the
generator fixes a share exactly (arms, PNH clones, mutations, 6-month response per arm, complete
response at 3 months, clonal evolution by telomere group); those are checked to rounding (1/n).
"""

import math

import pandas as pd
import pytest

from trcourse.datasets.ch04_aplastic_anaemia import classify_severity
from trcourse.paths import DATA


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.read_csv(DATA / "ch04_ist_cohort.csv")


def _tol(p: float, n: int) -> float:
    """Three standard errors of a proportion ``p`` measured on ``n`` patients."""
    return 3 * math.sqrt(p * (1 - p) / n)


def _good_counts(df: pd.DataFrame) -> pd.Series:
    return (df.reticulocytes_10e9_l >= 25) & (df.lymphocytes_10e9_l >= 1)


def test_size_and_bimodal_age(cohort):
    assert len(cohort) == 200 and cohort.patient_id.is_unique
    assert cohort.age_years.between(2, 90).all()
    # C1: 40% from N(20, 6), 60% from N(62, 10): about 41% under 40, median near 55.
    assert (cohort.age_years < 40).mean() == pytest.approx(0.41, abs=_tol(0.41, 200))
    assert cohort.age_years.median() == pytest.approx(55, abs=8)


def test_baseline_counts_near_targets(cohort):
    # C1: VSAA about 35% (ANC <0.2 allocated exactly; a few fall to NSAA by the other counts).
    assert (cohort.anc_10e9_l < 0.2).mean() == pytest.approx(0.35, abs=0.005)
    assert (cohort.severity == "VSAA").mean() == pytest.approx(0.35, abs=_tol(0.35, 200))
    # C1: platelet median about 12 x 10^9/L (log-normal spread 0.6: SE of the median about 0.9).
    assert cohort.platelets_10e9_l.median() == pytest.approx(12, abs=3)
    # C1, item 8: 40% with reticulocytes >= 25, 50% with lymphocytes >= 1 x 10^9/L.
    assert (cohort.reticulocytes_10e9_l >= 25).mean() == pytest.approx(0.40, abs=_tol(0.40, 200))
    assert (cohort.lymphocytes_10e9_l >= 1).mean() == pytest.approx(0.50, abs=_tol(0.50, 200))


def test_severity_follows_the_modified_camitta_rule(cohort):
    rule = [classify_severity(r.anc_10e9_l, r.platelets_10e9_l, r.reticulocytes_10e9_l,
                              r.marrow_cellularity_pct) for r in cohort.itertuples()]
    assert list(cohort.severity) == rule
    assert set(cohort.severity) == {"NSAA", "SAA", "VSAA"}


def test_markers_near_targets(cohort):
    # Item 19: PNH clone in 40% (exact), median clone 9.7% (80 clones, log-normal spread 1.57:
    # the SE of the log median is about 0.22, so x/÷ 2).
    assert cohort.pnh_clone.mean() == pytest.approx(0.40, abs=0.005)
    assert cohort.pnh_clone_pct.isna().eq(~cohort.pnh_clone).all()
    assert 9.7 / 2 < cohort.pnh_clone_pct.median() < 9.7 * 2
    # C1, items 14 and 20: 30% with somatic mutations, 1:1 (exact).
    assert (cohort.somatic_mutation_group != "none").mean() == pytest.approx(0.30, abs=0.005)
    # Item 5: a few telomere lengths below the 1st percentile (3%, exact).
    assert (cohort.telomere_percentile < 1).sum() == 6
    assert cohort.short_telomeres.mean() == pytest.approx(0.25, abs=0.005)


def test_response_at_6_months_by_arm(cohort):
    # Item 6: rabbit ATG 37%; horse ATG 60% and + eltrombopag 80% (inside C1's ranges). Exact.
    rate = cohort.groupby("treatment_arm").response_6m.mean()
    targets = {"horse_atg": 0.60, "horse_atg_eltrombopag": 0.80, "rabbit_atg": 0.37}
    for arm, target in targets.items():
        assert rate[arm] == pytest.approx(target, abs=0.01), arm
    assert rate["rabbit_atg"] < rate["horse_atg"] < rate["horse_atg_eltrombopag"]


def test_responses_at_3_months_are_fewer_and_complete_response_as_race(cohort):
    responded_3m = cohort.response_3m != "none"
    assert not (responded_3m & ~cohort.response_6m).any(), "a 3-month responder lost response by 6"
    complete = (cohort.response_3m == "complete").groupby(cohort.treatment_arm).mean()
    # Item 14, RACE: complete response at 3 months 10% vs 22% (exact to rounding, 67 per arm).
    assert complete["horse_atg"] == pytest.approx(0.10, abs=0.015)
    assert complete["horse_atg_eltrombopag"] == pytest.approx(0.22, abs=0.015)


def test_good_baseline_counts_predict_response(cohort):
    # Item 8: 83% vs 41% on horse ATG; here all arms pooled (46 vs 154 patients), so only the
    # direction and a clear gap (> 3 SE of the difference, about 0.24) are required.
    rate = cohort.groupby(_good_counts(cohort)).response_6m.mean()
    assert rate[True] - rate[False] > 0.15
    assert rate[True] == pytest.approx(0.83, abs=_tol(0.83, 46))


def test_older_age_lowers_response(cohort):
    rate = cohort.groupby(cohort.age_years > 40).response_6m.mean()
    assert rate[True] < rate[False]


def test_telomeres_do_not_predict_response_in_adults(cohort):
    # Item 17: 56.5%, 54.3%, 60%, 56.5% by quartile. About 44 adults per quartile: each quartile
    # stays within 3 SE (0.22) of the adult mean.
    adults = cohort[cohort.age_years >= 18]
    quartile = pd.qcut(adults.telomere_percentile, 4, labels=False)
    by_quartile = adults.groupby(quartile).response_6m.mean()
    assert (by_quartile - adults.response_6m.mean()).abs().max() < _tol(0.58, 44)


def test_relapse_and_clonal_evolution_follow_telomeres(cohort):
    responders = cohort[cohort.response_6m]
    assert responders.relapse.notna().all() and cohort[~cohort.response_6m].relapse.isna().all()
    # Item 11: 39% of responders relapse by 4 years (about 118 responders).
    assert responders.relapse.astype(bool).mean() == pytest.approx(0.39, abs=_tol(0.39, 118))
    relapse = responders.groupby("short_telomeres").relapse.apply(lambda s: s.astype(bool).mean())
    assert relapse[True] > 2 * relapse[False]  # item 17: HR 0.16 for longer telomeres
    # Item 17: clonal evolution 24.5% vs 8.4%; monosomy 7 or complex karyotype 18.8% vs 4.5% (exact).
    evolution = cohort.groupby("short_telomeres")[["clonal_evolution", "monosomy7_or_complex"]].mean()
    assert evolution.loc[True, "clonal_evolution"] == pytest.approx(0.245, abs=0.02)
    assert evolution.loc[False, "clonal_evolution"] == pytest.approx(0.084, abs=0.01)
    assert evolution.loc[True, "monosomy7_or_complex"] == pytest.approx(0.188, abs=0.02)
    assert not (cohort.monosomy7_or_complex & ~cohort.clonal_evolution).any()
    # Item 13: about 15% overall at 4 years (items 13 and 17 combine to 12.5%).
    assert cohort.clonal_evolution.mean() == pytest.approx(0.13, abs=0.03)
