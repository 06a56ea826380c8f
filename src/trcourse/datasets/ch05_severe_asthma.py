"""Chapter 5, severe asthma: a severe-asthma clinic cohort with biomarkers, adherence and biologics.

Every parameter names its source in the authors' fact sheet
``aplastic-anemia-and-severe-asthma.md`` (course notes kept outside this repository; every
study it cites is in ``book/references.bib``)
(part B item number, and the table of section C2); teaching assumptions are marked
``# ASSUMPTION:``. The data are synthetic, not patient data.
"""

from statistics import NormalDist

import numpy as np
import pandas as pd

from .core import Dataset, rng

ASSIGNMENT_DATA = {"ch05_severe_asthma": ("ch05_clinic_cohort",)}

COHORT_SEED = 5001
COHORT_N = 500  # facts §C2: about 500 patients

# --- Demographics, treatment and lung function: facts §C2 (NAVIGATOR/PATHWAY baseline table) ---
AGE_MEAN, AGE_SD, AGE_RANGE = 50.0, 15.5, (18, 85)  # facts §C2; the clip range is an ASSUMPTION
FEMALE_SHARE = 0.64  # facts §C2
BMI_MEAN, BMI_SD, BMI_RANGE = 28.5, 6.7, (16.0, 55.0)  # facts §C2; clip range: ASSUMPTION
HIGH_DOSE_ICS_SHARE = 0.70  # facts §C2
MAINTENANCE_OCS_SHARE = 0.09  # facts §C2
FEV1_MEAN, FEV1_SD, FEV1_RANGE = 62.0, 17.0, (20, 120)  # facts §C2, % predicted; clip: ASSUMPTION

# --- Type-2 biomarkers ---
# facts §C2: blood eosinophils log-normal, median 260/µL, with targets <150 25%, 150-300 32%,
# 300-450 18%, >=450 25%; a log-SD of 0.816 hits all four (derived: ln(150/260) = -0.674 x 0.816).
EOS_MEDIAN, EOS_SIGMA = 260.0, 0.816
EOS_ROUND = 10  # ASSUMPTION: counts reported to the nearest 10 cells/µL (0.01 x 10^9/L)
# facts §C2: FeNO log-normal, median 28 ppb, targets <25 ~44%, 25-50 ~28%, >=50 ~27%; a log-SD
# of 0.9 gives about 45% / 29% / 26% (derived).
FENO_MEDIAN, FENO_SIGMA, FENO_MIN = 28.0, 0.9, 5
IGE_MEDIAN = 180.0  # facts §C2: IgE log-normal, median about 180 IU/mL
IGE_SIGMA = 1.2  # ASSUMPTION: spread of IgE (not in the fact sheet)
SENSITISED_SHARE = 0.61  # facts §C2: 61% sensitised to a perennial allergen
# ASSUMPTION: one shared "type-2 activity" factor makes the biomarkers correlate (loadings on a
# standard-normal scale; eosinophils and FeNO then correlate about 0.36 on the log scale).
T2_LOADING = {"eos": 0.6, "feno": 0.6, "ige": 0.4}
SENSITISED_IGE_LOADING = 0.7  # ASSUMPTION: sensitised patients tend to have higher IgE
# facts item 35, GINA 2020: blood eosinophils >=150/µL or FeNO >=20 ppb mark type-2 inflammation.
# (25 ppb is a trial-analysis cut-off and the ATS 2011 guide reads <25 ppb as low, Dweik 2011; other
# purposes, not another GINA marker.) The phenotype column uses only these two markers: a
# simplification, GINA lists more.
T2_EOS_CUTOFF, T2_FENO_CUTOFF = 150, 20
EOS_STRATA = (150, 300)  # facts items 39-42: trial strata at 150 and 300 cells/µL

