"""The front page's status bars on a phone: every status named on its bar, its count written in
Danish format beside it, text at least 9 px high in a 343 px wide container (issue #15)."""

from django.utils import translation

from dashboards import charts
from tests.charts import font_px_at_phone_width, texts


def test_status_bars_name_every_status_and_stay_legible_on_a_phone():
    rows = [
        ("Ikke påbegyndt", "#999999", 1234),
        ("I gang, men forsinket af manglende finansiering", "#E69F00", 56),
        ("_Intern", "#0072B2", 0),
    ]
    with translation.override("da"):
        svg = charts.status_chart("legibility", rows)
    # A name longer than 40 characters is cut with an ellipsis (the table beside has it in full),
    # so the bars keep their room; one that starts with "_" is shown as written.
    assert texts(svg, "ytick") == [
        "Ikke påbegyndt",
        "I gang, men forsinket af manglende fina…",
        "_Intern",
    ]
    assert texts(svg, "xtick") == []  # the counts are written on the bars, no count axis
    assert {"1.234", "56", "0"} <= set(texts(svg))
    assert min(font_px_at_phone_width(svg)) >= 9
