"""No text a user writes is read by matplotlib as mathtext: a profession, an institution or a status
named with "$", "\\" or control characters is drawn as written, never a server error (issue:
hardening, item 3)."""

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from dashboards import charts as dashboard_charts
from tests.reliability.junk import FUZZ, odd_text
from workforce import charts as workforce_charts

# Text in scripts no font here draws (Hypothesis finds them) is drawn as boxes, with a warning each.
pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")

MATHTEXT = [
    r"X $\frac{$ 10$ and 20$",
    "$x$",
    "$",
    r"\$",
    r"$\alpha^{2}$",
    "a $ b $ c",
    r"$\undefinedcommand$",
    "50 % $ 100",
]
label_text = st.one_of(st.sampled_from(MATHTEXT), odd_text)


@pytest.fixture(autouse=True)
def no_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("name", MATHTEXT)
def test_a_name_with_dollars_is_drawn_as_written(name):
    svg = workforce_charts.lines("test", [2026, 2027], [(name, [1.0, 2.0])], "årsværk")
    # svg.fonttype "none": the legend's text is in the SVG as characters, dollars and all.
    assert name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in svg


@pytest.mark.long
@FUZZ
@given(labels=st.lists(label_text, min_size=1, max_size=4), ylabel=label_text)
def test_any_text_in_a_line_chart_draws(labels, ylabel):
    series = [(label, [float(n), float(n + 1)]) for n, label in enumerate(labels)]
    svg = workforce_charts.lines("fuzz", [2026, 2027], series, ylabel)
    assert svg.startswith("<svg")


@pytest.mark.long
@FUZZ
@given(labels=st.lists(label_text, min_size=1, max_size=5))
def test_any_text_in_a_bar_chart_draws(labels):
    rows = [(label, "#0072B2", n + 1) for n, label in enumerate(labels)]
    assert dashboard_charts.status_chart("fuzz", rows).startswith("<svg")
