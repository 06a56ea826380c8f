"""Chapter 4, aplastic anaemia: a cohort treated with immunosuppressive therapy (IST).

Every parameter names its source in the authors' fact sheet
``aplastic-anemia-and-severe-asthma.md`` (course notes kept outside this repository; every
study it cites is in ``book/references.bib``)
(section C1 and the numbered items of part A); teaching assumptions are marked ``# ASSUMPTION:``.
The data are synthetic, not patient data.
"""

from statistics import NormalDist

import numpy as np
import pandas as pd

from .core import Dataset, rng

ASSIGNMENT_DATA = {"ch04_aplastic_anaemia": ("ch04_ist_cohort",)}

SEED = 4001
N = 200  # facts C1: about 200 patients

# --- Age: facts C1 and items 3-4 (biphasic age distribution, median age 60 in Sweden) ---
AGE_COMPONENTS = {"young": (0.40, 20.0, 6.0), "old": (0.60, 62.0, 10.0)}  # share, mean, SD (C1)
AGE_RANGE = (2, 90)  # facts C1: clipped 2-90 years

# --- Blood counts and marrow (units: 10^9/L; 0.5 x 10^9/L = 500/uL) ---
# ASSUMPTION: VSAA 35% with ANC <0.2 (facts C1 suggests ~35%; published shares vary by cohort);
# SAA ANC uniform 0.2-0.5 x 10^9/L (facts C1).
# ASSUMPTION: 10% moderate disease (ANC 0.5-1.5) so that the non-severe class exists (item 30).
# Values: band share, ANC range in 0.01 x 10^9/L steps (inclusive).
ANC_BANDS = {"very_severe": (0.35, 1, 19), "severe": (0.55, 20, 49), "moderate": (0.10, 50, 150)}
# facts C1: platelets log-normal, median ~12 x 10^9/L (Korean cohort, PMC3389061).
# ASSUMPTION: spread 0.6 (log scale); moderate disease median 35 x 10^9/L, spread 0.4.
PLATELET_MEDIAN, PLATELET_SIGMA = 12.0, 0.6
MODERATE_PLATELET_MEDIAN, MODERATE_PLATELET_SIGMA = 35.0, 0.4
# facts C1 and item 8: reticulocytes log-normal with ~40% >= 25 x 10^9/L; lymphocytes ~50% >= 1.
# ASSUMPTION: log-scale spreads 0.8 (reticulocytes) and 0.5 (lymphocytes); medians solved below.
RETIC_CUT, RETIC_SHARE_ABOVE, RETIC_SIGMA = 25.0, 0.40, 0.8
LYMPH_CUT, LYMPH_SHARE_ABOVE, LYMPH_SIGMA = 1.0, 0.50, 0.5
# ASSUMPTION: marrow cellularity (%) uniform 5-24 in severe disease and 10-40 in moderate disease.
CELLULARITY_SEVERE, CELLULARITY_MODERATE = (5, 24), (10, 40)

# --- Modified Camitta criteria: facts item 1 (Killick 2016, BSH) and item 2 ---
CELLULARITY_MAX_PCT = 25  # item 1: cellularity <25%
ANC_SEVERE, ANC_VERY_SEVERE = 0.5, 0.2  # item 1: neutrophils <500/uL; <200/uL for VSAA
PLATELETS_SEVERE = 20.0  # item 1: platelets <20,000/uL
# item 2: <60 x 10^9/L with automated counting (as in RACE, NCT02099747); the classic manual
# threshold is 20 x 10^9/L. The synthetic counts are automated counts.
RETICS_SEVERE_AUTOMATED = 60.0

