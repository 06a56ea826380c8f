"""Chapter 2, the inhibitor problem: a PUP cohort, an ITI cohort and a HAVEN 1-like trial.

Every parameter names its source in the authors' fact sheet
``hemophilia.md`` (course notes kept outside this repository; every study it cites is in
``book/references.bib``) (section and [R#]);
teaching assumptions are marked ``# ASSUMPTION:``. The data are synthetic, not patient data.
"""

import numpy as np
import pandas as pd

from .core import Dataset, rng

ASSIGNMENT_DATA = {"ch02_inhibitors": ("ch02_pup_cohort", "ch02_iti_cohort", "ch02_emicizumab_bleeds")}

# --- A. Previously untreated patients (PUPs) with severe hemophilia A, followed to 75 ED ---
PUP_SEED = 2001
PUP_N = 500  # facts §12A: n≈500, tracked to 75 exposure days
# facts §12A, CANAL [R6]: 212 high-risk vs 100 low-risk genotyped patients (68% vs 32%).
# ASSUMPTION: the grouping (high: inversions, large deletion, nonsense, splice site, the classes
# with odds ratios >= 0.9; low: missense, small deletion/insertion) and the shares in each group.
MUTATION_SHARE = {
    "intron 22 inversion": 0.42,
    "nonsense": 0.14,
    "large deletion": 0.05,
    "splice site": 0.04,
    "intron 1 inversion": 0.03,
    "missense": 0.19,
    "small deletion/insertion": 0.13,
}
HIGH_RISK = ("intron 22 inversion", "nonsense", "large deletion", "splice site", "intron 1 inversion")
# facts §2 and §12A, pooled odds ratios vs intron 22 inversion, Gouw 2012 [R8].
MUTATION_OR = {
    "intron 22 inversion": 1.0,
    "large deletion": 3.6,
    "nonsense": 1.4,
    "intron 1 inversion": 0.9,
    "splice site": 1.0,
    "small deletion/insertion": 0.5,
    "missense": 0.3,
}
# facts §2, SIPPET [R5]: cumulative incidence 44.5% recombinant vs 26.8% plasma-derived;
# as an odds ratio (0.445/0.555)/(0.268/0.732) = 2.19 (derived).
RECOMBINANT_OR = 2.19
RECOMBINANT_SHARE = 0.5  # ASSUMPTION: 1:1, as in SIPPET's randomised design [R5]
# facts §2 and §12A, CANAL: family history of inhibitors, adjusted RR 2.8 [R6].
FAMILY_HISTORY_OR = 2.8
FAMILY_HISTORY_SHARE = 0.12  # ASSUMPTION
# facts §2 and §12A: Black ≈×2 (55.6% vs 27.4%, MIBS [R13]); Hispanic OR 1.4 (UDC [R14]).
ETHNICITY_OR = {"White": 1.0, "Black": 2.0, "Hispanic": 1.4}
ETHNICITY_SHARE = {"White": 0.70, "Black": 0.12, "Hispanic": 0.18}  # ASSUMPTION
# facts §2 and §12A: intensive treatment aHR 2.0 (RODIN [R7]); CANAL peak treatment RR 3.3,
# surgery RR 3.7 [R6]. We take the conservative 2.0.
INTENSIVE_OR = 2.0
INTENSIVE_SHARE = 0.20  # ASSUMPTION
# facts §2 and §12A, CANAL: regular prophylaxis RR 0.4 [R6].
PROPHYLAXIS_OR = 0.4
PROPHYLAXIS_SHARE = 0.40  # ASSUMPTION
# ASSUMPTION: relative risks and hazard ratios are used as odds multipliers in one logistic model.
# facts §2 and §12A: 29.9% at 75 ED (PedNet [R9]), 24% (CANAL [R6]), 29% (UK [R10]); CANAL's 32%
# high-risk vs 13% low-risk with a 68/32 split implies about 26%. The intercept is solved for 28%.
TARGET_INCIDENCE = 0.28
# facts §2 and §12A, PedNet: 79% of inhibitors within 20 ED, 18% at 21-50, 3% at 51-75 [R9].
ONSET_BANDS = ((1, 20, 0.79), (21, 50, 0.18), (51, 75, 0.03))
# facts §12A: 55-80% high-titer; SIPPET 50/76 = 0.66 [R5] (CANAL 69/87, UK 60/118 [R6, R10]).
HIGH_TITER_SHARE = 0.66
# ASSUMPTION (facts §12A, shape unverified for congenital HA): high-titer peak log-normal,
# median 25 BU, kept above 5 BU; low-titer peak uniform 0.6-4.9 BU.
HIGH_TITER_MEDIAN_BU, HIGH_TITER_SIGMA = 25.0, 1.1
LOW_TITER_RANGE_BU = (0.6, 4.9)
HIGH_TITER_CUTOFF_BU = 5.0  # facts §3, WFH and ISTH: high titer >5 BU [R16d, R16e]

