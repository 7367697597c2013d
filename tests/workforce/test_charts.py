"""The projection's charts as a council member reads them: years written as years, value axes from
zero with exact ticks in Danish format (not −2, −5, −8, −12, −18 for steps of 2,5), every series
in the legend below the lines, text legible on a phone (issue #15)."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.charts import (
    assert_honest_value_axis,
    chart_svgs,
    danish_number,
    font_px_at_phone_width,
    text_positions,
    texts,
)
from tests.workforce.test_pages import make_data, professions  # noqa: F401 (a fixture)
from workforce import charts

YEARS = list(range(2026, 2031))


@pytest.fixture(autouse=True)
def _danish():
    with translation.override("da"):
        yield


def test_scenario_comparison_ticks_are_exact_values_at_nice_steps():
    # The change in shortage that was labelled −2, −5, −8, −12, −18 (2,5 steps, rounded).
    series = [
        ("SOSU-assistent", [-2.5, -5.0, -7.5, -10.0, -12.5]),
        ("Pædagog", [0.4, 0, -1, -2, -3]),
    ]
    svg = charts.lines("compare", YEARS, series, "personer")
    labels = texts(svg, "ytick")
    assert_honest_value_axis(labels, [v for _name, values in series for v in values])
    assert all(
        danish_number(label) == int(danish_number(label)) for label in labels
    )  # whole persons
    assert "\u22125" in labels or "\u221210" in labels  # a true minus sign
    assert texts(svg, "xtick") == [str(year) for year in YEARS]
    assert texts(svg, "legend") == ["SOSU-assistent", "Pædagog"]


def test_supply_and_demand_axis_starts_at_zero_with_thousands_points():
    years = list(range(2023, 2033))
    supply = [1060 + 9.5 * n for n in range(10)]
    demand = [1075 + 14.2 * n for n in range(10)]
    svg = charts.lines("supply", years, [("Udbud", supply), ("Efterspørgsel", demand)], "personer")
    labels = texts(svg, "ytick")
    assert labels[0] == "0"
    assert_honest_value_axis(labels, supply + demand)
    assert any("." in label for label in labels)  # 1.000, not 1000 or 1,000
    # Ten years: every second year from the first, written as years.
    assert texts(svg, "xtick") == [str(year) for year in years[::2]]
    assert min(text_positions(svg, "legend")) > max(text_positions(svg, "xtick"))
    assert min(font_px_at_phone_width(svg)) >= 9


def test_a_small_shortage_keeps_whole_person_ticks():
    values = [0.2, 0.4, 0.7, 1.1, 1.4]
    svg = charts.lines("shortage", YEARS, [("Pædagog", values)], "personer")
    labels = texts(svg, "ytick")
    assert_honest_value_axis(labels, values)
    assert labels == ["0", "1", "2"]


def test_a_profession_named_with_an_underscore_is_in_the_legend():
    svg = charts.lines(
        "shortage", YEARS, [("_Vikarer", [1, 2, 3, 4, 5]), ("Pædagog", [2] * 5)], "personer"
    )
    assert texts(svg, "legend") == ["_Vikarer", "Pædagog"]


@pytest.fixture
def data(allerod, professions):  # noqa: F811
    return make_data(allerod, professions)


@pytest.mark.django_db
def test_overview_charts_label_years_and_start_at_zero(login, analyst, data):
    response = login(analyst).get(reverse("workforce-overview", args=["allerod"]))
    years = [row["year"] for row in response.context["shortage_table"]]
    assert len(years) == 10
    svgs = chart_svgs(response.content.decode())
    assert len(svgs) == 2  # shortage by profession; supply against demand
    for svg in svgs:
        assert texts(svg, "xtick") == [str(year) for year in years[::2]]
        labels = texts(svg, "ytick")
        assert "0" in labels and len(set(labels)) == len(labels)
        assert min(font_px_at_phone_width(svg)) >= 9
