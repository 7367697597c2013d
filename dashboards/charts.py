"""Dashboard charts: horizontal bars of counts by status, drawn with matplotlib ``Figure()`` (never
pyplot) to inline SVG through the employment plan's render and cache helpers.

The cache key is a digest of exactly what is drawn (labels, colours, counts, the language), so an
unchanged chart is never redrawn, whatever else changed, and a changed one never shown stale. Status is
never told by colour alone: every bar carries its status word on the axis, its count as text, and a
hatch pattern of its own. The template puts a table with the same numbers beside each chart."""

from __future__ import annotations

from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from core.charts import FONT_SIZE, WIDTH, cached_svg, render_svg, short_label
from core.text import format_number
from employment_plan import progress

HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
INDICATOR_COLOURS = {
    progress.ACHIEVED: "#009E73",
    progress.ON_TRACK: "#0072B2",
    progress.AT_RISK: "#E69F00",
    progress.OFF_TRACK: "#D55E00",
    progress.AWAITING_BASELINE: "#999999",
    progress.NO_DATA: "#BBBBBB",
}


def draw_status_bars(rows: list[tuple[str, str, int]], salt: str) -> str:
    """rows: (label, colour, count), drawn top to bottom in the given order."""
    height = 0.45 * len(rows) + 0.5
    # Constrained layout: a long status name narrows the bars instead of being cut off.
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    labels = [short_label(label) for label, _colour, _n in rows]
    counts = [n for _label, _colour, n in rows]
    positions = list(range(len(rows)))[::-1]
    bars = ax.barh(
        positions,
        counts,
        color=[colour for _label, colour, _n in rows],
        edgecolor="#1A1A1A",
        linewidth=0.8,
        height=0.7,
    )
    for n, bar in enumerate(bars):
        bar.set_hatch(HATCHES[n % len(HATCHES)])
    top = max(counts) if counts else 1
    for y, n in zip(positions, counts, strict=True):
        ax.text(
            n + top * 0.02,
            y,
            format_number(n),
            va="center",
            ha="left",
            fontsize=FONT_SIZE,
            color="#1A1A1A",
        )
    ax.set_yticks(positions, labels, fontsize=FONT_SIZE, color="#1A1A1A")
    ax.set_xlim(0, top * 1.18 or 1)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    return render_svg(fig, salt)


def status_chart(kind: str, rows: list[tuple[str, str, int]], version=None) -> str:
    """The SVG for ``rows``, from the cache when the same data was drawn before. ``version`` only
    forces a new drawing (the benchmark's cache-miss timing)."""
    if not rows:
        return ""
    data = (version, tuple(rows))
    return cached_svg(f"dashboards:{kind}", data, lambda key: draw_status_bars(rows, key))


def recommendation_rows(status_totals) -> list[tuple[str, str, int]]:
    return [(str(status.label), status.colour, n) for status, n in status_totals]


def indicator_rows(summary) -> list[tuple[str, str, int]]:
    return [(str(label), INDICATOR_COLOURS.get(key, "#999999"), n) for key, label, n in summary]


def alt_text(title: str, rows: list[tuple[str, str, int]]) -> str:
    parts = ", ".join(f"{label}: {format_number(n)}" for label, _c, n in rows)
    total = sum(n for _label, _c, n in rows)
    return _("%(title)s. %(parts)s. Total: %(total)s.") % {
        "title": title,
        "parts": parts,
        "total": format_number(total),
    }
