"""Chapter 3: a synthetic registry extract of acquired hemophilia A (AHA).

Parameters follow facts/hemophilia.md §9 and §12D; everything not given there is marked
``# ASSUMPTION:``.
"""

import numpy as np
import pandas as pd

from .core import Dataset, rng

SEED_REGISTRY = 3183  # chosen among seeds 3000-3199 as the draw closest to the targets
N_PATIENTS = 300  # facts/hemophilia.md §12D: "AHA registry extract (n≈300)"

# Etiology mix: facts/hemophilia.md §12D, EACH2 [R38] and pregnancy-related AHA [R41].
ETIOLOGY = {"idiopathic": 0.52, "malignancy": 0.12, "autoimmune": 0.12, "pregnancy": 0.08, "other": 0.16}
# Age: facts §12D [R37, R38]: median about 74-78, SD about 12; postpartum ages around 30 [R41].
AGE_MEDIAN, AGE_SD = 76.0, 12.0
# ASSUMPTION: postpartum ages normal with SD 4 around 31 ("ages around 30", §12D).
POSTPARTUM_AGE_MEAN, POSTPARTUM_AGE_SD = 31.0, 4.0
# Sex: facts §12D, about 53% male overall (EACH2 266/501 [R38]); every pregnancy case is
# female, so the male share among the others is 0.53 / 0.92 (derived).
MALE_SHARE_NON_PREGNANCY = 0.53 / 0.92
# Symptom at presentation: facts §9, about 10% present without bleeding [R43].
NO_BLEEDING_AT_PRESENTATION = 0.10
# ASSUMPTION: baseline FVIII log-normal, median 1.3 IU/dL, log-SD 1.0 (about 40% below
# 1 IU/dL); the fact sheet gives only the pregnancy median, 2.5 IU/dL [R41].
FVIII_MEDIAN_IU_DL, FVIII_LOG_SD = 1.3, 1.0
# Inhibitor titre: facts §12D, log-normal with median about 10-20 BU, range 0.7-2000 [R41, R47];
# the shape is an ASSUMPTION (median 15 BU, log-SD 1.3). Pregnancy: median 7.8 BU [R41].
TITER_MEDIAN_BU, TITER_MEDIAN_PREGNANCY_BU, TITER_LOG_SD = 15.0, 7.8, 1.3
TITER_RANGE_BU = (0.7, 2000.0)
# First-line hemostasis among bleeders: facts §9, EACH2 [R39]: 30% no treatment; agents used
# rFVIIa 56.7%, aPCC 20.5%, FVIII 18.2%, DDAVP 4.6%.
NO_HEMOSTATIC_TREATMENT = 0.30
AGENTS = {"rFVIIa": 0.567, "aPCC": 0.205, "FVIII": 0.182, "DDAVP": 0.046}
BYPASSING_AGENTS = ("rFVIIa", "aPCC")
# Bleeding control: facts §9 [R39]: 93.3% with bypassing agents vs 68.3% with FVIII/DDAVP
# (EACH2's propensity-score-matched figures; unmatched, 269/338 = 79.6% overall).
CONTROL_BYPASSING, CONTROL_FVIII_DDAVP = 0.933, 0.683
# Thrombosis: facts §9 [R39]: rFVIIa 2.9%, aPCC 4.8%, 3.6% overall.
# ASSUMPTION: FVIII/DDAVP get the overall 3.6%; untreated patients none.
THROMBOSIS = {"rFVIIa": 0.029, "aPCC": 0.048, "FVIII": 0.036, "DDAVP": 0.036, "none": 0.0}
# ASSUMPTION: regimen mix (the fact sheet gives outcomes by regimen, not how often each was used).
REGIMENS = {"steroids alone": 0.40, "steroids + cyclophosphamide": 0.40, "rituximab-based": 0.20}
# Stable complete remission by regimen: facts §9 and §12D, EACH2 [R40]: 48%, 70%, 59%.
REMISSION = {"steroids alone": 0.48, "steroids + cyclophosphamide": 0.70, "rituximab-based": 0.59}
# Time to remission: facts §9 [R40, R43]: about 5 weeks; rituximab regimens about twice as long.
# ASSUMPTION: log-normal with median 4 weeks at FVIII >= 1 IU/dL (about 5 weeks overall)
# and log-SD 0.5.
WEEKS_MEDIAN, WEEKS_LOG_SD, RITUXIMAB_TIME_FACTOR = 4.0, 0.5, 2.0
# Baseline FVIII <1 IU/dL: hazard ratio 0.52 (GTH-AH 01/2010 [R42], facts §9 and §12D); modelled
# as time multiplied by 1 / 0.52 (43 vs 24 days in the source, a ratio of 1.8).
LOW_FVIII_HAZARD_RATIO = 0.52
# ASSUMPTION: relapse in 15% of those in remission (facts §12D: 10-20% [R37, R51]).
RELAPSE = 0.15
# Death: facts §12D, Spanish registry all-cause 23.8% [R44]; every pregnancy case survived [R41],
# so the others die with probability 0.238 / 0.92 (derived). ASSUMPTION: independent of treatment.
DEATH_NON_PREGNANCY = 0.238 / 0.92

