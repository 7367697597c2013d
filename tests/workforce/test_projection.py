"""The projection engine against small cases computed by hand (one institution, two professions,
three years), the balance identity on every row, cohort ageing, both retirement methods, hiring
limits and the difference between two scenarios."""

from typing import Any

import numpy as np
import pandas as pd
import pytest

from workforce.projection import (
    BANDS,
    Assumptions,
    Effect,
    cells_frame,
    difference,
    project,
    totals,
)

# One daycare, two professions.
#   pædagog: 10 aged 25-29 and 5 aged 60-64, 12 FTE (ratio 0.8), 1 vacancy → demand 16.
#   sosu:    10 aged 40-44, 10 FTE, no vacancy → demand 10.
CELLS = cells_frame(
    [
        {
            "municipality": "X",
            "institution": "Solsikken",
            "kind": "daycare",
            "profession": "paedagog",
            "25-29": 10,
            "60-64": 5,
            "fte": 12,
            "vacancies": 1,
        },
        {
            "municipality": "X",
            "institution": "Solsikken",
            "kind": "daycare",
            "profession": "sosu",
            "40-44": 10,
            "fte": 10,
            "vacancies": 0,
        },
    ]
)
RATES = pd.DataFrame({"profession": ["paedagog", "sosu"], "leaver_rate": [0.10, 0.25]})
CAPACITY = pd.DataFrame({"profession": ["paedagog", "sosu"], "hires": [2.0, 10.0]})


def base(**overrides: Any) -> Assumptions:
    values: dict[str, Any] = {
        "start_year": 2023,
        "horizon": 3,
        "retirement_age": 64,
        "hiring_mode": "fixed",
    }
    values.update(overrides)
    return Assumptions(**values)


def rows(result, profession):
    frame = result.frame[result.frame["profession"] == profession]
    return frame.set_index("year")


def assert_balance(frame: pd.DataFrame):
    balance = frame["supply_start"] - frame["retirements"] - frame["other_leavers"] + frame["hires"]
    assert (balance == frame["supply"]).all()
    assert (frame["shortage"] == frame["demand"] - frame["supply"]).all()
    # Next year's start is this year's end, exactly, in every cell.
    for _key, cell in frame.groupby(["institution", "profession"]):
        cell = cell.sort_values("year")
        assert (cell["supply_start"].to_numpy()[1:] == cell["supply"].to_numpy()[:-1]).all()


def test_hand_computed_three_years_pedagogues():
    result = project(CELLS, base(), rates=RATES, capacity=CAPACITY)
    p = rows(result, "paedagog")
    assert list(p.index) == [2024, 2025, 2026]
    # 2024: the one aged 64 retires; 10 % of the 14 left leave; 2 hired (capacity < gap 3.4).
    expected = {
        2024: {
            "supply_start": 15,
            "retirements": 1,
            "other_leavers": 1.4,
            "hires": 2,
            "supply": 14.6,
        },
        # 2025: the 0.9 now aged 64 retire; 10 % of 13.7 leave; gap 3.67 > 2.
        2025: {
            "supply_start": 14.6,
            "retirements": 0.9,
            "other_leavers": 1.37,
            "hires": 2,
            "supply": 14.33,
        },
        # 2026: 0.81 retire; 10 % of 13.52; 2 hired.
        2026: {
            "supply_start": 14.33,
            "retirements": 0.81,
            "other_leavers": 1.352,
            "hires": 2,
            "supply": 14.168,
        },
    }
    for year, values in expected.items():
        for column, value in values.items():
            assert p.loc[year, column] == pytest.approx(value), (year, column)
        assert p.loc[year, "demand"] == pytest.approx(16)
        assert p.loc[year, "shortage"] == pytest.approx(16 - values["supply"])
        assert p.loc[year, "supply_fte"] == pytest.approx(values["supply"] * 0.8)
    # Replacement need = R + Q + ΔD, with constant demand.
    assert p.loc[2024, "replacement_need"] == pytest.approx(2.4)


def test_hand_computed_three_years_sosu_hires_fill_the_gap_within_capacity():
    result = project(CELLS, base(), rates=RATES, capacity=CAPACITY)
    s = rows(result, "sosu")
    for year in (2024, 2025, 2026):
        assert s.loc[year, "retirements"] == 0
        assert s.loc[year, "other_leavers"] == pytest.approx(2.5)
        assert s.loc[year, "hires"] == pytest.approx(2.5)
        assert s.loc[year, "supply"] == pytest.approx(10)
        assert s.loc[year, "shortage"] == pytest.approx(0)