# --- Adherence, technique, smoking: facts §C2 and items 48, 50, 51 ---
# facts item 48, Gamble 2009: refills <=50% in 35%, 51-100% in 45%, >100% in 21% (sums to 101%
# by rounding; normalised here). Uniform values inside each band: ASSUMPTION.
REFILL_BANDS = {(10, 50): 35, (51, 100): 45, (101, 150): 21}
NON_ADHERENT_MAX_PCT = 50  # facts item 48: the lowest Gamble band (<=50% of prescriptions filled)
# facts item 50, Perumal 2020: 66.7% of 357 patients with asthma or COPD made >=1 critical pMDI
# error. ASSUMPTION: the same share in this severe-asthma clinic (the study population was mixed).
CRITICAL_ERROR_SHARE = 0.67
# facts item 51: 26% of people with asthma smoked (ECRHS), an upper bound; many trials exclude
# smokers. ASSUMPTION: 15% of this clinic cohort smoke.
SMOKER_SHARE = 0.15

# --- Control scores: facts items 31 and 52 ---
# ASSUMPTION: baseline ACQ of an adherent non-smoker with good technique ~ N(1.4, 0.7), clipped 0-6.
ACQ_BASE_MEAN, ACQ_BASE_SD = 1.4, 0.7
ACQ_SMOKER_SHIFT = 0.7  # facts item 51, Tiotiu 2021: ACQ 1.9 in smokers vs 1.2 in never-smokers
ACQ_NON_ADHERENT_SHIFT = 0.4  # ASSUMPTION
ACQ_ERROR_SHIFT = 0.3  # ASSUMPTION
ACQ_FRAILTY_SLOPE = 0.3  # ASSUMPTION: patients prone to exacerbations also score worse
# ASSUMPTION: ACT = 25.5 - 4 x ACQ + N(0, 1.5), rounded, clipped 5-25, so that the ACQ >=1.5 and
# ACT <=19 cut-offs of items 31 and 52 roughly agree.
ACT_INTERCEPT, ACT_SLOPE, ACT_SD = 25.5, -4.0, 1.5

# --- Exacerbations ---
# facts §C2: negative binomial, everyone >=2 in the prior year, about 36% >=3. Each patient's
# proneness is a gamma frailty with mean 1 (shape 3: ASSUMPTION); prior-year count =
# 2 + Poisson(0.481 x frailty), and (1 + 0.481/3)^-3 = 0.64 gives 36% with >=3 (derived).
FRAILTY_SHAPE = 3.0
PRIOR_MIN, PRIOR_EXTRA_MEAN = 2, 0.481
# facts items 37-42 and §C2: placebo rates 0.9-2.1 per year, higher with more eosinophils (QUEST
# placebo 1.08 with eosinophils >=300 vs 0.87 overall; NAVIGATOR 1.73 with <300 vs 2.10 overall).
# ASSUMPTION: untreated rate 1.2 per patient-year below 300/µL and x1.4 (1.68) at >=300/µL.
UNTREATED_RATE, HIGH_EOS_RATE_FACTOR = 1.2, 1.4
FOLLOW_UP_YEARS = (1.0, 2.0)  # ASSUMPTION: uniform follow-up of 1-2 years, to 0.1 year
# Rate ratio vs no biologic, (below 300/µL, at >=300/µL), from trials vs placebo:
RATE_RATIO = {
    "none": (1.0, 1.0),
    "omalizumab": (0.74, 0.74),  # facts item 37, INNOVATE: 0.68 vs 0.91 (-26%)
    "mepolizumab": (0.50, 0.50),  # facts item 38, MENSA (Ortega 2014): -47% IV and -53% SC
    # facts item 40: "up to 51%", the company's best-arm summary of SIROCCO/CALIMA (not a per-trial
    # rate ratio). ASSUMPTION: applied as 0.49 in every eosinophil stratum.
    "benralizumab": (0.49, 0.49),
    # facts item 41, QUEST: 0.34 at >=300 (0.37 vs 1.08) and 0.52 overall (0.46 vs 0.87).
    # ASSUMPTION: 0.66 below 300, so that this cohort's mix averages about 0.52.
    "dupilumab": (0.66, 0.34),
    # facts item 42, NAVIGATOR: 0.59 below 300 (1.02 vs 1.73) and 0.44 overall (0.93 vs 2.10).
    # ASSUMPTION: 0.30 at >=300, implied by both figures if about 40% of trial patients had >=300.
    "tezepelumab": (0.59, 0.30),
}
# facts §C2: "let anti-IL-5 effects fade as eosinophils fall below 150". ASSUMPTION: the log rate
# ratio of mepolizumab and benralizumab falls linearly from full at 150/µL to none at 75/µL.
ANTI_IL5 = ("mepolizumab", "benralizumab")
ANTI_IL5_FADE_EOS = (75, 150)
# facts §C2, teaching assumption (no source): smaller benefit with non-adherence, poor technique
# or smoking. ASSUMPTION: the log rate ratio is multiplied by 0.85 for each of the three present.
BENEFIT_KEPT_PER_ISSUE = 0.85
# facts item 37, INNOVATE: omalizumab is for allergic asthma with IgE 30-700 IU/mL.
OMALIZUMAB_IGE_RANGE = (30, 700)
# ASSUMPTION: how clinicians in this synthetic clinic choose a biologic, by eosinophil stratum
# (<150, 150-299, >=300). Omalizumab goes only to sensitised patients with IgE 30-700 IU/mL;
# others drawn for it get no biologic. Some anti-IL-5 use below 150/µL stands for choices made
# on an earlier, higher count.
BIOLOGIC_WEIGHTS = {
    "none": (0.30, 0.22, 0.17),
    "omalizumab": (0.25, 0.23, 0.18),
    "mepolizumab": (0.08, 0.17, 0.20),
    "benralizumab": (0.07, 0.13, 0.18),
    "dupilumab": (0.12, 0.13, 0.15),
    "tezepelumab": (0.18, 0.12, 0.12),
}
BIOLOGICS = tuple(BIOLOGIC_WEIGHTS)


