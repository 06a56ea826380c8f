"""Chapter 1, hemophilia and its treatment: a clinic's patients and their bleeding log.

Three regimens (on-demand factor VIII, factor VIII prophylaxis, emicizumab) with bleed rates
calibrated to trial arms. Every parameter names its source in ``../shared/facts/hemophilia.md``
(section and [R#]); teaching assumptions are marked ``# ASSUMPTION:``. Synthetic, not patient data.
"""

import numpy as np
import pandas as pd

from .core import Dataset, rng

ASSIGNMENT_DATA = {"ch01_hemophilia": ("ch01_patients", "ch01_bleeding_log")}

PATIENTS_SEED = 1001
BLEEDS_SEED = 1002
N_PER_REGIMEN = 100  # ASSUMPTION: 100 patients per regimen keeps the teaching rates stable
# Target ABR (bleeds per year) of patients with severe hemophilia A, and the negative-binomial
# dispersion k of their bleed rates (smaller k = more spread between patients).
REGIMENS = {
    # facts §6, HAVEN 3 no-prophylaxis arm (episodic factor VIII): ABR 38.2 [R25]; BASIS on-demand
    # 38 [R31]. facts §12C: k≈8 (derived from 0% with zero bleeds).
    "on_demand": (38.2, 8.0),
    # BASIS lead-in, routine prophylaxis with factor VIII OR IX (n = 83; severe hemophilia A and
    # moderately severe to severe B): estimated ABR 7.85 [R31; Matino 2025]. The fact sheet's
    # "factor VIII prophylaxis" is wrong. ASSUMPTION: this rate stands for factor VIII prophylaxis
    # in this clinic of hemophilia A. ASSUMPTION: k = 1.0 (no zero-bleed share is given).
    "fviii_prophylaxis": (7.85, 1.0),
    # facts §6, HAVEN 3 weekly emicizumab: ABR 1.5 [R25]. facts §12C: k≈1.6 (56% with zero bleeds).
    "emicizumab": (1.5, 1.6),
}
# ASSUMPTION: one patient in five has moderate hemophilia (factor 1-5 IU/dL).
MODERATE_SHARE = 0.2
# ASSUMPTION: moderate patients bleed half as often as severe ones on the same regimen. Only the
# direction is sourced: factor levels above 1% reduce bleeding (facts §1, WFH e-learning [R1c]).
MODERATE_RATE_RATIO = 0.5
# facts §1, severity by factor level [R3]: severe <1, moderate 1-5 IU/dL. ASSUMPTION: levels
# uniform within these ranges, in steps of 0.1 IU/dL.
FACTOR_RANGE_IU_DL = {"severe": (0.1, 0.9), "moderate": (1.0, 5.0)}
# facts §12C: 24-week (168-day) observation windows. ASSUMPTION: follow-up uniform from 24 weeks
# to one year, so that counts must be annualised before patients can be compared.
DAYS_OBSERVED_RANGE = (168, 365)
DAYS_PER_YEAR = 365.25  # facts §11: ABR = bleeds / observed years [R27, R33]
# facts §4, PedNet: joint ABR 2.6 of a total ABR 6.1 (43%) before ITI [R20]. ASSUMPTION: the same
# joint share on every regimen; muscle 25% and other sites the rest.
SITE_SHARE = {"joint": round(2.6 / 6.1, 3), "muscle": 0.25}
SITE_SHARE["other"] = round(1 - sum(SITE_SHARE.values()), 3)
# ASSUMPTION: 90% of bleeds are treated; untreated bleeds still count (facts §11, PhenX:
# ABR from bleed counts, not infusions [R50]).
TREATED_SHARE = 0.9

SOURCES = [
    "Target ABRs, severe patients: on-demand 38.2 (HAVEN 3 no-prophylaxis arm, facts §6 [R25]; "
    "BASIS on-demand 38, facts §7 [R31]); factor VIII prophylaxis 7.85 (BASIS lead-in on routine "
    "prophylaxis with factor VIII or IX, in hemophilia A or B, facts §7 [R31] and Matino 2025; "
    "using it for factor VIII prophylaxis in hemophilia A is an ASSUMPTION); emicizumab weekly "
    "1.5 (HAVEN 3, facts §6 [R25]).",
    "Negative-binomial dispersion k: on-demand 8 and emicizumab 1.6 (derived in facts §12C from "
    "HAVEN 3 zero-bleed shares [R25]); factor VIII prophylaxis 1.0 is an ASSUMPTION.",
    "Severity classes by factor level: severe <1, moderate 1-5 IU/dL (facts §1 [R3]). ASSUMPTION: "
    "20% moderate, levels uniform within each class.",
    "ASSUMPTION: moderate patients bleed at half the rate of severe ones (only the direction is "
    "sourced: factor above 1% reduces bleeding, facts §1 [R1c]).",
    "Observation 168-365 days (24-week windows, facts §12C; the spread is an ASSUMPTION); "
    "ABR = bleeds / observed years with 365.25 days per year (facts §11).",
    "Bleed sites: joint 42.6% (PedNet joint ABR 2.6 of 6.1, facts §4 [R20], measured in children "
    "with inhibitors before immune tolerance induction; applying it to this clinic is an "
    "ASSUMPTION); muscle 25% and other 32.4% are an ASSUMPTION, as is the same mix on every "
    "regimen.",
    "ASSUMPTION: 90% of bleeds treated. Untreated bleeds are logged and counted (facts §11, PhenX "
    "[R50]: ABR from bleed counts, not infusions).",
]