def test_balance_holds_exactly_in_every_row():
    effects = (Effect("sosu", 2025, leaver_rate_change_pp=-3), Effect("paedagog", 2026, 0, 1.5))
    for assumptions in (
        base(),
        base(hiring_mode="replace", demand_growth=0.03, horizon=12),
        base(retirement_method="rates", exit_rates={"60-64": 0.3, "65-69": 0.7, "70+": 1.0}),
        base(effects=effects, horizon=10),
    ):
        result = project(CELLS, assumptions, rates=RATES, capacity=CAPACITY)
        assert len(result.frame) == 2 * assumptions.horizon
        assert_balance(result.frame)


def test_cohorts_age_one_fifth_of_a_band_moves_up_each_year():
    still = base(retirement_age=75, hiring_mode="replace", horizon=5)
    # No leavers, no retirements, and demand = the stock, so no hires: only ageing.
    result = project(CELLS, still, with_bands=True, demand_base=np.array([15.0, 10.0]))
    assert result.bands is not None
    bands = result.bands[result.bands["profession"] == "paedagog"].set_index("year")
    assert bands.loc[2024, "25-29"] == pytest.approx(8)
    assert bands.loc[2024, "30-34"] == pytest.approx(2)
    assert bands.loc[2026, "30-34"] == pytest.approx(6)
    assert bands.loc[2028, "25-29"] == pytest.approx(0)
    assert bands.loc[2028, "30-34"] == pytest.approx(10)
    assert bands.loc[2028, "65-69"] == pytest.approx(5)
    assert bands[BANDS].sum(axis=1).to_numpy() == pytest.approx([15] * 5)


def test_hires_enter_at_the_entry_band():
    result = project(
        CELLS, base(entry_band="20-24"), rates=RATES, capacity=CAPACITY, with_bands=True
    )
    assert result.bands is not None
    bands = result.bands[result.bands["profession"] == "paedagog"].set_index("year")
    assert bands.loc[2024, "20-24"] == pytest.approx(2)  # the 2 hired
    assert bands.loc[2024, "25-29"] == pytest.approx(1.8 * 4)  # 25-28 aged into 26-29, ×0.9


def test_retirement_age_method_retires_everyone_at_or_above_the_age():
    result = project(CELLS, base(retirement_age=62), rates=RATES, capacity=CAPACITY)
    assert rows(result, "paedagog").loc[2024, "retirements"] == pytest.approx(3)  # aged 62, 63, 64


def test_exit_rate_method_uses_the_band_rates():
    assumptions = base(retirement_method="rates", exit_rates={"60-64": 0.5})
    p = rows(project(CELLS, assumptions, rates=RATES, capacity=CAPACITY), "paedagog")
    assert p.loc[2024, "retirements"] == pytest.approx(2.5)
    # 2025: 2.5 left in 60-64 spread over 60..64 (0.5 each) × 0.9, aged into 61..64 (0.45 each).
    assert p.loc[2025, "retirements"] == pytest.approx(0.5 * 4 * 0.45)


def test_the_two_methods_differ_and_the_method_is_in_the_assumptions():
    by_age = project(CELLS, base(), rates=RATES, capacity=CAPACITY)
    by_rates = project(
        CELLS,
        base(retirement_method="rates", exit_rates={"60-64": 0.5}),
        rates=RATES,
        capacity=CAPACITY,
    )
    assert by_age.assumptions["retirement_method"] == "age"
    assert by_rates.assumptions["retirement_method"] == "rates"
    assert by_age.frame["retirements"].sum() != pytest.approx(by_rates.frame["retirements"].sum())


def test_demand_growth_and_replacement_need():
    result = project(CELLS, base(hiring_mode="replace", demand_growth=0.1), rates=RATES)
    s = rows(result, "sosu")
    assert s.loc[2024, "demand"] == pytest.approx(11)
    assert s.loc[2026, "demand"] == pytest.approx(13.31)
    assert s.loc[2024, "hires"] == pytest.approx(3.5)  # 2.5 leavers + 1 growth
    assert s.loc[2024, "replacement_need"] == pytest.approx(2.5 + 1)
    assert (s["shortage"].abs() < 1e-9).all()


def test_demand_from_a_driver_series():
    drivers = pd.DataFrame(
        {"driver": "children_0_6", "year": [2023, 2024, 2025, 2026], "value": [100, 110, 120, 150]}
    )
    assumptions = base(hiring_mode="replace", demand_method="driver")
    result = project(
        CELLS,
        assumptions,
        rates=RATES,
        drivers=drivers,
        driver_of_kind={"daycare": "children_0_6"},
    )
    p = rows(result, "paedagog")
    assert list(p["demand"]) == pytest.approx([16 * 1.1, 16 * 1.2, 16 * 1.5])


