"""What every chart in the product shares: matplotlib ``Figure()`` (never pyplot in a server process)
rendered to inline SVG, a cache keyed on exactly the data drawn (so an unchanged chart is never
redrawn), and the axes a council member can trust: the value axis includes zero, ticks are exact
values at steps of 1, 2 or 5 times a power of ten in the language's number format, time ticks never
repeat a label, legends sit below the plot. The apps' charts.py draw; this module shapes the axes,
renders and caches."""

import datetime
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import matplotlib
from django.core.cache import cache
from django.utils import dateformat
from django.utils.translation import get_language
from matplotlib.axes import Axes
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator

from core.text import format_number

CACHE_SECONDS = 60 * 60 * 24
# Part of every chart's cache key: raise it when the drawing changes, so that no page serves a chart
# drawn by the previous code from the cache. 2: honest axes, legends below, phone sizes (issue #15).
DRAWING = 2
# Okabe–Ito colours (colour-blind safe); series also differ by marker and line style.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

# The SVG scales to its container. Its width in inches times 72 is its width in SVG units, and a
# font size is in the same units: 5 inches is 360 units (480 px on a desktop), so on a 375 px phone
# (a 343 px wide container) text of 10 units is drawn 10 × 343 / 480 ≈ 9.5 px high, still sharp on
# a desktop, where it is 13.3 px.
WIDTH = 5.0
FONT_SIZE = 10
STYLE = {
    "font.size": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Names come from users (a profession, an institution): matplotlib must draw every "$" and
    # "\\" as written, never read them as mathtext (which fails, or hides text, on "$x$").
    "text.parse_math": False,
}
# About 6 units a character at FONT_SIZE: a legend column of half the width holds this many.
HALF_WIDTH_CHARACTERS = 22
MINUS = "\u2212"
# matplotlib leaves a series out of the legend when its label starts with "_"; a user's name may.
_LEGEND_GUARD = "\u200b"


