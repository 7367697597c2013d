"""Charts: an unchanged chart is not redrawn; a change in the data draws a new one; each chart has
alt text and a table with the same numbers beside it."""

import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from dashboards import charts
from recommendations.models import Recommendation

from .conftest import build, status_named


def count_draws():
    return mock.patch.object(charts, "draw_status_bars", wraps=charts.draw_status_bars)


@pytest.mark.django_db
def test_a_second_request_does_not_redraw_an_unchanged_chart(login, council_member, allerod):
    build(allerod, 10)
    client = login(council_member)
    url = reverse("municipality-detail", args=["allerod"])
    with count_draws() as draw:
        first = client.get(url).content.decode()
        assert draw.call_count == 2  # recommendations and indicators
        second = client.get(url).content.decode()
        assert draw.call_count == 2
    assert first.count("<svg") == second.count("<svg") == 2

    rec = Recommendation.objects.filter(status__key="i-gang").first()
    assert rec is not None
    rec.status = status_named("gennemfoert")
    rec.save()
    with count_draws() as draw:
        client.get(url)
        assert draw.call_count == 1  # only the chart whose data changed


@pytest.mark.django_db
def test_figures_are_created_only_on_a_cache_miss(login, council_member, allerod):
    build(allerod, 5)
    client = login(council_member)
    url = reverse("dashboard-indicators", args=["allerod"])
    with mock.patch.object(charts, "Figure", wraps=charts.Figure) as figure:
        client.get(url)
        client.get(url)
        client.get(url)
    assert figure.call_count == 1


@pytest.mark.django_db
def test_each_chart_has_alt_text_and_the_same_numbers_in_a_table(login, council_member, allerod):
    build(allerod, 10)
    client = login(council_member)
    with translation.override("en"):
        html = client.get(
            reverse("municipality-detail", args=["allerod"]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    figures = re.findall(r'<figure class="chart" role="img" aria-label="([^"]+)">', html)
    assert len(figures) == 2
    for key in ["i-gang", "forsinket"]:
        n = Recommendation.objects.filter(status__key=key).count()
        label = status_named(key).label
        assert f"{label}: {n}" in figures[0]
        assert re.search(rf">{label}</span></a></th><td class=\"number\">{n}</td>", html)
    # The SVG is hidden from assistive technology; the figure's label speaks for it.
    assert 'aria-hidden="true"' in html.split("<svg", 1)[1][:200]


def test_chart_numbers_use_danish_formats():
    with translation.override("da"):
        assert charts.alt_text("Test", [("I gang", "#E69F00", 1234)]) == (
            "Test. I gang: 1.234. Total: 1.234."
        ) or "1.234" in charts.alt_text("Test", [("I gang", "#E69F00", 1234)])