# --- B. Immune tolerance induction (ITI) in high responders ---
ITI_SEED = 2002
ITI_N = 200  # facts §12B
# facts §4 and §12B: success ~70% (I-ITI 69.7% [R17]; NA registry 70% [R18]); partial 4.5%.
ITI_TARGET_SUCCESS = 0.70
ITI_PARTIAL_SHARE_OF_NONSUCCESS = 0.15  # facts §4, I-ITI: partial 3 vs failure 17 [R17]
# facts §4 and §12B: historical peak >200 BU, pre-ITI titre >10 BU and peak on ITI >100 BU
# each predict failure [R18, R19]. ASSUMPTION: odds ratio 0.35 for each.
ITI_PREDICTOR_OR = 0.35
# ASSUMPTION: titre distributions (log-normal medians and spreads, in BU).
HISTORICAL_PEAK_MEDIAN_BU, HISTORICAL_PEAK_SIGMA = 60.0, 1.2
PRE_ITI_MEDIAN_BU, PRE_ITI_SIGMA = 5.0, 1.1
ITI_RISE_MEDIAN, ITI_RISE_SIGMA = 6.0, 1.0  # peak on ITI = pre-ITI titre x this factor
# facts §4 and §12B, I-ITI: 50 IU/kg three times a week vs 200 IU/kg daily; no effect on
# success; bleeds per month early on 0.62 vs 0.28 [R17].
DOSE_ARMS = {"low": (50, 3, 0.62), "high": (200, 7, 0.28)}
BLEED_WINDOW_MONTHS = 6  # ASSUMPTION: bleeds counted over the first 6 months of ITI
BLEED_RATE_SHAPE = 2.0  # ASSUMPTION: gamma spread of each patient's bleed rate
# facts §4 and §12B, PROFIT: median time to success 11 months (gamma) [R19]. High dose reached
# a negative titre faster [R17]; ASSUMPTION: medians 9 (high) and 13 (low) months, shape 3.
MONTHS_MEDIAN = {"low": 13.0, "high": 9.0}
MONTHS_SHAPE = 3.0
RELAPSE_RATE = 0.03  # facts §4 and §12B, PROFIT: relapse 2.9% [R19]

# --- C. Emicizumab vs no prophylaxis, HAVEN 1-like 24-week bleed counts ---
EMI_SEED = 2003
# facts §6, HAVEN 1 [R24]: 35 vs 18 patients. ASSUMPTION: scaled x4 so teaching rates are stable.
EMI_ARMS_N = {"emicizumab": 35 * 4, "no prophylaxis": 18 * 4}
# facts §6 and §12C, HAVEN 1 [R24]: ABR 2.9 vs 23.3; negative-binomial dispersion k≈0.25 and
# k≈1.24 (derived from 63% and 6% with zero bleeds).
EMI_ABR = {"emicizumab": 2.9, "no prophylaxis": 23.3}
EMI_DISPERSION = {"emicizumab": 0.25, "no prophylaxis": 1.24}
PLANNED_DAYS = 168  # 24 weeks (facts §12C)
EARLY_STOP_SHARE, EARLY_STOP_DAYS = 0.10, (56, 167)  # ASSUMPTION: 10% leave early
DAYS_PER_YEAR = 365.25  # facts §11 and §12C: ABR = bleeds / observed years


