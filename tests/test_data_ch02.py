"""Chapter 2 data land near the fact-sheet targets (facts/hemophilia.md §2, §4, §6, §12).

Tolerances are about three standard errors for the group sizes (n=500 PUPs, 200 ITI patients,
140 + 72 trial patients) unless the generator fixes a share exactly (noted where it does).
"""

import math

import pandas as pd
import pytest

from trcourse.paths import DATA


@pytest.fixture(scope="module")
def pups() -> pd.DataFrame:
    return pd.read_csv(DATA / "ch02_pup_cohort.csv")


@pytest.fixture(scope="module")
def iti() -> pd.DataFrame:
    return pd.read_csv(DATA / "ch02_iti_cohort.csv")


@pytest.fixture(scope="module")
def bleeds() -> pd.DataFrame:
    return pd.read_csv(DATA / "ch02_emicizumab_bleeds.csv")


def _se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


def test_overall_incidence_near_30_percent(pups):
    # PedNet 29.9% at 75 ED [R9], CANAL 24% [R6]; SE at n=500 is 0.02.
    assert pups.inhibitor.mean() == pytest.approx(0.30, abs=0.05)


def test_high_risk_genotype_about_32_vs_13_percent(pups):
    # CANAL: 32% (n=340 here, SE 0.025) vs 13% (n=160, SE 0.027) [R6].
    rate = pups.groupby("mutation_risk").inhibitor.mean()
    assert pups.mutation_risk.value_counts(normalize=True)["high"] == pytest.approx(0.68, abs=0.01)
    assert rate["high"] == pytest.approx(0.32, abs=3 * _se(0.32, 340))
    assert rate["low"] == pytest.approx(0.13, abs=3 * _se(0.13, 160))
    assert rate["high"] / rate["low"] > 1.8


def test_mutation_classes_ordered_as_the_pooled_odds_ratios(pups):
    rate = pups.groupby("f8_mutation").inhibitor.mean()
    # Gouw 2012 [R8]: large deletion highest (OR 3.6), missense lowest (OR 0.3).
    assert rate.idxmax() == "large deletion"
    assert rate.idxmin() == "missense"


def test_recombinant_about_1_7_times_plasma_derived(pups):
    # SIPPET 44.5% vs 26.8% (ratio 1.66) [R5]; 250 per arm, SE of the ratio about 0.25.
    rate = pups.groupby("product_class").inhibitor.mean()
    assert rate["recombinant"] / rate["plasma-derived"] == pytest.approx(0.445 / 0.268, abs=0.5)


def test_onset_bands_79_18_3(pups):
    # PedNet [R9]; the generator allocates the bands exactly, so only rounding remains.
    onset = pups.loc[pups.inhibitor, "onset_exposure_day"]
    shares = pd.cut(onset, [0, 20, 50, 75]).value_counts(normalize=True).sort_index()
    assert shares.tolist() == pytest.approx([0.79, 0.18, 0.03], abs=0.01)
    assert onset.between(1, 75).all()
    assert pups.loc[~pups.inhibitor, ["onset_exposure_day", "high_titer", "peak_titer_bu"]].isna().all().all()


def test_high_titer_share_and_cutoff(pups):
    inhibitors = pups[pups.inhibitor]
    high = inhibitors.high_titer.astype(bool)
    assert 0.55 <= high.mean() <= 0.80  # facts §12A
    assert (inhibitors.loc[high, "peak_titer_bu"] > 5).all()
    assert (inhibitors.loc[~high, "peak_titer_bu"] < 5).all()


def test_iti_outcomes_70_5_25(iti):
    # I-ITI 69.7/4.5/25.8% [R17]; SE at n=200 is 0.032 for success.
    shares = iti.outcome.value_counts(normalize=True)
    assert shares["success"] == pytest.approx(0.70, abs=3 * _se(0.70, 200))
    assert shares["partial"] == pytest.approx(0.05, abs=3 * _se(0.05, 200))
    assert shares["failure"] == pytest.approx(0.25, abs=3 * _se(0.25, 200))


def test_iti_high_titre_lowers_success_and_dose_does_not(iti):
    success = iti.outcome.eq("success")
    assert success[iti.pre_iti_titer_bu > 10].mean() < success[iti.pre_iti_titer_bu <= 10].mean() - 0.15
    by_arm = success.groupby(iti.dose_arm).mean()
    assert by_arm["high"] == pytest.approx(by_arm["low"], abs=3 * _se(0.70, 100) * math.sqrt(2))


def test_iti_bleed_rates_and_time_to_success(iti):
    # I-ITI 0.62 vs 0.28 bleeds per month [R17]; PROFIT median 11 months [R19].
    rate = iti.groupby("dose_arm").bleeds_per_month.mean()
    assert rate["low"] == pytest.approx(0.62, rel=0.25)
    assert rate["high"] == pytest.approx(0.28, rel=0.25)
    assert iti.months_to_success.median() == pytest.approx(11, abs=2)
    assert iti.loc[iti.outcome != "success", ["months_to_success", "relapse"]].isna().all().all()


def test_emicizumab_abr_ratio_and_zero_bleeds(bleeds):
    # HAVEN 1 [R24]: ABR 2.9 vs 23.3 (ratio 0.13); zero bleeds 63% vs 6%.
    per_arm = bleeds.groupby("arm").agg(bleeds=("bleeds", "sum"), days=("days_observed", "sum"))
    abr = per_arm.bleeds / (per_arm.days / 365.25)
    assert abr["emicizumab"] == pytest.approx(2.9, rel=0.25)
    assert abr["no prophylaxis"] == pytest.approx(23.3, rel=0.25)
    assert abr["emicizumab"] / abr["no prophylaxis"] == pytest.approx(0.13, abs=0.04)
    zero = bleeds.bleeds.eq(0).groupby(bleeds.arm).mean()
    assert zero["emicizumab"] == pytest.approx(0.63, abs=3 * _se(0.63, 140))
    assert zero["no prophylaxis"] == pytest.approx(0.06, abs=3 * _se(0.06, 72))
    assert bleeds.arm.value_counts().to_dict() == {"emicizumab": 140, "no prophylaxis": 72}
