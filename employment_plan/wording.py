"""The progress engine's results in words, in the user's language: status labels, numbers with their
units in Danish format, and the sentence that says why an indicator has its status.

The engine (``progress.py``) is pure Python and returns a reason key with raw values; this module is
the only place that turns them into text, so the engine runs (and is tested) without Django settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import format_date, format_number

from . import progress
from .progress import HasStatus, Point, Progress

STATUS_LABELS = {
    progress.ACHIEVED: gettext_lazy("Achieved"),
    progress.ON_TRACK: gettext_lazy("On track"),
    progress.AT_RISK: gettext_lazy("At risk"),
    progress.OFF_TRACK: gettext_lazy("Off track"),
    progress.NO_DATA: gettext_lazy("No data"),
    progress.AWAITING_BASELINE: gettext_lazy("Awaiting baseline"),
    progress.BASELINE_MISSING: gettext_lazy("Baseline missing"),
    progress.AWAITING_NEXT: gettext_lazy("Awaiting the next measurement"),
    progress.NOT_DELIVERED: gettext_lazy("Not delivered yet"),
}

UNIT_SUFFIX = {
    progress.PERCENT: "%",
    "persons": gettext_lazy("persons"),
    "fte": gettext_lazy("full-time persons"),
    "companies": gettext_lazy("companies"),
    "dkk": gettext_lazy("kr."),
    "count": "",
}


# The numbers an inconsistency in a source document records beside its note (fixtures'
# ``inconsistency`` mappings), by key: what a reader sees instead of the key.
INCONSISTENCY_LABELS = {
    "values": gettext_lazy("Numbers in the document"),
    "stated_level": gettext_lazy("Level stated"),
    "stated_change_pp": gettext_lazy("Change stated (percentage points)"),
    "stated_baseline": gettext_lazy("Baseline stated"),
    "implied_level": gettext_lazy("Level that follows"),
    "implied_change_pp": gettext_lazy("Change that follows (percentage points)"),
    "implied_baseline": gettext_lazy("Baseline that follows"),
}


def inconsistency_label(key: str) -> str:
    """A key of an inconsistency mapping in words; a key without a label is "a figure"."""
    return str(INCONSISTENCY_LABELS.get(key, gettext_lazy("Figure")))


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def summarise(results: Iterable[HasStatus]) -> list[tuple[str, str, int]]:
    """(status, label, count) for each status present, worst first."""
    return [(s, status_label(s), n) for s, n in progress.count_by_status(results)]


def format_value(value: Decimal | float | int | None, unit: str) -> str:
    text = format_number(value)
    suffix = str(UNIT_SUFFIX.get(unit, ""))
    return f"{text}\u00a0{suffix}" if suffix and value is not None else text


def _latest_text(point: Point, unit: str) -> str:
    text = f"{format_value(point.value, unit)} ({format_date(point.date)})"
    if point.provisional:
        text = _("%(value)s, provisional") % {"value": text}
    return text


def _whole(value: Decimal | None) -> str:
    return format_number((value or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Why a status is what it is, by ``Progress.reason``: sentences without numbers, those for a
# deliverable with nothing recorded, and those with the latest value (and target, baseline).
_PLAIN = {
    progress.REASON_ONLY_AFTER_TARGET: gettext_lazy(
        "There are no measurements up to the target date; later ones do not count towards "
        "this target."
    ),
    progress.REASON_NO_MEASUREMENTS: gettext_lazy("No measurements yet."),
    progress.REASON_CHANGE_WITHOUT_BASELINE: gettext_lazy(
        "The target is a change, but no baseline is recorded."
    ),
}
_NOTHING_DELIVERED = {
    progress.REASON_NOT_DELIVERED: gettext_lazy("Not delivered yet; no delivery is recorded."),
    progress.REASON_NOT_DELIVERED_IN_TIME: gettext_lazy(
        "The due date has passed and no delivery is recorded."
    ),
}
_WITH_VALUES = {
    progress.REASON_DIRECTION_ONLY: gettext_lazy(
        "The target is a change in the right direction from the baseline %(baseline)s; "
        "the latest value is %(value)s."
    ),
    progress.REASON_ACHIEVED: gettext_lazy(
        "The latest value, %(value)s, meets the target of %(target)s."
    ),
    progress.REASON_NO_LONGER_MET: gettext_lazy(
        "The baseline already met the target of %(target)s, but the latest value, "
        "%(value)s, no longer does."
    ),
    progress.REASON_TARGET_DATE_PASSED: gettext_lazy(
        "The target date has passed and the latest value, %(value)s, misses the target "
        "of %(target)s."
    ),
    progress.REASON_NO_STATED_BASELINE: gettext_lazy(
        "The plan states no baseline, and the only measurement, %(value)s, is the "
        "starting point: progress towards the target of %(target)s can be judged from "
        "the next measurement."
    ),
    progress.REASON_ONLY_BASELINE: gettext_lazy(
        "The only measurement so far, %(value)s, is the baseline: progress can be judged from "
        "the next measurement."
    ),
    progress.REASON_DELIVERED: gettext_lazy(
        "Delivered: the latest measurement, %(value)s, records it."
    ),
    progress.REASON_NOT_DELIVERED: gettext_lazy(
        "Not delivered yet: the latest measurement is %(value)s."
    ),
    progress.REASON_NOT_DELIVERED_IN_TIME: gettext_lazy(
        "The due date has passed and it is not delivered: the latest measurement is %(value)s."
    ),
    progress.REASON_PROGRESS_VS_EXPECTED: gettext_lazy(
        "The latest value, %(value)s, has come %(progress)s %% of the way from the "
        "baseline %(baseline)s to the target of %(target)s; %(expected)s %% was expected "
        "by then."
    ),
}


def explain(result: Progress) -> str:
    """Why ``result`` has its status, in one sentence."""
    reason, unit = result.reason, result.unit
    if reason == progress.REASON_AWAITING_PERIOD:
        return _(
            "Awaiting the baseline (%(period)s); the target becomes a level once it is measured."
        ) % {"period": result.baseline_period or _("period not stated")}
    if reason in _PLAIN:
        return str(_PLAIN[reason])
    if result.latest is None:
        return str(_NOTHING_DELIVERED.get(reason, ""))
    if reason not in _WITH_VALUES:
        return ""
    values = {
        "value": _latest_text(result.latest, unit),
        "target": format_value(result.target, unit),
        "baseline": format_value(result.baseline_value, unit),
        "progress": _whole(result.progress),
        "expected": _whole(result.expected_at_latest),
    }
    return str(_WITH_VALUES[reason]) % values