SOURCES = [
    "Etiology: idiopathic 52%, malignancy 12%, autoimmune 12%, pregnancy 8%, other 16% "
    "(facts/hemophilia.md §12D; EACH2 [R38], pregnancy-related AHA [R41]).",
    "Age: normal, median 76, SD 12 (facts §12D: median about 74-78 [R37, R38]); postpartum cases "
    "around 31 (ASSUMPTION: SD 4; facts §12D 'ages around 30').",
    "Sex: 53% male overall (EACH2 266/501 [R38]); all pregnancy cases female.",
    "No bleeding at presentation: 10% (facts §9, international recommendations [R43]).",
    "Baseline FVIII: ASSUMPTION, log-normal with median 1.3 IU/dL (about 40% below 1 IU/dL).",
    "Inhibitor titre: log-normal, median 15 BU (7.8 BU in pregnancy), clipped to 0.7-2000 BU "
    "(facts §12D [R41, R47]); the distribution's shape is an ASSUMPTION.",
    "First-line hemostatic agent among bleeders: none 30%; rFVIIa 56.7%, aPCC 20.5%, FVIII 18.2%, "
    "DDAVP 4.6% of the treated (facts §9, EACH2 [R39]).",
    "Bleeding controlled: 93.3% with bypassing agents, 68.3% with FVIII or DDAVP (EACH2 [R39], "
    "propensity-score-matched figures, used here for all patients).",
    "Thrombosis: rFVIIa 2.9%, aPCC 4.8% (EACH2 [R39]); FVIII and DDAVP 3.6% (ASSUMPTION: the "
    "overall EACH2 rate); none without a hemostatic agent (ASSUMPTION).",
    "Immunosuppression mix: ASSUMPTION, steroids alone 40%, steroids + cyclophosphamide 40%, "
    "rituximab-based 20%.",
    "Complete remission: 48% steroids alone, 70% steroids + cyclophosphamide, 59% rituximab-based "
    "(EACH2 [R40]).",
    "Time to remission: log-normal (ASSUMPTION: median 4 weeks, log-SD 0.5) so about 5 weeks overall "
    "(facts §9 [R40, R43]); x2 with rituximab-based regimens [R40]; x1/0.52 when baseline FVIII "
    "<1 IU/dL (hazard ratio 0.52 for partial remission, GTH-AH 01/2010 [R42]; ASSUMPTION: applied "
    "to complete remission and used as a time factor).",
    "Relapse after remission: 15% (ASSUMPTION within facts §12D's 10-20% [R37, R51]).",
    "Death: 23.8% overall (Spanish registry [R44]), none after pregnancy-related AHA [R41]; "
    "ASSUMPTION: independent of treatment.",
]

COLUMNS = {
    "patient_id": "synthetic patient identifier",
    "age_years": "age at diagnosis (years)",
    "sex": "`male` or `female`",
    "etiology": "underlying condition: idiopathic, malignancy, autoimmune, pregnancy (postpartum) or other",
    "bleeding_at_presentation": "1 if the patient was bleeding when AHA was diagnosed, else 0",
    "baseline_fviii_iu_dl": "factor VIII activity at diagnosis (IU/dL)",
    "inhibitor_titer_bu": "inhibitor titre at diagnosis, Nijmegen-Bethesda units (BU/mL)",
    "hemostatic_agent": "first-line hemostatic agent: none, rFVIIa, aPCC, FVIII or DDAVP",
    "bleeding_controlled": "1 if bleeding stopped with the first-line agent, 0 if not; blank if no agent",
    "thrombosis": "1 if a thrombosis occurred during hemostatic treatment, else 0",
    "immunosuppression": "first-line regimen: steroids alone, steroids + cyclophosphamide or rituximab-based",
    "complete_remission": "1 if a stable complete remission was reached, else 0",
    "time_to_remission_weeks": "weeks from starting immunosuppression to remission; blank if no remission",
    "relapse": "1 if the inhibitor came back after remission, 0 if not; blank if no remission",
    "died": "1 if the patient died during follow-up (any cause), else 0",
}

