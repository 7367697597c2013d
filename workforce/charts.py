"""Projection charts as inline SVG: matplotlib ``Figure()`` (never pyplot in a server process),
cached on a hash of exactly the data drawn. The templates put a table with the same numbers beside
each chart and the alt text on the surrounding ``<figure>``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from core.charts import (
    OKABE_ITO,
    WIDTH,
    cached_svg,
    figure_height,
    legend_below,
    legend_label,
    render_svg,
    value_axis,
    year_axis,
)
from core.text import format_number

# Okabe–Ito colours (colour-blind safe); lines also differ by marker and style.
COLOURS = OKABE_ITO
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
STYLES = ["-", "--", "-.", ":", "-", "--", "-."]


def _render(fig: Figure, salt: str) -> str:
    return render_svg(fig, salt)


def _cached(kind: str, data, draw) -> str:
    return cached_svg(f"workforce:{kind}", data, draw)


def lines(kind: str, years: list[int], series: list[tuple[str, list[float]]], ylabel: str) -> str:
    """One line per series over the years, the legend below; the value axis includes zero (a
    dashed zero line when values cross it), in whole persons."""
    data = (
        tuple(years),
        tuple((label, tuple(round(v, 3) for v in values)) for label, values in series),
    )

    def draw(salt):
        fig = Figure(
            figsize=(WIDTH, figure_height([legend_label(label) for label, _v in series])),
            layout="constrained",
        )
        ax = fig.add_subplot(1, 1, 1)
        for i, (label, values) in enumerate(series):
            ax.plot(
                years,
                values,
                label=legend_label(label),
                color=COLOURS[i % len(COLOURS)],
                marker=MARKERS[i % len(MARKERS)],
                linestyle=STYLES[i % len(STYLES)],
                markersize=4,
            )
        value_axis(ax, [v for _label, values in series for v in values], integer=True)
        year_axis(ax, years)
        ax.set_ylabel(ylabel)
        legend_below(fig, ax)
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