def _patients() -> pd.DataFrame:
    """One row per patient: regimen, severity, factor level, days observed."""
    gen = rng(PATIENTS_SEED)
    n = N_PER_REGIMEN * len(REGIMENS)
    regimen = gen.permutation(np.repeat(list(REGIMENS), N_PER_REGIMEN))
    moderate = gen.random(n) < MODERATE_SHARE
    severity = np.where(moderate, "moderate", "severe")
    tenths = {s: (round(lo * 10), round(hi * 10)) for s, (lo, hi) in FACTOR_RANGE_IU_DL.items()}
    level = np.array([gen.integers(tenths[s][0], tenths[s][1] + 1) / 10 for s in severity])
    days = gen.integers(DAYS_OBSERVED_RANGE[0], DAYS_OBSERVED_RANGE[1] + 1, n)
    return pd.DataFrame({
        "patient_id": [f"P{i:03d}" for i in range(1, n + 1)],
        "regimen": regimen,
        "severity": severity,
        "factor_level_iu_dl": level,
        "days_observed": days,
    })


def _bleed_counts(gen: np.random.Generator, patients: pd.DataFrame) -> np.ndarray:
    """Negative-binomial counts: a gamma-distributed rate per patient, then Poisson bleeds."""
    target = patients["regimen"].map(lambda r: REGIMENS[r][0]).to_numpy()
    k = patients["regimen"].map(lambda r: REGIMENS[r][1]).to_numpy()
    ratio = np.where(patients["severity"] == "moderate", MODERATE_RATE_RATIO, 1.0)
    rate = gen.gamma(k, target * ratio / k)
    return gen.poisson(rate * patients["days_observed"].to_numpy() / DAYS_PER_YEAR)


def _bleeding_log(patients: pd.DataFrame) -> pd.DataFrame:
    """One row per bleed: patient, regimen, study day, site, treated or not."""
    gen = rng(BLEEDS_SEED)
    counts = _bleed_counts(gen, patients)
    rows = patients.loc[patients.index.repeat(counts), ["patient_id", "regimen", "days_observed"]]
    day = gen.integers(1, rows["days_observed"].to_numpy() + 1)
    log = pd.DataFrame({
        "patient_id": rows["patient_id"].to_numpy(),
        "regimen": rows["regimen"].to_numpy(),
        "study_day": day,
        "site": gen.choice(list(SITE_SHARE), size=len(rows), p=list(SITE_SHARE.values())),
        "treated": gen.random(len(rows)) < TREATED_SHARE,
    })
    return log.sort_values(["patient_id", "study_day"], kind="stable").reset_index(drop=True)


def build() -> list[Dataset]:
    patients = _patients()
    log = _bleeding_log(patients)
    return [
        Dataset(
            name="ch01_patients",
            title="A clinic's patients with hemophilia A on three regimens",
            frame=patients,
            how_made=(
                f"{N_PER_REGIMEN} synthetic males with hemophilia A per regimen (on-demand factor VIII, "
                "factor VIII prophylaxis, emicizumab). Each has a severity class (80% severe, 20% "
                "moderate), a baseline factor VIII level drawn within that class, and a follow-up of "
                "168-365 days. Patients with no bleeds appear here but not in the bleeding log."
            ),
            columns={
                "patient_id": "patient identifier (P001...), key to ch01_bleeding_log",
                "regimen": "on_demand, fviii_prophylaxis or emicizumab",
                "severity": "severe (factor <1 IU/dL) or moderate (1-5 IU/dL)",
                "factor_level_iu_dl": "baseline factor VIII activity, IU/dL (1 IU/dL = 1% of normal)",
                "days_observed": "days the bleeding log covers, days",
            },
            sources=SOURCES,
        ),
        Dataset(
            name="ch01_bleeding_log",
            title="Bleeding log: one row per bleed of the ch01_patients cohort",
            frame=log,
            how_made=(
                "Each patient's bleed rate is drawn from a gamma distribution around his regimen's "
                "target ABR (halved for moderate severity), and his bleed count from a Poisson "
                "distribution over his days observed, which makes the counts negative binomial. Each "
                "bleed gets a uniform study day, a site and whether it was treated."
            ),
            columns={
                "patient_id": "patient identifier, key to ch01_patients",
                "regimen": "the patient's regimen (as in ch01_patients)",
                "study_day": "day of the bleed since the log began (1 = first day), days",
                "site": "joint, muscle or other",
                "treated": "True if the bleed was treated with factor concentrate, else False",
            },
            sources=SOURCES,
        ),
    ]