HOW_MADE = (
    "Each patient's etiology is drawn first (pregnancy cases are young women); age, sex, baseline "
    "FVIII and inhibitor titre follow. Bleeders get no hemostatic agent or one drawn from the EACH2 "
    "mix, and bleeding control and thrombosis depend on the agent. Each patient gets one "
    "immunosuppressive regimen; remission depends on the regimen, and the time to remission on "
    "the regimen and on whether baseline FVIII is below 1 IU/dL. Relapse and death are drawn last. "
    "Binary outcomes are 0/1; blanks mean 'does not apply'."
)


def _choice(gen: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    labels = list(weights)
    p = np.array([weights[k] for k in labels])
    return gen.choice(labels, size=n, p=p / p.sum())


def _demographics(gen: np.random.Generator, n: int) -> pd.DataFrame:
    etiology = _choice(gen, ETIOLOGY, n)
    pregnant = etiology == "pregnancy"
    age = np.where(pregnant, gen.normal(POSTPARTUM_AGE_MEAN, POSTPARTUM_AGE_SD, n),
                   gen.normal(AGE_MEDIAN, AGE_SD, n))
    male = ~pregnant & (gen.random(n) < MALE_SHARE_NON_PREGNANCY)
    titer_median = np.where(pregnant, TITER_MEDIAN_PREGNANCY_BU, TITER_MEDIAN_BU)
    return pd.DataFrame({
        "patient_id": [f"AHA{i:03d}" for i in range(1, n + 1)],
        "age_years": np.clip(np.round(age), 18, 99).astype(int),
        "sex": np.where(male, "male", "female"),
        "etiology": etiology,
        "bleeding_at_presentation": (gen.random(n) >= NO_BLEEDING_AT_PRESENTATION).astype(int),
        "baseline_fviii_iu_dl": np.clip(
            np.round(gen.lognormal(np.log(FVIII_MEDIAN_IU_DL), FVIII_LOG_SD, n), 1), 0.1, None),
        "inhibitor_titer_bu": np.round(
            np.clip(gen.lognormal(np.log(titer_median), TITER_LOG_SD), *TITER_RANGE_BU), 1),
    })


def _hemostasis(gen: np.random.Generator, bleeding: np.ndarray) -> dict[str, object]:
    n = len(bleeding)
    treated = bleeding & (gen.random(n) >= NO_HEMOSTATIC_TREATMENT)
    agent = np.where(treated, _choice(gen, AGENTS, n), "none")
    p_control = np.where(np.isin(agent, BYPASSING_AGENTS), CONTROL_BYPASSING, CONTROL_FVIII_DDAVP)
    controlled = (gen.random(n) < p_control).astype(int)
    thrombosis = gen.random(n) < np.array([THROMBOSIS[a] for a in agent])
    return {
        "hemostatic_agent": agent,
        "bleeding_controlled": pd.Series(controlled, dtype="Int64").where(treated),
        "thrombosis": thrombosis.astype(int),
    }


def _immunosuppression(gen: np.random.Generator, fviii: np.ndarray) -> dict[str, object]:
    n = len(fviii)
    regimen = _choice(gen, REGIMENS, n)
    remission = gen.random(n) < np.array([REMISSION[r] for r in regimen])
    median = (WEEKS_MEDIAN * np.where(regimen == "rituximab-based", RITUXIMAB_TIME_FACTOR, 1.0)
              * np.where(fviii < 1, 1 / LOW_FVIII_HAZARD_RATIO, 1.0))
    weeks = np.round(gen.lognormal(np.log(median), WEEKS_LOG_SD), 1)
    relapse = (gen.random(n) < RELAPSE).astype(int)
    return {
        "immunosuppression": regimen,
        "complete_remission": remission.astype(int),
        "time_to_remission_weeks": np.where(remission, weeks, np.nan),
        "relapse": pd.Series(relapse, dtype="Int64").where(remission),
    }


def aha_registry() -> Dataset:
    """Synthetic AHA registry extract (facts §12D)."""
    gen = rng(SEED_REGISTRY)
    frame = _demographics(gen, N_PATIENTS)
    frame = frame.assign(
        **_hemostasis(gen, frame["bleeding_at_presentation"].to_numpy() == 1),
        **_immunosuppression(gen, frame["baseline_fviii_iu_dl"].to_numpy()),
    )
    p_death = np.where(frame["etiology"] == "pregnancy", 0.0, DEATH_NON_PREGNANCY)
    frame["died"] = (gen.random(N_PATIENTS) < p_death).astype(int)
    return Dataset(
        name="ch03_aha_registry",
        title="Acquired hemophilia A registry extract (synthetic)",
        frame=frame,
        how_made=HOW_MADE,
        columns=COLUMNS,
        sources=SOURCES,
    )


def build() -> list[Dataset]:
    """The chapter's datasets."""
    return [aha_registry()]


ASSIGNMENT_DATA = {"ch03_acquired_hemophilia": ("ch03_aha_registry",)}
