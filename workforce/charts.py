"""Projection charts as inline SVG: matplotlib ``Figure()`` (never pyplot in a server process),
cached on a hash of exactly the data drawn. The templates put a table with the same numbers beside
each chart and the alt text on the surrounding ``<figure>``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from core.charts import OKABE_ITO, cached_svg, render_svg
from core.text import format_number

# Okabe–Ito colours (colour-blind safe); lines also differ by marker and style.
COLOURS = OKABE_ITO
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
STYLES = ["-", "--", "-.", ":", "-", "--", "-."]


def _render(fig: Figure, salt: str) -> str:
    return render_svg(fig, salt)


def _cached(kind: str, data, draw) -> str:
    return cached_svg(f"workforce:{kind}", data, draw)


def _axes(fig: Figure, ylabel: str):
    ax = fig.add_subplot(1, 1, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(round(v))))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def lines(kind: str, years: list[int], series: list[tuple[str, list[float]]], ylabel: str) -> str:
    """One line per series over the years; a dashed zero line when values cross zero."""
    data = (
        tuple(years),
        tuple((label, tuple(round(v, 3) for v in values)) for label, values in series),
    )

    def draw(salt):
        fig = Figure(figsize=(7.5, 3.6), dpi=100, layout="constrained")
        ax = _axes(fig, ylabel)
        for i, (label, values) in enumerate(series):
            ax.plot(
                years,
                values,
                label=label,
                color=COLOURS[i % len(COLOURS)],
                marker=MARKERS[i % len(MARKERS)],
                linestyle=STYLES[i % len(STYLES)],
                markersize=4,
            )
        if any(v < 0 for _label, values in series for v in values):
            ax.axhline(0, color="#555555", linewidth=0.8, linestyle="--")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        return _render(fig, salt)

    return _cached(kind, data, draw)


def shortage_alt(profession_lines: list[tuple[str, list[float]]], years: list[int]) -> str:
    parts = [
        _("%(profession)s %(value)s in %(year)s")
        % {"profession": label, "value": format_number(round(values[-1])), "year": years[-1]}
        for label, values in profession_lines
    ]
    return _("Line chart of the projected shortage per profession, %(first)s–%(last)s: ") % {
        "first": years[0],
        "last": years[-1],
    } + "; ".join(parts)


def supply_alt(years, supply, demand) -> str:
    return _(
        "Line chart of supply against demand, all professions: supply %(s0)s in %(y0)s and "
        "%(s1)s in %(y1)s; demand %(d0)s and %(d1)s."
    ) % {
        "s0": format_number(round(supply[0])),
        "s1": format_number(round(supply[-1])),
        "d0": format_number(round(demand[0])),
        "d1": format_number(round(demand[-1])),
        "y0": years[0],
        "y1": years[-1],
    }
