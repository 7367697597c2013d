"""Charts: an unchanged chart is not redrawn; a change in the data draws a new one; each chart has
alt text and a table with the same numbers beside it."""

import html as html_lib
import re
from collections import Counter
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from dashboards import charts
from recommendations.models import Recommendation

from .conftest import build, status_named


def count_draws():
    return mock.patch.object(charts, "draw_status_bars", wraps=charts.draw_status_bars)


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, re.S)


def bars(svg: str) -> dict[str, str]:
    """What a status chart says: each bar's label on the axis and the count written beside it
    (matplotlib writes the axis labels first, then the counts, both top to bottom)."""
    texts = [html_lib.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    half = len(texts) // 2
    assert len(texts) == 2 * half, texts
    return dict(zip(texts[:half], texts[half:], strict=True))


def recommendations_by_status() -> dict[str, str]:
    counts = Counter(r.status.label for r in Recommendation.objects.select_related("status"))
    return {label: str(n) for label, n in counts.items()}


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
    assert len(svgs(first)) == 2 and svgs(first) == svgs(second)  # the same drawings, cached
    recs_chart, indicators_chart = svgs(first)
    assert (
        bars(recs_chart)
        == recommendations_by_status()
        == {
            "Ikke påbegyndt": "2",
            "Besluttet": "2",
            "I gang": "2",
            "Forsinket": "2",
            "Gennemført": "2",
        }
    )
    assert bars(indicators_chart) == {"På rette spor": "3"}

    rec = Recommendation.objects.filter(status__key="i-gang").first()
    assert rec is not None
    rec.status = status_named("gennemfoert")
    rec.save()
    with count_draws() as draw:
        third = client.get(url).content.decode()
        assert draw.call_count == 1  # only the chart whose data changed
    new_recs_chart, same_indicators_chart = svgs(third)
    assert same_indicators_chart == indicators_chart
    assert bars(new_recs_chart) == recommendations_by_status()
    assert bars(new_recs_chart)["I gang"] == "1" and bars(new_recs_chart)["Gennemført"] == "3"


@pytest.mark.django_db
def test_figures_are_created_only_on_a_cache_miss(login, council_member, allerod):
    build(allerod, 5)
    client = login(council_member)
    url = reverse("dashboard-indicators", args=["allerod"])
    with mock.patch.object(charts, "Figure", wraps=charts.Figure) as figure:
        pages = [client.get(url).content.decode() for _ in range(3)]
    assert figure.call_count == 1
    # Every request shows that one drawing: the indicators of the plan by status.
    assert svgs(pages[0]) == svgs(pages[1]) == svgs(pages[2])
    (chart,) = svgs(pages[0])
    assert bars(chart) == {"På rette spor": "2"}


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
    rows = [("I gang", "#E69F00", 1234), ("Forsinket", "#D55E00", 56)]
    with translation.override("da"):
        assert charts.alt_text("Test", rows) == "Test. I gang: 1.234, Forsinket: 56. I alt: 1.290."
    with translation.override("en"):
        assert charts.alt_text("Test", rows) == "Test. I gang: 1,234, Forsinket: 56. Total: 1,290."
