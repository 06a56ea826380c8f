"""Chapter 3 data: the synthetic AHA registry lands near its fact-sheet targets.

Tolerances are three binomial standard errors, sqrt(p(1-p)/n), for the group size at hand:
with n = 300 patients a 12% share may move by about 6 points, a regimen group of about 120 by
about 13 points. The seed is fixed, so these checks guard the generator, not chance.
"""

import math

import pytest

from trcourse.datasets import ch03_acquired_hemophilia as gen

DATA = gen.aha_registry().frame
BYPASSING = DATA["hemostatic_agent"].isin(gen.BYPASSING_AGENTS)
TREATED = DATA["hemostatic_agent"] != "none"


def assert_rate(observed: float, target: float, n: int) -> None:
    tolerance = 3 * math.sqrt(target * (1 - target) / n)
    assert abs(observed - target) <= tolerance, f"{observed:.3f} vs target {target} (n={n}, ±{tolerance:.3f})"


def test_size_and_columns():
    assert len(DATA) == gen.N_PATIENTS
    assert list(DATA.columns) == list(gen.COLUMNS)
    assert DATA["patient_id"].is_unique


@pytest.mark.parametrize("etiology", list(gen.ETIOLOGY))
def test_etiology_mix(etiology):
    assert_rate((DATA["etiology"] == etiology).mean(), gen.ETIOLOGY[etiology], len(DATA))


def test_demographics():
    assert_rate((DATA["sex"] == "male").mean(), 0.53, len(DATA))
    pregnancy = DATA[DATA["etiology"] == "pregnancy"]
    assert (pregnancy["sex"] == "female").all() and pregnancy["age_years"].between(18, 45).all()
    # median age of the older patients: facts §12D "about 74-78"; SE of a median ≈ 1.25·12/√276 ≈ 0.9
    assert 73 <= DATA.loc[DATA["etiology"] != "pregnancy", "age_years"].median() <= 79


def test_presentation_and_hemostasis():
    assert_rate((DATA["bleeding_at_presentation"] == 0).mean(), gen.NO_BLEEDING_AT_PRESENTATION, len(DATA))
    bleeders = DATA[DATA["bleeding_at_presentation"] == 1]
    assert_rate((bleeders["hemostatic_agent"] == "none").mean(), gen.NO_HEMOSTATIC_TREATMENT, len(bleeders))
    assert (DATA.loc[DATA["bleeding_at_presentation"] == 0, "hemostatic_agent"] == "none").all()
    rfviia = (DATA.loc[TREATED, "hemostatic_agent"] == "rFVIIa").mean()
    assert_rate(rfviia, gen.AGENTS["rFVIIa"], TREATED.sum())


def test_bleeding_control_by_agent_class():
    controlled = DATA["bleeding_controlled"]
    assert controlled[~TREATED].isna().all() and controlled[TREATED].notna().all()
    assert_rate(controlled[BYPASSING].mean(), gen.CONTROL_BYPASSING, BYPASSING.sum())
    other = TREATED & ~BYPASSING
    assert_rate(controlled[other].mean(), gen.CONTROL_FVIII_DDAVP, other.sum())


def test_thrombosis_is_rare_and_only_on_treatment():
    assert DATA.loc[~TREATED, "thrombosis"].sum() == 0
    assert_rate(DATA.loc[TREATED, "thrombosis"].mean(), 0.036, TREATED.sum())


@pytest.mark.parametrize("regimen", list(gen.REMISSION))
def test_remission_by_regimen(regimen):
    group = DATA[DATA["immunosuppression"] == regimen]
    assert_rate(group["complete_remission"].mean(), gen.REMISSION[regimen], len(group))


def test_remission_ranking_matches_each2():
    rates = DATA.groupby("immunosuppression")["complete_remission"].mean()
    assert rates["steroids + cyclophosphamide"] > rates["rituximab-based"] > rates["steroids alone"]


def test_time_to_remission():
    weeks = DATA["time_to_remission_weeks"]
    assert weeks.notna().equals(DATA["complete_remission"] == 1)
    # about 5 weeks (facts §9); SE of a log-normal median ≈ 1.25·0.5/√150 ≈ 5%, so 4-6 weeks
    assert 4 <= weeks[DATA["immunosuppression"] != "rituximab-based"].median() <= 6
    by_regimen = DATA.groupby("immunosuppression")["time_to_remission_weeks"].median()
    assert 1.5 <= by_regimen["rituximab-based"] / by_regimen["steroids alone"] <= 2.8  # "about twice"
    by_fviii = DATA.groupby(DATA["baseline_fviii_iu_dl"] < 1)["time_to_remission_weeks"].median()
    assert 1.4 <= by_fviii[True] / by_fviii[False] <= 2.6  # hazard ratio 0.52 -> about 1.9


def test_relapse_and_death():
    remitted = DATA["complete_remission"] == 1
    assert DATA.loc[~remitted, "relapse"].isna().all()
    assert_rate(DATA.loc[remitted, "relapse"].mean(), gen.RELAPSE, remitted.sum())
    assert_rate(DATA["died"].mean(), 0.238, len(DATA))
    assert DATA.loc[DATA["etiology"] == "pregnancy", "died"].sum() == 0


def test_titer_and_fviii_ranges():
    assert DATA["inhibitor_titer_bu"].between(*gen.TITER_RANGE_BU).all()
    assert 10 <= DATA["inhibitor_titer_bu"].median() <= 20  # facts §12D "median about 10-20 BU"
    assert (DATA["baseline_fviii_iu_dl"] > 0).all()
