"""The plan list, the barometer and the indicator page: who may see them, what they show, and a
fixed number of queries however many measurements there are."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from employment_plan.models import ComparisonMeasurement, Measurement
from tests.employment_plan.factories import (
    FocusAreaFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlanFactory,
)
from tests.factories import MunicipalityFactory
from tests.html import structure


@pytest.fixture
def pages(plan, relative_indicator, companies_indicator, allerod):
    return [
        reverse("employment-plan-list", args=[allerod.slug]),
        reverse("employment-plan-barometer", args=[allerod.slug, plan.pk]),
        reverse("employment-plan-indicator", args=[allerod.slug, companies_indicator.pk]),
        reverse("employment-plan-indicator", args=[allerod.slug, relative_indicator.pk]),
    ]


@pytest.mark.parametrize("persona", ["council_member", "hr_officer", "analyst", "administrator"])
def test_members_read_every_page(request, login, pages, persona):
    client = login(request.getfixturevalue(persona))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = structure(response.content.decode())
        assert page.h1_count == 1 and page.lang == "da", url


@pytest.mark.postgres
def test_outsider_gets_not_found(login, outsider, pages):
    client = login(outsider)
    for url in pages:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitor_is_sent_to_login(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


@pytest.mark.postgres
def test_another_municipalitys_plan_is_not_found_under_my_address(login, council_member, allerod):
    elsewhere = PlanFactory.create(municipality=MunicipalityFactory(code=707, slug="norddjurs"))
    indicator = IndicatorFactory.create(focus_area=FocusAreaFactory(plan=elsewhere))
    client = login(council_member)
    assert (
        client.get(
            reverse("employment-plan-barometer", args=[allerod.slug, elsewhere.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("employment-plan-indicator", args=[allerod.slug, indicator.pk])
        ).status_code
        == 404
    )


def test_barometer_shows_each_indicator_with_status_word_and_numbers(
    login, council_member, plan, companies_indicator, relative_indicator, allerod
):
    MeasurementFactory(
        indicator=companies_indicator, date=datetime.date(2026, 7, 2), value=Decimal(5)
    )
    client = login(council_member)
    with translation.override("en"):
        response = client.get(
            reverse("employment-plan-barometer", args=[allerod.slug, plan.pk]),
            {"dato": "2026-07-02"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    html = response.content.decode()
    by_code = {
        i.code: i.result
        for a in response.context["plan"].focus_areas.all()
        for i in a.indicators.all()
    }
    assert by_code["2.1"].status == "awaiting_baseline"
    # 0 → 10 companies from 1 January to 31 December; 5 on 2 July is half-way, as expected.
    assert by_code["5.1"].status == "on_track" and by_code["5.1"].progress == 50
    assert 'data-status="awaiting_baseline"' in html and 'data-status="on_track"' in html
    assert 'role="img"' in html and "<svg" in html  # the trend chart
    assert "5\u00a0" in html  # latest value with its unit


def test_indicator_page_has_chart_alt_text_and_the_same_numbers_in_a_table(
    login, council_member, companies_indicator, allerod
):
    hoersholm = MunicipalityFactory.create(code=223, name="Hørsholm", slug="horsholm")
    for month, value in [(3, "2.5"), (6, "5"), (9, "7.5")]:
        MeasurementFactory(
            indicator=companies_indicator, date=datetime.date(2026, month, 30), value=Decimal(value)
        )
    ComparisonMeasurement.objects.create(
        indicator=companies_indicator,
        municipality=hoersholm,
        date=datetime.date(2026, 6, 30),
        value=Decimal(3),
    )
    client = login(council_member)
    response = client.get(
        reverse("employment-plan-indicator", args=[allerod.slug, companies_indicator.pk]),
        {"dato": "2026-10-01"},
    )
    html = response.content.decode()
    assert '<figure class="chart" role="img" aria-label="' in html
    table = html[html.index("</figure>") :]
    assert "<table" in table
    assert "2,5" in table and "7,5" in table  # Danish decimal comma
    assert "Hørsholm" in table
    result = response.context["result"]
    assert result.forecast is not None and result.forecast.value_at_target_date > 9


def test_indicator_page_shows_the_documents_inconsistency(login, council_member, area, allerod):
    indicator = IndicatorFactory.create(
        focus_area=area,
        unit="percent",
        target_value=Decimal("12.5"),
        inconsistency={
            "note": "12,5 er ikke 13,0 − 1,4",
            "stated_level": 12.5,
            "implied_level": 11.6,
        },
    )
    html = (
        login(council_member)
        .get(reverse("employment-plan-indicator", args=[allerod.slug, indicator.pk]))
        .content.decode()
    )
    assert 'data-inconsistent="true"' in html and "12,5 er ikke 13,0 − 1,4" in html
    assert "11,6" in html
    # Each number under its name in words, never the mapping's key.
    assert "Angivet niveau: 12,5" in html and "stated_level" not in html


def _barometer_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.postgres
def test_barometer_queries_do_not_grow_with_measurements(
    login, council_member, plan, area, allerod, django_assert_max_num_queries
):
    indicators = [
        IndicatorFactory.create(focus_area=area, code=f"1.{n}", target_value=Decimal(10))
        for n in range(5)
    ]
    second = FocusAreaFactory(plan=plan, number=2)
    indicators.append(IndicatorFactory.create(focus_area=second, code="2.9"))
    start = datetime.date(2026, 1, 1)

    def add(count, offset):
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicators[n % len(indicators)],
                date=start + datetime.timedelta(days=(offset + n) % 365),
                value=Decimal(n % 40),
            )
            for n in range(count)
        )

    client = login(council_member)
    url = reverse("employment-plan-barometer", args=[allerod.slug, plan.pk])
    add(10, 0)
    with_ten = _barometer_queries(client, url)
    add(990, 10)
    assert Measurement.objects.count() == 1000
    with_thousand = _barometer_queries(client, url)
    assert with_ten == with_thousand
    with django_assert_max_num_queries(with_ten):
        client.get(url)


@pytest.mark.postgres
def test_indicator_page_queries_do_not_grow_with_measurements(
    login, council_member, companies_indicator, allerod, django_assert_max_num_queries
):
    client = login(council_member)
    url = reverse("employment-plan-indicator", args=[allerod.slug, companies_indicator.pk])
    MeasurementFactory(indicator=companies_indicator)
    few = _barometer_queries(client, url)
    Measurement.objects.bulk_create(
        Measurement(
            indicator=companies_indicator,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
            value=n % 10,
        )
        for n in range(300)
    )
    assert _barometer_queries(client, url) == few


def test_unchanged_chart_is_not_redrawn(monkeypatch, companies_indicator):
    from django.core.cache import cache

    from employment_plan import charts, selectors

    cache.clear()  # an earlier test may have drawn the same data: this one counts from nothing
    MeasurementFactory(indicator=companies_indicator, value=Decimal(3))
    result = selectors.evaluate(companies_indicator, datetime.date(2026, 6, 1))
    drawn = []
    real = charts.Figure

    def counting(*args, **kwargs):
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "Figure", counting)
    first = charts.sparkline(result)
    second = charts.sparkline(result)
    assert first == second and first.startswith("<svg")
    assert len(drawn) == 1  # drawn on the first call, from the cache on the second
    # What is drawn: one marker per measurement and the target as a dashed line.
    assert first.count("<use ") == 1 and "stroke-dasharray" in first
    MeasurementFactory(
        indicator=companies_indicator, date=datetime.date(2026, 5, 31), value=Decimal(4)
    )
    companies_indicator.refresh_from_db()
    changed = selectors.evaluate(companies_indicator, datetime.date(2026, 6, 1))
    redrawn = charts.sparkline(changed)
    assert redrawn != first and len(drawn) == 2  # new data, new drawing
    assert redrawn.count("<use ") == 2 and "stroke-dasharray" in redrawn


def test_plan_list_links_each_plan(login, council_member, plan, allerod):
    html = (
        login(council_member)
        .get(reverse("employment-plan-list", args=[allerod.slug]))
        .content.decode()
    )
    assert reverse("employment-plan-barometer", args=[allerod.slug, plan.pk]) in html


def test_a_level_target_with_one_measurement_is_not_on_track_on_any_page(
    login, council_member, plan, percent_indicator, allerod
):
    # “at least 80 % by 31.12.2026”, no baseline stated, one measurement of 45,5 %: that value is
    # only where the indicator stood, so neither page may call it on track or show progress 0 %.
    indicator = percent_indicator
    MeasurementFactory(indicator=indicator, date=datetime.date(2026, 3, 31), value=Decimal("45.5"))
    client = login(council_member)
    as_of = {"dato": "2026-04-30"}
    barometer = client.get(
        reverse("employment-plan-barometer", args=[allerod.slug, plan.pk]), as_of
    ).content.decode()
    detail = client.get(
        reverse("employment-plan-indicator", args=[allerod.slug, indicator.pk]), as_of
    ).content.decode()
    for html in (barometer, detail):
        assert "Mangler udgangspunkt" in html
        assert "På rette spor" not in html
        assert not re.search(r"(?<![\d,])0\u00a0%", html)  # no “progress 0 %”
    assert "Udgangspunkt udledt: første måling" in barometer
    assert "udledt: planen angiver intet udgangspunkt" in detail
    assert "45,5\u00a0%" in detail


def test_without_a_stated_baseline_the_expected_path_starts_at_the_plans_start(
    login, council_member, plan, percent_indicator, allerod
):
    indicator = percent_indicator
    for day, value in ((datetime.date(2026, 3, 31), "45.5"), (datetime.date(2026, 6, 30), "60")):
        MeasurementFactory(indicator=indicator, date=day, value=Decimal(value))
    response = login(council_member).get(
        reverse("employment-plan-indicator", args=[allerod.slug, indicator.pk]),
        {"dato": "2026-07-31"},
    )
    rows = {row.date: row for row in response.context["rows"]}
    # The path runs from the first value (45,5 %) at the plan's start to 80 % at its end.
    assert rows[plan.period_start].expected == Decimal("45.5")
    assert "regnet fra planens start, 01.01.2026" in response.text
    assert response.context["result"].status != "baseline_missing"