def test_municipality_wide_capacity_is_shared_by_gap_and_never_exceeds_a_gap():
    cells = cells_frame(
        [
            {
                "municipality": "X",
                "institution": "A",
                "profession": "p",
                "30-34": 10,
                "vacancies": 3,
            },
            {
                "municipality": "X",
                "institution": "B",
                "profession": "p",
                "30-34": 10,
                "vacancies": 1,
            },
            {
                "municipality": "Y",
                "institution": "C",
                "profession": "p",
                "30-34": 10,
                "vacancies": 1,
            },
        ]
    )
    capacity = pd.DataFrame({"profession": ["p"], "hires": [2.0]})
    result = project(cells, base(horizon=1), capacity=capacity)
    hires = result.frame.set_index("institution")["hires"]
    assert hires["A"] == pytest.approx(1.5)  # 2 × 3/4
    assert hires["B"] == pytest.approx(0.5)
    assert hires["C"] == pytest.approx(1.0)  # its own municipality: capacity 2, gap 1


def test_capacity_per_institution_applies_to_that_cell():
    capacity = pd.DataFrame(
        {"profession": ["paedagog"], "institution": ["Solsikken"], "hires": [0.5]}
    )
    p = rows(project(CELLS, base(horizon=1), rates=RATES, capacity=capacity), "paedagog")
    assert p.loc[2024, "hires"] == pytest.approx(0.5)


def test_lower_leaver_rate_gives_a_smaller_shortage_and_the_difference_is_row_by_row():
    capacity = pd.DataFrame({"profession": ["paedagog", "sosu"], "hires": [2.0, 1.5]})
    baseline = project(CELLS, base(horizon=10), rates=RATES, capacity=capacity)
    onboarding = project(
        CELLS,
        base(horizon=10, effects=(Effect("sosu", 2025, leaver_rate_change_pp=-3),)),
        rates=RATES,
        capacity=capacity,
    )
    b = rows(baseline, "sosu")
    o = rows(onboarding, "sosu")
    assert o.loc[2024, "shortage"] == pytest.approx(b.loc[2024, "shortage"])  # before the effect
    assert (o.loc[2025:, "shortage"] < b.loc[2025:, "shortage"]).all()
    assert onboarding.assumptions["effects"][0]["leaver_rate_change_pp"] == -3

    diff = difference(baseline, onboarding)
    keys = ["municipality", "institution", "kind", "profession", "year"]
    expected = onboarding.frame.set_index(keys) - baseline.frame.set_index(keys)
    got = diff.set_index(keys).loc[expected.index]
    assert len(diff) == len(baseline.frame)
    assert (got.to_numpy() == expected[got.columns].to_numpy()).all()
    by_profession = difference(baseline, onboarding, by=["profession"])
    sosu_2032 = by_profession[(by_profession.profession == "sosu") & (by_profession.year == 2032)]
    assert float(sosu_2032["shortage"].iloc[0]) < 0


def test_totals_by_profession_kind_and_municipality_add_up():
    result = project(CELLS, base(), rates=RATES, capacity=CAPACITY)
    for by in (["profession"], ["kind"], ["municipality"], []):
        table = totals(result.frame, by)
        assert table["supply"].sum() == pytest.approx(result.frame["supply"].sum())
    assert_balance(result.frame)


def test_every_result_carries_its_assumptions():
    result = project(CELLS, base(notes=("Demodata",)), rates=RATES, capacity=CAPACITY)
    assert result.assumptions["retirement_age"] == 64
    assert result.assumptions["years"] == "2024–2026"
    assert result.assumptions["notes"] == ["Demodata"]


def test_invalid_assumptions_are_refused():
    with pytest.raises(ValueError):
        Assumptions(start_year=2023, retirement_method="magic")
    with pytest.raises(ValueError):
        Assumptions(start_year=2023, exit_rates={"60-64": 1.5})


def test_a_cell_without_staff_uses_the_default_fte_ratio():
    cells = cells_frame([{"institution": "Ny", "profession": "p", "vacancies": 4}])
    result = project(cells, base(hiring_mode="replace", horizon=1, default_fte_ratio=0.9))
    row = result.frame.iloc[0]
    assert row["hires"] == pytest.approx(4)
    assert row["supply_fte"] == pytest.approx(3.6)
    assert np.isfinite(result.frame[["supply", "supply_fte"]].to_numpy()).all()
