"""What every chart in the product shares: matplotlib ``Figure()`` (never pyplot in a server process)
rendered to inline SVG, and a cache keyed on exactly the data drawn, so an unchanged chart is never
redrawn. The apps' charts.py draw; this module renders and caches."""

import hashlib
import io
import re
from collections.abc import Callable

import matplotlib
from django.core.cache import cache
from django.utils.translation import get_language
from matplotlib.figure import Figure

CACHE_SECONDS = 60 * 60 * 24
# Okabe–Ito colours (colour-blind safe); series also differ by marker and line style.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def render_svg(fig: Figure, salt: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # Group ids ("figure_1", "axes_1") repeat in every chart; the page needs unique ids. The
    # definitions that are referenced keep theirs (unique per chart through the hash salt).
    svg = re.sub(r'<g id="[^"]*"', "<g", svg)
    # The figure around it carries the alt text; the viewBox keeps the proportions on resize.
    return svg.replace("<svg ", '<svg class="chart-svg" aria-hidden="true" focusable="false" ', 1)


def cache_key(namespace: str, data: object) -> str:
    digest = hashlib.sha256(repr(data).encode()).hexdigest()[:32]
    return f"chart:{namespace}:{get_language()}:{digest}"


def cached_svg(namespace: str, data: object, draw: Callable[[str], str]) -> str:
    """The SVG for ``data``, drawn by ``draw(key)`` only when the cache does not have it."""
    key = cache_key(namespace, data)
    svg: str | None = cache.get(key)
    if svg is None:
        # Names come from users (a profession, an institution): matplotlib must draw every "$" and
        # "\\" as written, never read them as mathtext (which fails, or hides text, on "$x$").
        with matplotlib.rc_context({"text.parse_math": False}):
            svg = draw(key)
        cache.set(key, svg, CACHE_SECONDS)
    return svg
