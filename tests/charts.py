"""Reading a drawn chart the way a user reads it: the labels under each tick of each axis and the
legend, from the SVG's text (``svg.fonttype`` "none": text is text, for tests and screen readers
alike), and the checks every chart must pass."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from defusedxml import ElementTree as ET
from django.utils import dateformat

SVG = "{http://www.w3.org/2000/svg}"
PHONE_CONTAINER_PX = 343  # a 375 px wide phone less the page's margins
NICE = {Decimal(1), Decimal(2), Decimal(5)}


def chart_svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, re.S)


def _text_elements(svg: str, group: str | None):
    root = ET.fromstring(svg)
    if group is None:
        return list(root.iter(f"{SVG}text"))
    return [
        text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == group
        for text in g.iter(f"{SVG}text")
    ]


def texts(svg: str, group: str | None = None) -> list[str]:
    """The text of every ``<g class="{group}">`` (xtick, ytick, legend), in drawing order; without
    a group, all the chart's text."""
    return ["".join(text.itertext()) for text in _text_elements(svg, group)]


def text_positions(svg: str, group: str) -> list[float]:
    """The y coordinates of the text in ``<g class="{group}">``."""
    return [float(text.get("y")) for text in _text_elements(svg, group)]


def danish_number(label: str) -> Decimal:
    """A tick label in Danish format as its number; fails on any other format."""
    assert re.fullmatch(r"\u2212?\d{1,3}(\.\d{3})*(,\d+)?", label), label
    return Decimal(label.replace("\u2212", "-").replace(".", "").replace(",", "."))


def assert_honest_value_axis(labels: list[str], values: list[float]) -> None:
    """The value axis includes zero and every value; its ticks are exact, equally spaced multiples
    of 1, 2 or 5 times a power of ten, each written in Danish format with the same decimals."""
    ticks = [danish_number(label) for label in labels]
    assert len(set(labels)) == len(labels) >= 2, labels
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1, labels
    (step,) = steps
    assert step.scaleb(-step.adjusted()).normalize() in NICE, labels
    assert all(t % step == 0 for t in ticks), labels
    low, high = min([0.0, *values]), max([0.0, *values])
    assert ticks[0] <= Decimal(str(low)) < ticks[0] + step, (labels, low)
    assert ticks[-1] - step < Decimal(str(high)) <= ticks[-1], (labels, high)
    decimals = {len(label.partition(",")[2]) for label in labels}
    exponent = step.normalize().as_tuple().exponent
    assert isinstance(exponent, int), step  # a finite step
    assert len(decimals) == 1 and decimals.pop() == max(0, -exponent)


def month_ticks(labels: list[str]) -> list[datetime.date]:
    """Month tick labels ("jan. 2026", "marts 2026") as the months they name, in Danish."""
    names = {dateformat.format(datetime.date(2000, m, 1), "N"): m for m in range(1, 13)}
    months = []
    for label in labels:
        name, _space, year = label.rpartition(" ")
        assert name in names and re.fullmatch(r"\d{4}", year), label
        months.append(datetime.date(int(year), names[name], 1))
    return months


def font_px_at_phone_width(svg: str) -> list[float]:
    """The size in CSS px of every text when the SVG is scaled down to a phone's container."""
    root = ET.fromstring(svg)
    width, view_box = root.get("width"), root.get("viewBox")
    assert width is not None and view_box is not None, "an SVG without its size"
    width_px = float(width.removesuffix("pt")) * 4 / 3
    view_width = float(view_box.split()[2])
    scale = min(PHONE_CONTAINER_PX, width_px) / view_width
    sizes = [
        float(m.group(1))
        for text in root.iter(f"{SVG}text")
        if (m := re.search(r"font-size: ([\d.]+)px", text.get("style", "")))
    ]
    assert sizes, "no text in the chart"
    return [size * scale for size in sizes]