def _allocate(gen: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """Exactly the given shares of ``n`` (largest remainder), in random order."""
    exact = np.array(list(shares.values()), dtype=float) / sum(shares.values()) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return gen.permutation(np.repeat(np.arange(len(shares)), counts))


def _flags(gen: np.random.Generator, share: float, n: int) -> np.ndarray:
    """A shuffled boolean array with exactly ``share`` of it True."""
    return _allocate(gen, {True: share, False: 1 - share}, n) == 0


def _normal_scores(x: np.ndarray) -> np.ndarray:
    """Ranks mapped to standard-normal quantiles, so the marginal shares land on their targets."""
    ranks = np.argsort(np.argsort(x))
    inv = NormalDist().inv_cdf
    return np.array([inv((r + 0.5) / len(x)) for r in ranks])


def _biomarkers(gen: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Blood eosinophils, FeNO, IgE and perennial sensitisation, correlated through a type-2 factor."""
    t2 = gen.standard_normal(n)

    def loaded(name):
        w = T2_LOADING[name]
        return w * t2 + np.sqrt(1 - w**2) * gen.standard_normal(n)

    eos = EOS_MEDIAN * np.exp(EOS_SIGMA * _normal_scores(loaded("eos")))
    feno = FENO_MEDIAN * np.exp(FENO_SIGMA * _normal_scores(loaded("feno")))
    z_ige = loaded("ige")
    sensitised_score = SENSITISED_IGE_LOADING * z_ige + np.sqrt(1 - SENSITISED_IGE_LOADING**2) * (
        gen.standard_normal(n))
    sensitised = np.zeros(n, bool)
    sensitised[np.argsort(-sensitised_score)[: round(SENSITISED_SHARE * n)]] = True
    return {
        "blood_eos_per_ul": (np.round(eos / EOS_ROUND) * EOS_ROUND).astype(int),
        "feno_ppb": np.maximum(np.round(feno), FENO_MIN).astype(int),
        "ige_iu_ml": np.maximum(np.round(IGE_MEDIAN * np.exp(IGE_SIGMA * z_ige)), 2).astype(int),
        "perennial_sensitised": sensitised,
    }


def eos_stratum(eos: np.ndarray) -> np.ndarray:
    """0, 1, 2 for blood eosinophils <150, 150-299 and >=300 cells/µL."""
    return np.searchsorted(EOS_STRATA, eos, side="right")


def _refill(gen: np.random.Generator, n: int) -> np.ndarray:
    """Prescription refill % in Gamble's three bands (exact shares), uniform inside each band."""
    bands = list(REFILL_BANDS)
    band = _allocate(gen, REFILL_BANDS, n)
    low, high = (np.array([bands[b][j] for b in band]) for j in (0, 1))
    return gen.integers(low, high + 1)


def _control(gen, smoker, non_adherent, error, frailty) -> tuple[np.ndarray, np.ndarray]:
    """ACQ (0-6, one decimal) and ACT (5-25) at the baseline clinic visit."""
    n = len(smoker)
    acq = (gen.normal(ACQ_BASE_MEAN, ACQ_BASE_SD, n) + ACQ_SMOKER_SHIFT * smoker
           + ACQ_NON_ADHERENT_SHIFT * non_adherent + ACQ_ERROR_SHIFT * error
           + ACQ_FRAILTY_SLOPE * (frailty - 1))
    acq = np.round(np.clip(acq, 0, 6), 1)
    act = np.clip(np.round(ACT_INTERCEPT + ACT_SLOPE * acq + gen.normal(0, ACT_SD, n)), 5, 25)
    return acq, act.astype(int)


def _choose_biologic(gen, stratum, ige, sensitised) -> np.ndarray:
    """A biologic per patient from the clinic's (assumed) weights for the eosinophil stratum."""
    weights = np.array([BIOLOGIC_WEIGHTS[b] for b in BIOLOGICS]).T[stratum]
    choice = np.array([gen.choice(len(BIOLOGICS), p=w) for w in weights])
    eligible = sensitised & (ige >= OMALIZUMAB_IGE_RANGE[0]) & (ige <= OMALIZUMAB_IGE_RANGE[1])
    choice[(choice == BIOLOGICS.index("omalizumab")) & ~eligible] = BIOLOGICS.index("none")
    return np.array(BIOLOGICS)[choice]


def _frailty(gen, groups: np.ndarray) -> np.ndarray:
    """Gamma frailty, rescaled to mean 1 inside each group so group rates are not luck."""
    frailty = gen.gamma(FRAILTY_SHAPE, 1 / FRAILTY_SHAPE, len(groups))
    for group in np.unique(groups):
        members = groups == group
        frailty[members] /= frailty[members].mean()
    return frailty


def rate_ratio(biologic: str, eos: float, issues: int) -> float:
    """The rate ratio vs no biologic the generator applies to one patient."""
    log_rr = np.log(RATE_RATIO[biologic][int(eos >= EOS_STRATA[1])])
    if biologic in ANTI_IL5:
        low, full = ANTI_IL5_FADE_EOS
        log_rr *= min(1.0, max(0.0, (eos - low) / (full - low)))
    return float(np.exp(log_rr * BENEFIT_KEPT_PER_ISSUE**issues))


def _events(gen, mean: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Counts whose total in each group is its expected total (rounded), shared out ∝ the means."""
    events = np.zeros(len(mean), int)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        total = int(round(mean[members].sum()))
        events[members] = gen.multinomial(total, mean[members] / mean[members].sum())
    return events


def _cohort_frame() -> pd.DataFrame:
    gen = rng(COHORT_SEED)
    n = COHORT_N
    age = np.clip(np.round(gen.normal(AGE_MEAN, AGE_SD, n)), *AGE_RANGE).astype(int)
    sex = np.where(_flags(gen, FEMALE_SHARE, n), "female", "male")
    bmi = np.round(np.clip(gen.normal(BMI_MEAN, BMI_SD, n), *BMI_RANGE), 1)
    smoker = _flags(gen, SMOKER_SHARE, n)
    high_dose = _flags(gen, HIGH_DOSE_ICS_SHARE, n)
    ocs = _flags(gen, MAINTENANCE_OCS_SHARE, n)
    fev1 = np.clip(np.round(gen.normal(FEV1_MEAN, FEV1_SD, n)), *FEV1_RANGE).astype(int)
    markers = _biomarkers(gen, n)
    eos, feno = markers["blood_eos_per_ul"], markers["feno_ppb"]
    t2_high = (eos >= T2_EOS_CUTOFF) | (feno >= T2_FENO_CUTOFF)
    refill = _refill(gen, n)
    error = _flags(gen, CRITICAL_ERROR_SHARE, n)
    stratum = eos_stratum(eos)
    biologic = _choose_biologic(gen, stratum, markers["ige_iu_ml"], markers["perennial_sensitised"])
    groups = np.char.add(biologic.astype(str), stratum.astype(str))
    frailty = _frailty(gen, groups)
    prior = PRIOR_MIN + gen.poisson(PRIOR_EXTRA_MEAN * frailty)
    acq, act = _control(gen, smoker, refill <= NON_ADHERENT_MAX_PCT, error, frailty)
    years = np.round(gen.uniform(*FOLLOW_UP_YEARS, n), 1)
    issues = (refill <= NON_ADHERENT_MAX_PCT).astype(int) + error + smoker
    untreated = UNTREATED_RATE * np.where(stratum == 2, HIGH_EOS_RATE_FACTOR, 1.0) * frailty
    ratio = np.array([rate_ratio(b, e, k) for b, e, k in zip(biologic, eos, issues, strict=True)])
    return pd.DataFrame({
        "patient_id": [f"SA{i:03d}" for i in range(1, n + 1)],
        "age_years": age,
        "sex": sex,
        "bmi_kg_m2": bmi,
        "smoker": smoker,
        "high_dose_ics": high_dose,
        "maintenance_ocs": ocs,
        "fev1_pct_predicted": fev1,
        **markers,
        "phenotype": np.where(t2_high, "T2-high", "T2-low"),
        "refill_adherence_pct": refill,
        "inhaler_critical_error": error,
        "acq_score": acq,
        "act_score": act,
        "exacerbations_prior_year": prior,
        "biologic": biologic,
        "follow_up_years": years,
        "exacerbations_on_treatment": _events(gen, untreated * ratio * years, groups),
    })


COLUMNS = {
    "patient_id": "synthetic patient identifier",
    "age_years": "age at the baseline clinic visit (years)",
    "sex": "`female` or `male`",
    "bmi_kg_m2": "body-mass index (kg/m²)",
    "smoker": "current smoker (True/False)",
    "high_dose_ics": "on high-dose inhaled corticosteroid (True/False)",
    "maintenance_ocs": "on maintenance oral corticosteroid (True/False)",
    "fev1_pct_predicted": "pre-bronchodilator FEV1 (% of predicted)",
    "blood_eos_per_ul": "blood eosinophil count (cells/µL), to the nearest 10",
    "feno_ppb": "fractional exhaled nitric oxide, FeNO (parts per billion)",
    "ige_iu_ml": "total serum IgE (IU/mL)",
    "perennial_sensitised": "sensitised to a perennial allergen (True/False)",
    "phenotype": "`T2-high` if blood eosinophils >=150/µL or FeNO >=20 ppb (GINA 2020 markers), "
                 "else `T2-low`",
    "refill_adherence_pct": "inhaled-steroid prescriptions filled as % of those prescribed (>100 = "
                            "more filled than prescribed)",
    "inhaler_critical_error": "made at least one critical error when using the inhaler (True/False)",
    "acq_score": "Asthma Control Questionnaire score (0-6; higher = worse; >=1.5 uncontrolled)",
    "act_score": "Asthma Control Test score (5-25; higher = better; <=19 not well controlled)",
    "exacerbations_prior_year": "severe exacerbations in the year before the baseline visit",
    "biologic": "biologic started at baseline: `none`, `omalizumab`, `mepolizumab`, "
                "`benralizumab`, `dupilumab` or `tezepelumab`",
    "follow_up_years": "years followed after the baseline visit",
    "exacerbations_on_treatment": "severe exacerbations counted during follow-up",
}


def build() -> list[Dataset]:
    """The synthetic dataset of chapter 5."""
    return [
        Dataset(
            name="ch05_clinic_cohort",
            title="A severe-asthma clinic: biomarkers, adherence, control scores, biologics and "
                  "exacerbations",
            frame=_cohort_frame(),
            how_made=(
                "500 adults referred to a severe-asthma clinic. Demographics, treatment and lung "
                "function follow the NAVIGATOR/PATHWAY baseline table; blood eosinophils and FeNO "
                "are log-normal with their shares in each band matched exactly, and correlate "
                "with IgE through one shared type-2 factor. Refill adherence follows Gamble's three "
                "bands. Each patient has an exacerbation proneness (gamma frailty) that sets the "
                "prior-year count (at least 2) and the untreated rate during 1-2 years of "
                "follow-up. A biologic is chosen with assumed weights by eosinophil stratum; its "
                "trial rate ratio (by stratum) multiplies the untreated rate, anti-IL-5 effects "
                "fade below 150/µL, and benefit shrinks with non-adherence, inhaler errors and "
                "smoking (an assumption). Each biologic-by-stratum group gets its expected number "
                "of exacerbations, shared out among its patients."),
            columns=COLUMNS,
            sources=[
                "Age N(50, 15.5), 64% female, BMI N(28.5, 6.7), high-dose ICS 70%, maintenance "
                "OCS 9%, FEV1 N(62, 17)% predicted: facts §C2 (NAVIGATOR/PATHWAY baseline, "
                "PMC10870853, a trial-enriched population rather than a clinic); clip ranges: "
                "ASSUMPTION.",
                "Blood eosinophils log-normal, median 260/µL, shares <150 25%, 150-300 32%, "
                "300-450 18%, >=450 25%; FeNO median 28 ppb, shares <25 44%, 25-50 28%, >=50 27%; "
                "IgE median 180 IU/mL; 61% sensitised: facts §C2. IgE spread and the correlation "
                "between markers: ASSUMPTION.",
                "Phenotype from blood eosinophils >=150/µL or FeNO >=20 ppb: facts item 35 (GINA "
                "2020). Other FeNO cut-offs (ATS 2011: <25 ppb low, >50 ppb high; 25 ppb in some "
                "trial analyses) serve other purposes and are not used here.",
                "Refill <=50% in 35%, 51-100% in 45%, >100% in 21%: facts item 48 (Gamble 2009); "
                "values inside each band: ASSUMPTION.",
                "Critical inhaler error 67%: facts item 50 (Perumal 2020, 357 patients with asthma "
                "or COPD using a pressurised metered-dose inhaler, not a severe-asthma clinic); "
                "applying it to this clinic: ASSUMPTION. Current smokers 15%: ASSUMPTION below the "
                "26% general-asthma figure of facts item 51.",
                "ACQ 0.7 higher in smokers: facts item 51 (Tiotiu 2021). Other ACQ shifts, the "
                "ACQ-ACT link and control cut-offs roughly agreeing (ACQ >=1.5, ACT <=19, facts "
                "items 31 and 52): ASSUMPTION.",
                "Prior-year exacerbations at least 2, about 36% with 3 or more: facts §C2; gamma "
                "frailty shape 3: ASSUMPTION.",
                "Untreated rate 1.2 per year below 300 eosinophils/µL, 1.68 at >=300: ASSUMPTION "
                "within the placebo rates 0.9-2.1 of facts items 37-42.",
                "Rate ratios vs no biologic: omalizumab 0.74 (item 37, INNOVATE), mepolizumab 0.50 "
                "(item 38, MENSA, Ortega 2014), benralizumab 0.49 (item 40, the company's best-arm "
                "summary \"up to 51%\" of SIROCCO/CALIMA, applied to every stratum: ASSUMPTION), "
                "dupilumab 0.34 at >=300/µL (item 41, QUEST), tezepelumab 0.59 below 300/µL (item "
                "42, NAVIGATOR). Dupilumab 0.66 below 300 and tezepelumab 0.30 at >=300 are "
                "ASSUMPTIONS chosen to match each trial's overall figure (0.52, 0.44).",
                "Anti-IL-5 effect fading below 150 eosinophils/µL: facts §C2; the fade (linear on "
                "the log scale, from full at 150/µL to none at 75/µL): ASSUMPTION.",
                "Smaller benefit (log rate ratio x0.85 for each of non-adherence, critical inhaler "
                "error, smoking): ASSUMPTION (facts §C2 teaching assumption, no source).",
                "Which patient gets which biologic, and follow-up of 1-2 years: ASSUMPTION; "
                "omalizumab only with IgE 30-700 IU/mL and sensitisation (facts item 37).",
            ],
        ),
    ]