# --- Markers ---
PNH_SHARE, PNH_MEDIAN_PCT = 0.40, 9.7  # item 19: 83/207 (40%), median clone 9.7%
PNH_SIGMA = float(np.log(29 / 3.5) / 1.349)  # item 19: IQR 3.5-29% -> log-normal spread (derived)
# facts C1, items 14 and 20: ~30% carry somatic mutations at baseline, BCOR/BCORL1 vs
# DNMT3A/ASXL1 about 1:1.
MUTATION_SHARE = {"none": 0.70, "BCOR/BCORL1": 0.15, "DNMT3A/ASXL1": 0.15}
# facts C1, items 5 and 17: telomere percentile for age uniform 1-99, plus a few germline
# telomere biology disorders below the 1st percentile. ASSUMPTION: 3% of the cohort.
TELOMERE_RANGE, TBD_SHARE, TBD_RANGE = (1.0, 99.0), 0.03, (0.1, 0.9)

# --- Treatment and response at 6 months ---
# ASSUMPTION: three arms allocated 1:1:1 at random, so that arms can be compared fairly.
ARMS = ("horse_atg", "horse_atg_eltrombopag", "rabbit_atg")
# Overall response at 6 months. item 6: rabbit ATG 37%. ASSUMPTION: horse ATG 60% (facts C1
# range 41% (RACE, item 14) to 68% (item 6)); + eltrombopag 80% (C1 range 68% (RACE) to 94%
# (Townsley cohort 3, item 12)).
RESPONSE_6M = {"horse_atg": 0.60, "horse_atg_eltrombopag": 0.80, "rabbit_atg": 0.37}
# item 8: reticulocytes >=25 and lymphocytes >=1 x 10^9/L: 83% vs 41% -> log odds ratio (derived).
GOOD_COUNTS_LOG_OR = float(np.log(0.83 / 0.17) - np.log(0.41 / 0.59))
# items 8 and 14: younger age predicts response; RACE: <40 years responded better.
# ASSUMPTION: odds ratio 0.5 above 40 years.
OLDER_AGE, OLDER_LOG_OR = 40, float(np.log(0.5))
# item 17: in adults telomere length is not linked to response (no term). item 18: in children a
# telomere length below -1.0 SD (about the 16th percentile) gave HR 22.0 for non-response.
# ASSUMPTION: odds ratio 0.1 for children (<18 years) below the 16th percentile.
CHILD_AGE, CHILD_SHORT_TELOMERE_PCTL = 18, 100 * NormalDist().cdf(-1.0)
CHILD_SHORT_TELOMERE_LOG_OR = float(np.log(0.1))

# --- Response at 3 months (a subset of the 6-month responders: responses are slow, item 9) ---
# Share of 6-month responders already responding at 3 months: eltrombopag 80/87 (Townsley all
# cohorts, item 12); rabbit ATG 37/52 (90 vs 180 days, item 9). ASSUMPTION: horse ATG 0.6 (RACE's
# median time to first response 8.8 vs 3.0 months, item 14).
BY_3M_SHARE = {"horse_atg": 0.6, "horse_atg_eltrombopag": 80 / 87, "rabbit_atg": 37 / 52}
# item 14, RACE: complete response at 3 months 10% vs 22%. ASSUMPTION: rabbit ATG 5%.
COMPLETE_3M = {"horse_atg": 0.10, "horse_atg_eltrombopag": 0.22, "rabbit_atg": 0.05}

# --- Follow-up over 4 years ---
# item 11: 39% of responders relapse by 4 years (NIH IST + eltrombopag cohort; applied to every arm:
# ASSUMPTION). item 17: longer telomeres, less relapse (HR 0.16).
# ASSUMPTION: the HR compares the three longer quartiles with the shortest, proportional hazards.
RELAPSE_4Y, RELAPSE_LONG_TELOMERE_HR = 0.39, 0.16
# item 17: clonal evolution 24.5% in the shortest telomere quartile vs 8.4% in the others;
# monosomy 7 or complex karyotype 18.8% vs 4.5%.
EVOLUTION = {True: 0.245, False: 0.084}
MONOSOMY7_OR_COMPLEX = {True: 0.188, False: 0.045}
# facts C1 and item 20: DNMT3A/ASXL1 clones expand and predict faster MDS/AML.
# ASSUMPTION: odds ratio 3 for evolution, inside each telomere group (whose rates stay as above).
EVOLUTION_MUTATION_FACTOR = {"none": 1.0, "BCOR/BCORL1": 1.0, "DNMT3A/ASXL1": 3.0}


