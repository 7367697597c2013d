"""The indicator chart a council member reads: no time axis without data (never "1970"), month or
year ticks that never repeat, a value axis from zero with exact values in Danish format, the legend
below the lines, text legible on a phone (issue #15)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from employment_plan.models import Measurement
from tests.charts import (
    assert_honest_value_axis,
    chart_svgs,
    font_px_at_phone_width,
    month_ticks,
    text_positions,
    texts,
)
from tests.employment_plan.factories import IndicatorFactory


@pytest.fixture
def indicator(area):
    """Companies, higher is better, target 1,500 on 31 December 2026, no baseline."""
    return IndicatorFactory(
        focus_area=area,
        unit="companies",
        direction="higher",
        target_value=Decimal(1500),
        target_operator=">=",
    )


def measure(indicator, values: dict[datetime.date, Decimal]) -> None:
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, date=day, value=value) for day, value in values.items()
    )


def page(client, indicator):
    response = client.get(
        reverse("employment-plan-indicator", args=[indicator.plan.municipality.slug, indicator.pk])
    )
    assert response.status_code == 200
    return response


def the_chart(response) -> str:
    (svg,) = chart_svgs(response.content.decode())
    return svg


def month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def assert_readable(svg: str) -> None:
    # The legend is under the plot, below the time axis' labels, so it covers no line.
    assert min(text_positions(svg, "legend")) > max(text_positions(svg, "xtick"))
    assert min(font_px_at_phone_width(svg)) >= 9


def test_an_indicator_without_measurements_has_no_time_axis(login, council_member, indicator):
    html = page(login(council_member), indicator).content.decode()
    assert chart_svgs(html) == []
    assert "1970" not in html


def test_one_measurement_is_drawn_between_the_months_around_it(login, council_member, indicator):
    indicator.target_date = None  # no expected path to a date: only the measurement is dated
    indicator.save()
    day = datetime.date(2026, 3, 31)
    measure(indicator, {day: Decimal(1234)})
    svg = the_chart(page(login(council_member), indicator))
    # The month of the measurement and the next enclose it; Danish month names.
    assert texts(svg, "xtick") == ["marts 2026", "april 2026"]
    assert month_ticks(texts(svg, "xtick")) == [day.replace(day=1), datetime.date(2026, 4, 1)]
    assert_honest_value_axis(texts(svg, "ytick"), [1234, 1500])
    assert texts(svg, "legend") == ["Målt", "Baseline", "Mål"]
    assert_readable(svg)


def test_one_measurement_and_a_target_date_span_the_expected_path(login, council_member, indicator):
    day = datetime.date(2026, 3, 31)
    measure(indicator, {day: Decimal(1234)})
    svg = the_chart(page(login(council_member), indicator))
    months = month_ticks(texts(svg, "xtick"))
    # From the measurement (the baseline) to the target date, where the expected path ends.
    assert months[0] <= day < months[1] and months[-2] < indicator.target_date < months[-1]
    assert len(set(months)) == len(months)
    assert texts(svg, "legend") == ["Målt", "Baseline", "Forventet forløb", "Mål"]


def test_a_year_of_monthly_measurements_has_each_month_label_once(login, council_member, indicator):
    values = {
        month_end(2025 + (10 + n) // 12, (10 + n) % 12 + 1): Decimal(1000 + 9 * n)
        for n in range(13)
    }
    measure(indicator, values)
    response = page(login(council_member), indicator)
    svg = the_chart(response)
    labels = texts(svg, "xtick")
    assert not any("1970" in label for label in labels)
    assert len(labels) == len(set(labels)) >= 2, labels
    months = month_ticks(labels)
    steps = {
        (b.year - a.year) * 12 + b.month - a.month for a, b in zip(months, months[1:], strict=False)
    }
    assert len(steps) == 1 and steps <= {1, 2, 3, 4, 6, 12}, labels
    # The axis runs from the first measurement's month to past the target date, where the forecast
    # ends: 30 November 2025 to 31 December 2026.
    assert months[0] <= min(values).replace(day=1)
    assert months[-1] > indicator.target_date
    forecast = response.context["result"].forecast
    drawn = [*values.values(), indicator.target_value, forecast.value_at_target_date]
    assert forecast.value_at(max(values)) is not None
    drawn.append(forecast.value_at(max(values)))
    assert_honest_value_axis(texts(svg, "ytick"), [float(v) for v in drawn])
    assert "1.000" in texts(svg, "ytick")  # thousands point
    assert_readable(svg)


def test_ten_years_of_quarterly_measurements_are_labelled_by_year(login, council_member, indicator):
    values = {
        month_end(year, month): Decimal(1000 + 40 * (year - 2017) + month)
        for year in range(2017, 2027)
        for month in (3, 6, 9, 12)
    }
    measure(indicator, values)
    response = page(login(council_member), indicator)
    svg = the_chart(response)
    labels = texts(svg, "xtick")
    years = [int(label) for label in labels]  # plain years: never "2.017"
    assert len(set(years)) == len(years) and 1970 not in years
    steps = {b - a for a, b in zip(years, years[1:], strict=False)}
    assert len(steps) == 1 and steps <= {1, 2, 5}, labels
    assert years[0] <= 2017 and years[-1] >= 2027  # 1 January around every measurement
    forecast = response.context["result"].forecast
    drawn = [*values.values(), indicator.target_value, forecast.value_at_target_date]
    drawn.append(forecast.value_at(max(values)))
    assert_honest_value_axis(texts(svg, "ytick"), [float(v) for v in drawn])
    assert_readable(svg)
