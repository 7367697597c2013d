"""Charts as inline SVG: matplotlib ``Figure()`` (never pyplot in a server process), cached on a
hash of exactly the data drawn, so an unchanged chart is never redrawn. Each chart comes with alt
text; the templates put a table with the same numbers right after it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from core.charts import (
    WIDTH,
    cached_svg,
    date_axis,
    figure_height,
    legend_below,
    legend_label,
    render_svg,
    value_axis,
)
from core.text import format_date

from . import progress, wording
from .models import Unit

SPARKLINE_POINTS = 24
# Units counted in whole things: their axis never has a tick between two whole numbers.
WHOLE_UNITS = {Unit.PERSONS, Unit.COMPANIES, Unit.COUNT}
# Okabe–Ito colours (colour-blind safe); every series also differs by line style or marker.
COLOURS = {
    "measured": "#0072B2",
    "target": "#D55E00",
    "expected": "#555555",
    "forecast": "#009E73",
    "comparison": ["#CC79A7", "#E69F00", "#56B4E9", "#999999"],
}


@dataclass(frozen=True)
class Row:
    """One line of the table that accompanies the indicator chart."""

    date: datetime.date
    value: Decimal | None = None
    provisional: bool = False
    expected: Decimal | None = None
    comparisons: tuple[Decimal | None, ...] = ()
    note: str = ""


def _render(fig: Figure, salt: str) -> str:
    return render_svg(fig, salt)


def _cached(kind: str, data, draw) -> str:
    return cached_svg(f"employment_plan:{kind}", data, draw)


# Sparkline ---------------------------------------------------------------------------------------
def sparkline_points(result: progress.Progress) -> list[progress.Point]:
    return list(result.series[-SPARKLINE_POINTS:])


def sparkline(result: progress.Progress) -> str:
    """A small trend line of the latest measurements, with the target as a dashed line."""
    points = sparkline_points(result)
    if not points:
        return ""
    data = (tuple((p.date, p.value, p.provisional) for p in points), result.target)

    def draw(key):
        fig = Figure(figsize=(2.4, 0.7), dpi=72)
        ax = fig.add_axes((0.02, 0.1, 0.96, 0.8))
        xs = [date2num(p.date) for p in points]
        ys = [float(p.value) for p in points]
        ax.plot(xs, ys, color=COLOURS["measured"], linewidth=1.5, marker="o", markersize=2.5)
        if result.target is not None:
            ax.axhline(float(result.target), color=COLOURS["target"], linestyle="--", linewidth=1)
        ax.set_axis_off()
        return _render(fig, key)

    return _cached("spark", data, draw)


def sparkline_alt(result: progress.Progress, unit: str) -> str:
    points = sparkline_points(result)
    if not points:
        return ""
    first, last = points[0], points[-1]
    return _(
        "Trend from %(first)s (%(first_date)s) to %(last)s (%(last_date)s), "
        "measurements shown: %(count)s; target %(target)s."
    ) % {
        "count": len(points),
        "first": wording.format_value(first.value, unit),
        "first_date": format_date(first.date),
        "last": wording.format_value(last.value, unit),
        "last_date": format_date(last.date),
        "target": wording.format_value(result.target, unit),
    }


# The indicator chart -----------------------------------------------------------------------------
def expected_value(result: progress.Progress, day: datetime.date, target_date) -> Decimal | None:
    if result.baseline_value is None or result.target is None or result.expected_from is None:
        return None
    share = progress.expected_progress(result.expected_from, target_date, day)
    if share is None:
        return None
    return progress._dec(
        result.baseline_value + (result.target - result.baseline_value) * share / 100
    )


def table_rows(indicator, result: progress.Progress, comparison_names: list[str]) -> list[Row]:
    """Every date that is drawn, with the measured, expected and comparison values."""
    by_date: dict[datetime.date, dict] = {}
    for measured in result.series:
        by_date.setdefault(measured.date, {})["point"] = measured
    for c in indicator.comparisons.all():
        by_date.setdefault(c.date, {}).setdefault("comparisons", {})[c.municipality.name] = c.value
    for special in (result.expected_from, result.baseline_date, indicator.target_date):
        if special is not None:
            by_date.setdefault(special, {})
    # Where each value comes from (“Jobindsats.dk”, “Demodata”): the prefetched rows, by id.
    sources = {m.pk: m.data_source for m in indicator.measurements.all()}
    rows = []
    for day in sorted(by_date):
        entry = by_date[day]
        point = entry.get("point")
        notes = []
        if point is not None and sources.get(point.seq):
            notes.append(sources[point.seq])
        if day == result.baseline_date:
            notes.append(_("baseline"))
        if day == indicator.target_date:
            notes.append(_("target date"))
        rows.append(
            Row(
                date=day,
                value=point.value if point else None,
                provisional=bool(point and point.provisional),
                expected=expected_value(result, day, indicator.target_date),
                comparisons=tuple(
                    entry.get("comparisons", {}).get(name) for name in comparison_names
                ),
                note=", ".join(str(n) for n in notes),
            )
        )
    return rows


def indicator_chart(indicator, result: progress.Progress, comparison_names: list[str]) -> str:
    comparisons = [
        (c.municipality.name, c.date, c.value)
        for c in indicator.comparisons.all()
        if c.municipality.name in comparison_names
    ]
    forecast = result.forecast
    forecast_line = None
    if forecast is not None and result.series and indicator.target_date:
        start = result.latest.date if result.latest else result.series[-1].date
        forecast_line = (
            (start, forecast.value_at(start)),
            (indicator.target_date, forecast.value_at_target_date),
        )
    data = (
        indicator.unit,
        tuple((p.date, p.value, p.provisional) for p in result.series),
        result.baseline_value,
        result.baseline_date,
        result.expected_from,
        result.target,
        indicator.target_date,
        tuple(comparisons),
        forecast_line,
    )
    has_baseline = result.baseline_value is not None and result.baseline_date is not None
    # Without a dated value there is no time to draw an axis for (it would be 1970): no chart, and
    # the table says that there are no measurements yet.
    if not result.series and not comparisons and not has_baseline:
        return ""

    def draw(key):
        # (label, draw): known before the figure is made, so the legend below gets its own room.
        entries = []
        days: list[datetime.date] = []
        values: list[Decimal] = []

        def line(points, label, **style):
            """A series through (date, value) points; the axes are drawn to take in every point."""
            days.extend(day for day, _value in points)
            values.extend(value for _day, value in points)
            xs = [date2num(day) for day, _value in points]
            ys = [float(value) for _day, value in points]
            label = legend_label(label)
            entries.append((label, lambda ax: ax.plot(xs, ys, label=label, **style)))

        if result.series:
            line(
                [(p.date, p.value) for p in result.series],
                _("Measured"),
                color=COLOURS["measured"],
                marker="o",
                markersize=4,
                linewidth=2,
            )
            provisional = [(p.date, p.value) for p in result.series if p.provisional]
            if provisional:
                line(
                    provisional,
                    _("Provisional"),
                    linestyle="none",
                    marker="o",
                    markersize=7,
                    markerfacecolor="white",
                    color=COLOURS["measured"],
                )
        if result.baseline_value is not None and result.baseline_date is not None:
            baseline_value, baseline_date = result.baseline_value, result.baseline_date
            line(
                [(baseline_date, baseline_value)],
                _("Baseline"),
                marker="s",
                markersize=7,
                linestyle="none",
                color=COLOURS["expected"],
            )
            if result.target is not None and indicator.target_date:
                # Where the expected path starts: the baseline, or the plan's start (progress.py).
                start = result.expected_from or baseline_date or indicator.target_date
                line(
                    [(start, baseline_value), (indicator.target_date, result.target)],
                    _("Expected path"),
                    color=COLOURS["expected"],
                    linestyle=":",
                    linewidth=1.5,
                )
        if result.target is not None:
            target = float(result.target)
            values.append(result.target)
            entries.append(
                (
                    _("Target"),
                    lambda ax: ax.axhline(
                        target,
                        color=COLOURS["target"],
                        linestyle="--",
                        linewidth=1.5,
                        label=_("Target"),
                    ),
                )
            )
        if forecast_line:
            line(
                forecast_line,
                _("Forecast"),
                color=COLOURS["forecast"],
                linestyle="-.",
                linewidth=1.5,
            )
        for n, name in enumerate(comparison_names):
            own = [(d, v) for m, d, v in comparisons if m == name]
            if own:
                line(
                    own,
                    name,
                    color=COLOURS["comparison"][n % len(COLOURS["comparison"])],
                    marker="^",
                    markersize=4,
                    linewidth=1,
                )
        labels = [label for label, _draw in entries]
        fig = Figure(figsize=(WIDTH, figure_height(labels)), layout="constrained")
        ax = fig.add_subplot(1, 1, 1)
        for _label, add in entries:
            add(ax)
        value_axis(ax, [float(v) for v in values], integer=indicator.unit in WHOLE_UNITS)
        date_axis(ax, days)
        legend_below(fig, ax)
        return _render(fig, key)

    return _cached("indicator", data, draw)


def indicator_alt(indicator, result: progress.Progress) -> str:
    unit = indicator.unit
    parts = [
        _("Chart of %(title)s.") % {"title": indicator.code},
        str(result.explanation),
    ]
    if result.series:
        parts.append(
            _("Measurements from %(first)s to %(last)s: %(count)s.")
            % {
                "count": len(result.series),
                "first": format_date(result.series[0].date),
                "last": format_date(result.series[-1].date),
            }
        )
    if result.forecast is not None:
        parts.append(
            _("The straight-line forecast for the target date is %(value)s.")
            % {"value": wording.format_value(result.forecast.value_at_target_date, unit)}
        )
    return " ".join(parts)