def classify_severity(anc: float, platelets: float, retics: float, cellularity: float) -> str:
    """Modified Camitta class from counts in 10^9/L (automated reticulocytes) and cellularity in %.

    Simplified: the second marrow route of the criteria (25-50% cellularity with <30% residual
    haematopoietic cells) needs a measurement the table does not have.
    """
    low_counts = (anc < ANC_SEVERE) + (platelets < PLATELETS_SEVERE) + (retics < RETICS_SEVERE_AUTOMATED)
    if cellularity >= CELLULARITY_MAX_PCT or low_counts < 2:
        return "NSAA"
    return "VSAA" if anc < ANC_VERY_SEVERE else "SAA"


def _allocate(gen: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """Exactly the given shares of ``n`` (largest remainder), in random order."""
    exact = np.array(list(shares.values())) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return gen.permutation(np.repeat(list(shares), counts))


def _bisect(f, low: float, high: float) -> float:
    """The root of an increasing function ``f`` between ``low`` and ``high``."""
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if f(mid) < 0 else (low, mid)
    return (low + high) / 2


def _exact(gen: np.random.Generator, share: float, log_odds: np.ndarray) -> np.ndarray:
    """Exactly ``share`` of the rows True: those with the highest log odds plus logistic noise.

    This is a logistic model whose threshold is set so the rate lands exactly on its target.
    """
    latent = np.asarray(log_odds, float) + gen.logistic(size=len(log_odds))
    chosen = np.zeros(len(latent), bool)
    chosen[np.argsort(-latent)[: round(share * len(latent))]] = True
    return chosen


def _within(gen: np.random.Generator, groups: np.ndarray, shares: dict, log_odds: np.ndarray) -> np.ndarray:
    """``_exact`` applied group by group, each group with its own share."""
    result = np.zeros(len(groups), bool)
    for group, share in shares.items():
        rows = groups == group
        result[rows] = _exact(gen, share, log_odds[rows])
    return result


def _lognormal_median(cut: float, share_above: float, sigma: float) -> float:
    """Median of a log-normal with ``share_above`` of its mass above ``cut``."""
    return cut * float(np.exp(-sigma * NormalDist().inv_cdf(1 - share_above)))


def _relapse_risks() -> tuple[float, float]:
    """4-year relapse risk (shortest telomere quartile, others) from the overall risk and HR."""
    def overall(survival_short):
        return 0.25 * (1 - survival_short) + 0.75 * (1 - survival_short ** RELAPSE_LONG_TELOMERE_HR)
    survival_short = _bisect(lambda s: RELAPSE_4Y - overall(s), 0.0, 1.0)
    return 1 - survival_short, 1 - survival_short ** RELAPSE_LONG_TELOMERE_HR


def _ages(gen: np.random.Generator) -> np.ndarray:
    component = _allocate(gen, {k: v[0] for k, v in AGE_COMPONENTS.items()}, N)
    mean = np.array([AGE_COMPONENTS[c][1] for c in component])
    sd = np.array([AGE_COMPONENTS[c][2] for c in component])
    return np.clip(np.round(gen.normal(mean, sd)), *AGE_RANGE).astype(int)


def _counts(gen: np.random.Generator) -> pd.DataFrame:
    """Baseline blood counts (10^9/L) and marrow cellularity (%)."""
    band = _allocate(gen, {k: v[0] for k, v in ANC_BANDS.items()}, N)
    anc = np.array([gen.integers(ANC_BANDS[b][1], ANC_BANDS[b][2] + 1) for b in band]) / 100
    moderate = band == "moderate"
    platelets = np.where(moderate,
                         gen.lognormal(np.log(MODERATE_PLATELET_MEDIAN), MODERATE_PLATELET_SIGMA, N),
                         gen.lognormal(np.log(PLATELET_MEDIAN), PLATELET_SIGMA, N))
    retic_median = _lognormal_median(RETIC_CUT, RETIC_SHARE_ABOVE, RETIC_SIGMA)
    lymph_median = _lognormal_median(LYMPH_CUT, LYMPH_SHARE_ABOVE, LYMPH_SIGMA)
    cellularity = np.where(moderate, gen.integers(CELLULARITY_MODERATE[0], CELLULARITY_MODERATE[1] + 1, N),
                           gen.integers(CELLULARITY_SEVERE[0], CELLULARITY_SEVERE[1] + 1, N))
    return pd.DataFrame({
        "anc_10e9_l": anc,
        "platelets_10e9_l": np.maximum(np.round(platelets), 1).astype(int),
        "reticulocytes_10e9_l": np.round(gen.lognormal(np.log(retic_median), RETIC_SIGMA, N), 1),
        "lymphocytes_10e9_l": np.round(gen.lognormal(np.log(lymph_median), LYMPH_SIGMA, N), 2),
        "marrow_cellularity_pct": cellularity,
    })


def _markers(gen: np.random.Generator) -> pd.DataFrame:
    """PNH clone, telomere percentile for age and somatic mutation group."""
    pnh = _allocate(gen, {True: PNH_SHARE, False: 1 - PNH_SHARE}, N).astype(bool)
    clone = np.clip(np.round(gen.lognormal(np.log(PNH_MEDIAN_PCT), PNH_SIGMA, N), 1), 0.1, 99.0)
    tbd = _allocate(gen, {True: TBD_SHARE, False: 1 - TBD_SHARE}, N).astype(bool)
    telomere = np.round(np.where(tbd, gen.uniform(*TBD_RANGE, N), gen.uniform(*TELOMERE_RANGE, N)), 1)
    quartile = pd.qcut(telomere, 4, labels=False)
    return pd.DataFrame({
        "pnh_clone": pnh,
        "pnh_clone_pct": pd.Series(clone).where(pnh),
        "telomere_percentile": telomere,
        "short_telomeres": quartile == 0,
        "somatic_mutation_group": _allocate(gen, MUTATION_SHARE, N),
    })


def _responses(gen: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Response at 6 and 3 months, per arm, from baseline counts, age and (in children) telomeres."""
    good = (df.reticulocytes_10e9_l >= RETIC_CUT) & (df.lymphocytes_10e9_l >= LYMPH_CUT)
    child_short = (df.age_years < CHILD_AGE) & (df.telomere_percentile < CHILD_SHORT_TELOMERE_PCTL)
    log_odds = (GOOD_COUNTS_LOG_OR * good + OLDER_LOG_OR * (df.age_years > OLDER_AGE)
                + CHILD_SHORT_TELOMERE_LOG_OR * child_short).to_numpy(float)
    arm = df.treatment_arm.to_numpy()
    response_6m = _within(gen, arm, RESPONSE_6M, log_odds)
    responded_3m, complete = np.zeros(N, bool), np.zeros(N, bool)
    responded_3m[response_6m] = _within(gen, arm[response_6m], BY_3M_SHARE, np.zeros(N)[response_6m])
    complete_if_3m = {a: COMPLETE_3M[a] / (RESPONSE_6M[a] * BY_3M_SHARE[a]) for a in ARMS}
    complete[responded_3m] = _within(gen, arm[responded_3m], complete_if_3m, np.zeros(N)[responded_3m])
    return pd.DataFrame({
        "response_3m": np.select([complete, responded_3m], ["complete", "partial"], "none"),
        "response_6m": response_6m,
    })


def _follow_up(gen: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Relapse among responders and clonal evolution in everyone, over 4 years."""
    short = df.short_telomeres.to_numpy()
    responders = df.response_6m.to_numpy()
    relapse = np.zeros(N, bool)
    relapse_short, relapse_long = _relapse_risks()
    relapse[responders] = _within(gen, short[responders], {True: relapse_short, False: relapse_long},
                                  np.zeros(responders.sum()))
    mutation_log_odds = np.log(df.somatic_mutation_group.map(EVOLUTION_MUTATION_FACTOR).to_numpy(float))
    evolution = _within(gen, short, EVOLUTION, mutation_log_odds)
    high_risk = np.zeros(N, bool)
    high_risk_if_evolved = {s: MONOSOMY7_OR_COMPLEX[s] / EVOLUTION[s] for s in EVOLUTION}
    high_risk[evolution] = _within(gen, short[evolution], high_risk_if_evolved, np.zeros(evolution.sum()))
    return pd.DataFrame({
        "relapse": pd.Series(relapse, dtype="boolean").where(df.response_6m),
        "clonal_evolution": evolution,
        "monosomy7_or_complex": high_risk,
    })


def _cohort() -> pd.DataFrame:
    gen = rng(SEED)
    df = pd.concat([pd.DataFrame({"patient_id": [f"AA{i:03d}" for i in range(1, N + 1)],
                                  "age_years": _ages(gen)}),
                    _counts(gen)], axis=1)
    rule_inputs = df[["anc_10e9_l", "platelets_10e9_l", "reticulocytes_10e9_l", "marrow_cellularity_pct"]]
    df["severity"] = [classify_severity(*row) for row in rule_inputs.itertuples(index=False)]
    df = pd.concat([df, _markers(gen)], axis=1)
    df["treatment_arm"] = _allocate(gen, dict.fromkeys(ARMS, 1 / 3), N)
    df = pd.concat([df, _responses(gen, df)], axis=1)
    return pd.concat([df, _follow_up(gen, df)], axis=1)


COLUMNS = {
    "patient_id": "synthetic patient identifier",
    "age_years": "age at diagnosis (years)",
    "anc_10e9_l": "absolute neutrophil count before treatment (10^9/L; 0.5 = 500/µL)",
    "platelets_10e9_l": "platelet count before treatment (10^9/L; 20 = 20,000/µL)",
    "reticulocytes_10e9_l": "reticulocyte count before treatment, automated counting (10^9/L)",
    "lymphocytes_10e9_l": "lymphocyte count before treatment (10^9/L)",
    "marrow_cellularity_pct": "bone marrow cellularity on biopsy (%)",
    "severity": "modified Camitta class, `NSAA`, `SAA` or `VSAA`, derived from the five columns "
                "before it (automated reticulocyte threshold 60 x 10^9/L; cellularity <25% only)",
    "pnh_clone": "a PNH clone was detected before treatment (True/False)",
    "pnh_clone_pct": "PNH clone size (% of granulocytes); empty if no clone",
    "telomere_percentile": "leukocyte telomere length as a percentile for age (below 1 = below the "
                           "1st percentile)",
    "short_telomeres": "telomere length in the shortest quartile of this cohort (True/False)",
    "somatic_mutation_group": "somatic mutations before treatment: `none`, `BCOR/BCORL1` or "
                              "`DNMT3A/ASXL1`",
    "treatment_arm": "`horse_atg` (horse ATG + ciclosporin), `horse_atg_eltrombopag` (the same plus "
                     "eltrombopag) or `rabbit_atg` (rabbit ATG + ciclosporin)",
    "response_3m": "haematological response at 3 months: `none`, `partial` or `complete`",
    "response_6m": "overall (partial or complete) response at 6 months (True/False); False = refractory",
    "relapse": "relapse within 4 years (True/False); empty for patients who did not respond by 6 months",
    "clonal_evolution": "clonal evolution (MDS, AML or a new cytogenetic abnormality) within 4 years "
                        "(True/False)",
    "monosomy7_or_complex": "clonal evolution to monosomy 7 or a complex karyotype within 4 years "
                            "(True/False)",
}


def build() -> list[Dataset]:
    """The synthetic dataset of chapter 4."""
    return [
        Dataset(
            name="ch04_ist_cohort",
            title="Aplastic anaemia treated with immunosuppressive therapy: baseline, response, follow-up",
            frame=_cohort(),
            how_made=(
                "200 patients are given an age (two age peaks), baseline blood counts and marrow "
                "cellularity, from which the modified Camitta severity class is derived with the "
                "rule the assignment asks for. Each gets a PNH clone (40%), a telomere percentile "
                "for age and a somatic mutation group, and one of three IST arms at random (1:1:1). "
                "Response at 6 months comes from a logistic model whose threshold is set so each "
                "arm reaches exactly its target response rate: good baseline counts raise the odds, "
                "age over 40 lowers them; telomere length plays no part in adults (in children, "
                "short telomeres lower the odds). "
                "Responses at 3 months are a subset of those at 6 months. Over 4 years, responders "
                "may relapse (more often with short telomeres), and anyone may show clonal "
                "evolution (more often with short telomeres or DNMT3A/ASXL1 mutations). Nobody "
                "dies or is lost to follow-up, and nobody is transplanted: simplifications."),
            columns=COLUMNS,
            sources=[
                "Age: 40% N(20, 6) and 60% N(62, 10), clipped 2-90 years: facts C1, items 3-4.",
                "ANC: 35% below 0.2 (very severe share: ASSUMPTION, as suggested in facts C1; published "
                "shares vary by cohort), 55% 0.2-0.49 x 10^9/L: facts C1; 10% moderate disease "
                "(ANC 0.5-1.5) and the marrow cellularity ranges: ASSUMPTION.",
                "Platelets log-normal, median 12 x 10^9/L: facts C1 (PMC3389061); spreads and the "
                "moderate-disease median 35: ASSUMPTION.",
                "Reticulocytes 40% >= 25 and lymphocytes 50% >= 1 x 10^9/L: facts C1, item 8; "
                "log-normal spreads: ASSUMPTION.",
                "Severity: modified Camitta criteria, facts item 1 (Killick 2016); automated "
                "reticulocyte threshold 60 x 10^9/L as in RACE: item 2.",
                "PNH clone in 40%, median size 9.7% (IQR 3.5-29): facts item 19.",
                "Somatic mutations in 30%, BCOR/BCORL1 : DNMT3A/ASXL1 = 1:1: facts C1, items 14, 20.",
                "Telomere percentile uniform 1-99: facts C1; 3% below the 1st percentile "
                "(germline telomere biology disorders, item 5): share is an ASSUMPTION.",
                "Arms 1:1:1: ASSUMPTION. 6-month response: rabbit ATG 37% (item 6); horse ATG "
                "60% and horse ATG + eltrombopag 80%, chosen inside the ranges of items 6, 12 and "
                "14: ASSUMPTION.",
                "Good baseline counts (reticulocytes >= 25 and lymphocytes >= 1 x 10^9/L) odds "
                "ratio from 83% vs 41%: item 8; age over 40, odds ratio 0.5: ASSUMPTION (direction "
                "from items 8 and 14).",
                "No telomere effect on response in adults: item 17. Children with telomeres below "
                "the 16th percentile (-1 SD): odds ratio 0.1 (direction from item 18; strength an "
                "ASSUMPTION).",
                "Share of 6-month responders already responding at 3 months: 80/87 with "
                "eltrombopag (item 12), 37/52 with rabbit ATG (item 9), 0.6 with horse ATG "
                "(ASSUMPTION, item 14). Complete response at 3 months 10% vs 22%: RACE, item 14; "
                "5% with rabbit ATG: ASSUMPTION.",
                "Relapse 39% of responders by 4 years: item 11 (NIH cohort treated with IST plus "
                "eltrombopag; applied to every arm: ASSUMPTION); HR 0.16 for longer telomeres: "
                "item 17 (applied to the three longer quartiles: ASSUMPTION).",
                "Clonal evolution 24.5% vs 8.4%, monosomy 7 or complex karyotype 18.8% vs 4.5% "
                "(shortest telomere quartile vs the rest): item 17; counting them over 4 years: "
                "ASSUMPTION. DNMT3A/ASXL1 triples the odds: ASSUMPTION (direction from reviews, "
                "item 20).",
            ],
        ),
    ]