def _intercept_for(mean_risk: float, log_odds: np.ndarray) -> float:
    """The intercept that makes the mean predicted risk equal ``mean_risk`` (bisection)."""
    low, high = -20.0, 20.0
    for _ in range(100):
        mid = (low + high) / 2
        risk = 1 / (1 + np.exp(-(mid + log_odds)))
        low, high = (mid, high) if risk.mean() < mean_risk else (low, mid)
    return (low + high) / 2


def _allocate(gen: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """Exactly the given shares of ``n`` (largest remainder), in random order."""
    exact = np.array(list(shares.values())) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return gen.permutation(np.repeat(list(shares), counts))


def _flags(gen: np.random.Generator, share: float, n: int) -> np.ndarray:
    """A shuffled boolean array with exactly ``share`` of it True."""
    return _allocate(gen, {True: share, False: 1 - share}, n).astype(bool)


def _lognormal_above(gen, median: float, sigma: float, floor: float, n: int) -> np.ndarray:
    """Log-normal draws, redrawn until each is above ``floor``."""
    values = gen.lognormal(np.log(median), sigma, n)
    while (low := values <= floor).any():
        values[low] = gen.lognormal(np.log(median), sigma, low.sum())
    return values


def _onset_days(gen: np.random.Generator, n: int) -> np.ndarray:
    """Exposure day of inhibitor onset: a PedNet band (exact shares), then a uniform day inside it."""
    band = _allocate(gen, {i: share for i, (*_, share) in enumerate(ONSET_BANDS)}, n)
    first, last = (np.array([ONSET_BANDS[b][j] for b in band], dtype=int) for j in (0, 1))
    return gen.integers(first, last + 1)


def _peak_titers(gen: np.random.Generator, high: np.ndarray) -> np.ndarray:
    """Peak titre (BU): log-normal above the cutoff if high-titre, else uniform below it."""
    n = len(high)
    high_peak = _lognormal_above(gen, HIGH_TITER_MEDIAN_BU, HIGH_TITER_SIGMA, HIGH_TITER_CUTOFF_BU + 0.1, n)
    return np.round(np.where(high, high_peak, gen.uniform(*LOW_TITER_RANGE_BU, n)), 1)


def _cases_by_stratum(gen: np.random.Generator, risk: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """Each stratum gets its expected number of cases (rounded), drawn in proportion to risk.

    This keeps sampling noise out of the stratum rates the chapter teaches with.
    """
    cases = np.zeros(len(risk), bool)
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        weights = risk[members]
        count = int(round(weights.sum()))
        cases[gen.choice(members, size=count, replace=False, p=weights / weights.sum())] = True
    return cases


def _pup_frame() -> pd.DataFrame:
    gen = rng(PUP_SEED)
    n = PUP_N
    mutation = _allocate(gen, MUTATION_SHARE, n)
    product = np.where(_flags(gen, RECOMBINANT_SHARE, n), "recombinant", "plasma-derived")
    family = _flags(gen, FAMILY_HISTORY_SHARE, n)
    ethnicity = _allocate(gen, ETHNICITY_SHARE, n)
    intensive = _flags(gen, INTENSIVE_SHARE, n)
    prophylaxis = _flags(gen, PROPHYLAXIS_SHARE, n)
    log_odds = (np.log([MUTATION_OR[m] for m in mutation])
                + np.log(RECOMBINANT_OR) * (product == "recombinant")
                + np.log(FAMILY_HISTORY_OR) * family
                + np.log([ETHNICITY_OR[e] for e in ethnicity])
                + np.log(INTENSIVE_OR) * intensive
                + np.log(PROPHYLAXIS_OR) * prophylaxis)
    risk = 1 / (1 + np.exp(-(_intercept_for(TARGET_INCIDENCE, log_odds) + log_odds)))
    inhibitor = _cases_by_stratum(gen, risk, np.char.add(mutation.astype(str), product.astype(str)))
    cases = inhibitor.sum()
    onset, high = np.zeros(n, int), np.zeros(n, bool)
    onset[inhibitor] = _onset_days(gen, cases)
    high[inhibitor] = _flags(gen, HIGH_TITER_SHARE, cases)
    return pd.DataFrame({
        "patient_id": [f"PUP{i:03d}" for i in range(1, n + 1)],
        "f8_mutation": mutation,
        "mutation_risk": np.where(np.isin(mutation, HIGH_RISK), "high", "low"),
        "product_class": product,
        "family_history_inhibitor": family,
        "ethnicity": ethnicity,
        "intensive_early_treatment": intensive,
        "early_prophylaxis": prophylaxis,
        "inhibitor": inhibitor,
        "onset_exposure_day": pd.Series(onset, dtype="Int64").where(inhibitor),
        "high_titer": pd.Series(high, dtype="boolean").where(inhibitor),
        "peak_titer_bu": pd.Series(_peak_titers(gen, high)).where(inhibitor),
    })


def _iti_frame() -> pd.DataFrame:
    gen = rng(ITI_SEED)
    n = ITI_N
    historical = _lognormal_above(gen, HISTORICAL_PEAK_MEDIAN_BU, HISTORICAL_PEAK_SIGMA,
                                  HIGH_TITER_CUTOFF_BU, n)
    pre_iti = np.minimum(gen.lognormal(np.log(PRE_ITI_MEDIAN_BU), PRE_ITI_SIGMA, n), historical)
    peak_on_iti = pre_iti * gen.lognormal(np.log(ITI_RISE_MEDIAN), ITI_RISE_SIGMA, n)
    historical, pre_iti, peak_on_iti = (np.round(x, 1) for x in (historical, pre_iti, peak_on_iti))
    arm = _allocate(gen, {"low": 0.5, "high": 0.5}, n)  # randomised 1:1 as in I-ITI [R17]
    log_odds = np.log(ITI_PREDICTOR_OR) * ((historical > 200).astype(int) + (pre_iti > 10)
                                           + (peak_on_iti > 100))
    p_success = 1 / (1 + np.exp(-(_intercept_for(ITI_TARGET_SUCCESS, log_odds) + log_odds)))
    u = gen.random(n)
    partial_cut = p_success + (1 - p_success) * ITI_PARTIAL_SHARE_OF_NONSUCCESS
    outcome = np.select([u < p_success, u < partial_cut], ["success", "partial"], "failure")
    median = np.array([MONTHS_MEDIAN[a] for a in arm])
    # Gamma median ≈ scale x (shape - 1/3 + 0.02/shape) for shape >= 1 (approximation).
    scale = median / (MONTHS_SHAPE - 1 / 3 + 0.02 / MONTHS_SHAPE)
    months = gen.gamma(MONTHS_SHAPE, scale)
    monthly = np.array([DOSE_ARMS[a][2] for a in arm]) * gen.gamma(BLEED_RATE_SHAPE, 1 / BLEED_RATE_SHAPE, n)
    bleeds = gen.poisson(monthly * BLEED_WINDOW_MONTHS)
    success = outcome == "success"
    relapse = gen.random(n) < RELAPSE_RATE
    return pd.DataFrame({
        "patient_id": [f"ITI{i:03d}" for i in range(1, n + 1)],
        "historical_peak_bu": historical,
        "pre_iti_titer_bu": pre_iti,
        "peak_on_iti_bu": peak_on_iti,
        "dose_arm": arm,
        "dose_iu_per_kg": [DOSE_ARMS[a][0] for a in arm],
        "doses_per_week": [DOSE_ARMS[a][1] for a in arm],
        "outcome": outcome,
        "months_to_success": pd.Series(np.round(months, 1)).where(success),
        "bleeds_per_month": np.round(bleeds / BLEED_WINDOW_MONTHS, 2),
        "relapse": pd.Series(relapse, dtype="boolean").where(success),
    })


def _stratified_uniform(gen: np.random.Generator, n: int) -> np.ndarray:
    """One uniform draw in each of ``n`` equal slices of (0, 1), shuffled (Latin hypercube)."""
    return (gen.permutation(n) + gen.random(n)) / n


def _nb_quantile(u: np.ndarray, mean: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Negative-binomial quantiles (mean ``mean``, variance mean + mean²/k), elementwise."""
    q = mean / (k + mean)
    pmf = (1 - q) ** k
    cdf, count, x = pmf.copy(), np.zeros(len(u), int), 0
    while (below := cdf < u).any() and x < 10_000:
        count += below
        pmf = pmf * (x + k) / (x + 1) * q
        cdf, x = cdf + pmf, x + 1
    return count


def _emicizumab_frame() -> pd.DataFrame:
    gen = rng(EMI_SEED)
    arm = np.repeat(list(EMI_ARMS_N), list(EMI_ARMS_N.values()))
    n = len(arm)
    early = _flags(gen, EARLY_STOP_SHARE, n)
    days = np.where(early, gen.integers(EARLY_STOP_DAYS[0], EARLY_STOP_DAYS[1] + 1, n), PLANNED_DAYS)
    mean = np.array([EMI_ABR[a] for a in arm]) * days / DAYS_PER_YEAR
    k = np.array([EMI_DISPERSION[a] for a in arm])
    u = np.concatenate([_stratified_uniform(gen, size) for size in EMI_ARMS_N.values()])
    bleeds = _nb_quantile(u, mean, k)
    return pd.DataFrame({
        "patient_id": [f"HVN{i:03d}" for i in range(1, n + 1)],
        "arm": arm,
        "days_observed": days,
        "bleeds": bleeds,
    })


PUP_COLUMNS = {
    "patient_id": "synthetic patient identifier",
    "f8_mutation": "F8 mutation class (one of the seven classes of the Gouw 2012 meta-analysis)",
    "mutation_risk": "`high` (intron 22 and intron 1 inversions, large deletion, nonsense, splice "
                     "site) or `low` (missense, small deletion/insertion) inhibitor-risk genotype",
    "product_class": "first factor VIII concentrate: `plasma-derived` or `recombinant`",
    "family_history_inhibitor": "a relative with hemophilia had an inhibitor (True/False)",
    "ethnicity": "`White`, `Black` or `Hispanic`",
    "intensive_early_treatment": "surgery or a peak of intensive treatment at the start (True/False)",
    "early_prophylaxis": "regular prophylaxis from the start (True/False)",
    "inhibitor": "an inhibitor was detected by 75 exposure days (True/False)",
    "onset_exposure_day": "exposure day (ED) on which the inhibitor was first detected; empty if none",
    "high_titer": "peak titre above 5 BU (True/False); empty if no inhibitor",
    "peak_titer_bu": "peak inhibitor titre in Bethesda units per mL (BU); empty if no inhibitor",
}
ITI_COLUMNS = {
    "patient_id": "synthetic patient identifier",
    "historical_peak_bu": "highest titre ever measured before ITI (BU)",
    "pre_iti_titer_bu": "titre at the start of ITI (BU)",
    "peak_on_iti_bu": "highest titre during ITI (BU)",
    "dose_arm": "`low` (50 IU/kg three times a week) or `high` (200 IU/kg daily)",
    "dose_iu_per_kg": "factor VIII dose per infusion (IU/kg)",
    "doses_per_week": "infusions per week",
    "outcome": "`success`, `partial` or `failure`",
    "months_to_success": "months from the start of ITI to success; empty unless outcome is success",
    "bleeds_per_month": "bleeds per month over the first 6 months of ITI",
    "relapse": "inhibitor came back after success (True/False); empty unless outcome is success",
}
EMI_COLUMNS = {
    "patient_id": "synthetic patient identifier",
    "arm": "`emicizumab` (weekly prophylaxis) or `no prophylaxis`",
    "days_observed": "days in the study (168 = 24 weeks; fewer if the patient left early)",
    "bleeds": "treated bleeds counted while observed",
}


def build() -> list[Dataset]:
    """The three synthetic datasets of chapter 2."""
    return [
        Dataset(
            name="ch02_pup_cohort",
            title="Previously untreated patients with severe hemophilia A followed to 75 exposure days",
            frame=_pup_frame(),
            how_made=(
                "500 boys are given an F8 mutation class, a first product class and four risk "
                "factors in fixed shares, in random order. Each factor multiplies the odds of "
                "developing an inhibitor by its published odds ratio or relative risk (used as an "
                "odds multiplier); the baseline is solved so the mean risk is 28%. Each mutation x "
                "product group gets its expected number of inhibitors (rounded), given to its "
                "members in proportion to their risk, so chance does not blur the group rates. "
                "Onset falls in the PedNet exposure-day bands (exact shares, uniform inside a "
                "band); two thirds of inhibitors are high-titre (log-normal peak above 5 BU), the "
                "rest 0.6-4.9 BU."),
            columns=PUP_COLUMNS,
            sources=[
                "Mutation classes 68% high-risk vs 32% low-risk: facts §12A, CANAL [R6]; shares "
                "inside each group and the grouping itself: ASSUMPTION.",
                "Odds ratios vs intron 22 inversion (large deletion 3.6, nonsense 1.4, intron 1 "
                "inversion 0.9, splice site 1.0, small deletion/insertion 0.5, missense 0.3): "
                "facts §2, Gouw 2012 [R8].",
                "Recombinant vs plasma-derived odds ratio 2.19, derived from the SIPPET cumulative "
                "incidences 44.5% vs 26.8%: facts §2 [R5]; 1:1 product split: ASSUMPTION.",
                "Family history ×2.8 [R6]; Black ×2 [R13]; Hispanic ×1.4 [R14]; intensive early "
                "treatment ×2.0 [R7]; early prophylaxis ×0.4 [R6]: facts §2, §12A. Prevalences of "
                "these factors, and using relative risks as odds multipliers: ASSUMPTION.",
                "Mean risk 28% by 75 ED, between CANAL 24% [R6] and PedNet 29.9% [R9] (facts §2); "
                "CANAL's 32% vs 13% by genotype with a 68/32 split implies about 26%.",
                "Onset bands 79% (1-20 ED), 18% (21-50), 3% (51-75): facts §2, PedNet [R9].",
                "66% of inhibitors high-titre (SIPPET 50/76): facts §2, §12A [R5]; titre "
                "distributions: ASSUMPTION.",
            ],
        ),
        Dataset(
            name="ch02_iti_cohort",
            title="Immune tolerance induction in high responders: titres, dose arm and outcome",
            frame=_iti_frame(),
            how_made=(
                "200 patients are given a historical peak, a pre-ITI titre and a peak titre on "
                "ITI (log-normal), and a dose arm at random (1:1). The odds of success fall for "
                "each unfavourable titre (historical peak >200 BU, pre-ITI >10 BU, peak on ITI "
                ">100 BU); the baseline is solved so 70% succeed. Dose does not change success. "
                "Time to success is gamma-distributed; bleeds are counted over the first 6 months."),
            columns=ITI_COLUMNS,
            sources=[
                "Success 70%, partial about 5%, failure about 25%: facts §4, §12B [R17, R18].",
                "Unfavourable titres lower the odds of success: facts §4, §12B [R18, R19]; the "
                "odds ratio 0.35 per titre and the titre distributions: ASSUMPTION.",
                "Dose arms 50 IU/kg three times a week vs 200 IU/kg daily, no effect on success, "
                "bleeds per month 0.62 vs 0.28: facts §4, §12B, I-ITI [R17].",
                "Median time to success about 11 months, gamma: facts §4, §12B, PROFIT [R19]; "
                "high dose faster [R17]; medians 13 and 9 months by arm: ASSUMPTION.",
                "Relapse 3%: facts §4, §12B, PROFIT [R19].",
            ],
        ),
        Dataset(
            name="ch02_emicizumab_bleeds",
            title="Emicizumab vs no prophylaxis in hemophilia A with inhibitors: 24-week bleed counts",
            frame=_emicizumab_frame(),
            how_made=(
                "A HAVEN 1-like trial scaled up four times (140 emicizumab, 72 no prophylaxis) so "
                "that rates are stable enough to teach with. Bleed counts are negative binomial "
                "with each arm's published annualised bleeding rate and a dispersion derived from "
                "the share of patients with zero bleeds, drawn as stratified (Latin hypercube) "
                "quantiles so the sample keeps the published shape; 10% of patients leave early."),
            columns=EMI_COLUMNS,
            sources=[
                "ABR 2.9 vs 23.3 and 63% vs 6% with zero bleeds; arms of 35 and 18: facts §6, "
                "HAVEN 1 [R24].",
                "Negative-binomial dispersions k≈0.25 and k≈1.24 (derived): facts §12C.",
                "Scaling ×4 and early leaving (10%, 56-167 days): ASSUMPTION.",
                "ABR = bleeds ÷ observed years: facts §11 [R27, R33].",
            ],
        ),
    ]