def render_svg(fig: Figure, salt: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # Group ids ("figure_1", "axes_1") repeat in every chart; the page needs unique ids. The
    # definitions that are referenced keep theirs (unique per chart through the hash salt). Ticks
    # and the legend keep what they are as a class, for tests and styling.
    svg = re.sub(r'<g id="(xtick|ytick|legend)_\d+"', r'<g class="\1"', svg)
    svg = re.sub(r'<g id="[^"]*"', "<g", svg)
    # Text is real text (svg.fonttype "none"), in the page's font rather than matplotlib's.
    svg = re.sub(r"font-family: [^;\"]*", "font-family: inherit", svg)
    # The figure around it carries the alt text; the viewBox keeps the proportions on resize.
    return svg.replace("<svg ", '<svg class="chart-svg" aria-hidden="true" focusable="false" ', 1)


def cache_key(namespace: str, data: object) -> str:
    digest = hashlib.sha256(repr(data).encode()).hexdigest()[:32]
    return f"chart:{namespace}:{get_language()}:{digest}"


def cached_svg(namespace: str, data: object, draw: Callable[[str], str]) -> str:
    """The SVG for ``data``, drawn by ``draw(key)`` only when the cache does not have it."""
    key = cache_key(f"{namespace}:v{DRAWING}", data)
    svg: str | None = cache.get(key)
    if svg is None:
        with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # the stubs list only literal keys
            svg = draw(key)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def legend_columns(labels: Sequence[str]) -> int:
    """Two legend columns when every label fits half the width, else one."""
    return 2 if max((len(label) for label in labels), default=0) <= HALF_WIDTH_CHARACTERS else 1


def figure_height(labels: Sequence[str] = ()) -> float:
    """The height in inches of a chart of ``WIDTH``: the plot, plus a row for each line of the
    legend below it, so a long legend never squeezes the plot."""
    rows = -(-len(labels) // legend_columns(labels))
    return 2.6 + 0.25 * rows


# Numbers -----------------------------------------------------------------------------------------
def _decimals(value: float) -> int:
    exponent = Decimal(repr(round(float(value), 9))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def format_tick(value: float, decimals: int = 0) -> str:
    """A number as the pages write it (``core.text.format_number``; Danish: 1.060, 2,5) with
    ``decimals`` places and a true minus sign, as typeset text has it."""
    rounded = round(value, decimals) or 0.0  # never "−0"
    text = format_number(rounded, decimals)
    return MINUS + text[1:] if text.startswith("-") else text


class NumberFormatter(Formatter):
    """Every tick label is its tick's exact value, with the decimals the step between ticks needs
    (2,5 stays 2,5; never rounded to 2 or 3), the same number of decimals on every tick."""

    decimals = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.decimals = max((_decimals(v) for v in locs), default=0)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_tick(x, self.decimals)


def value_ticks(values: Iterable[float], *, integer: bool = False) -> list[float]:
    """The ticks of a value axis through ``values``: the one rule for every chart is that the axis
    includes zero; the ticks are exact multiples of 1, 2 or 5 times a power of ten, and the first and
    last tick are the ends of the axis."""
    values = [float(v) for v in values]
    low, high = min([0.0, *values]), max([0.0, *values])
    if low == high:
        high = 1.0
    locator = MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=integer)
    ticks = [float(t) for t in locator.tick_values(low, high)]
    # MaxNLocator may return a tick beyond each end; keep the ticks from the last at or below the
    # lowest value to the first at or above the highest.
    first = max(i for i, t in enumerate(ticks) if t <= low)
    last = min(i for i, t in enumerate(ticks) if t >= high)
    return ticks[first : last + 1]


def value_axis(ax: Axes, values: Iterable[float], *, integer: bool = False) -> None:
    ticks = value_ticks(values, integer=integer)
    pad = (ticks[-1] - ticks[0]) * 0.03  # a marker on an end tick is drawn whole
    ax.set_ylim(ticks[0] - pad, ticks[-1] + pad)
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(NumberFormatter())
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    if ticks[0] < 0 < ticks[-1]:
        ax.axhline(0, color="#555555", linewidth=0.8, linestyle="--")


# Time --------------------------------------------------------------------------------------------
MONTH_STEPS = [1, 2, 3, 4, 6, 12]
YEAR_STEPS = [1, 2, 5, 10, 20, 50, 100]
MAX_MONTH_TICKS = 4  # "sept. 2026" is about 55 units wide
MAX_YEAR_TICKS = 7


def _months(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month(n: int) -> datetime.date:
    return datetime.date(n // 12, n % 12 + 1, 1)


def date_ticks(days: Sequence[datetime.date]) -> list[tuple[datetime.date, str]]:
    """Ticks for a time axis through ``days`` (never empty): the first day of a month, every 1, 2,
    3, 4 or 6 months, labelled "jan. 2026"; or, for longer spans, the first day of a year, labelled
    "2026". Each tick is a different month or year, so no label repeats, and the first and last
    tick enclose every day."""
    first = _months(min(days))
    last = max(days)
    end = _months(last) + (0 if last.day == 1 else 1)
    if end == first:
        first, end = first - 1, end + 1  # one month: the point in the middle of three ticks
    for step in MONTH_STEPS:
        start, stop = first - first % step, -(-end // step) * step
        if (stop - start) // step + 1 <= MAX_MONTH_TICKS:
            return [
                (_month(n), dateformat.format(_month(n), "N Y"))
                for n in range(start, stop + 1, step)
            ]
    first_year = first // 12
    end_year = -(-end // 12)
    for step in YEAR_STEPS:
        start, stop = first_year - first_year % step, -(-end_year // step) * step
        if (stop - start) // step + 1 <= MAX_YEAR_TICKS:
            break
    return [(datetime.date(year, 1, 1), str(year)) for year in range(start, stop + 1, step)]


def date_axis(ax: Axes, days: Sequence[datetime.date]) -> None:
    ticks = date_ticks(days)
    positions = [date2num(day) for day, _label in ticks]
    pad = (positions[-1] - positions[0]) * 0.02
    ax.set_xlim(positions[0] - pad, positions[-1] + pad)
    ax.set_xticks(positions, [label for _day, label in ticks])


def year_axis(ax: Axes, years: Sequence[int]) -> None:
    """Whole years from the first year of data, written as years ("2032", never "2.032"), every 1,
    2, 5… years so that there are at most ``MAX_YEAR_TICKS``."""
    first, last = min(years), max(years)
    step = next(s for s in YEAR_STEPS if (last - first) // s + 1 <= MAX_YEAR_TICKS)
    ticks = list(range(first, last + 1, step))
    pad = max(last - first, 2) * 0.03
    ax.set_xlim(first - pad, last + pad)
    ax.set_xticks(ticks, [str(t) for t in ticks])


# Legends -----------------------------------------------------------------------------------------
LABEL_CHARACTERS = 40


def short_label(name: str) -> str:
    """``name`` cut to ``LABEL_CHARACTERS`` with an ellipsis: a name longer than the chart is wide
    would leave no room for the plot. The table beside the chart gives it in full."""
    return name if len(name) <= LABEL_CHARACTERS else name[: LABEL_CHARACTERS - 1] + "…"


def legend_label(name: str) -> str:
    """``name`` as a series label that matplotlib will not drop from the legend, cut to
    ``short_label``."""
    name = short_label(name)
    return _LEGEND_GUARD + name if name.startswith("_") else name


def legend_below(fig: Figure, ax: Axes) -> None:
    """The legend under the plot, outside it, so it never covers a line (the figure is
    constrained-layout). Labels are shown as written, "_" and all."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    columns = min(legend_columns(labels), len(handles))
    legend = fig.legend(handles, labels, loc="outside lower center", ncols=columns, frameon=False)
    for text in legend.get_texts():
        text.set_text(text.get_text().removeprefix(_LEGEND_GUARD))
