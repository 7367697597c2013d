"""The progress engine: where an indicator stands against its target. Pure Python, no ORM, no request.

Formulas (docs/employment-plan.md explains each decision):

- absolute target T: the stated level (absolute, all-or-nothing, frequency); B × (1 + r/100) for a
  relative change of r %; B + p for a change of p percentage points. Unknown until B is known.
- progress = (current − B) ÷ (T − B), as a percentage; reported raw and clamped to 0–100.
- achieved: current ≥ T when higher is better, current ≤ T when lower is better.
- expected progress at a date d: (d − start) ÷ (target date − start), clamped; the start is the
  baseline date, or the plan's start when the baseline is only the first measurement (no stated one).
- status: achieved; off track once the target date has passed (or its measurement is in) and the
  latest value misses; otherwise
  by how far actual progress lags the expected progress *at the date of the latest measurement*
  (so reporting lag is not counted as falling behind); thresholds in percentage points. A level
  target whose only measurement is its own starting point (no stated baseline) has nothing to be
  judged on: *baseline missing*, never *on track*. A one-off deliverable is achieved when delivered,
  off track once its date has passed undelivered, and otherwise *not delivered yet*.
- forecast: least-squares straight line through three or more measurements, extended to the target
  date, with the date the line reaches the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

LOWER, HIGHER = "lower", "higher"
ABSOLUTE = "absolute"
RELATIVE = "relative"
PERCENTAGE_POINTS = "percentage_points"
ALL_OR_NOTHING = "all_or_nothing"
FREQUENCY = "frequency"
DELIVERABLE = "deliverable"
PERCENT = "percent"

ACHIEVED = "achieved"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
AWAITING_BASELINE = "awaiting_baseline"
BASELINE_MISSING = "baseline_missing"
# The baseline has been measured (in the period the plan names) and nothing since: no progress yet.
AWAITING_NEXT = "awaiting_next"
NOT_DELIVERED = "not_delivered"

# Why a status is what it is (``Progress.reason``); ``employment_plan.wording`` words each one.
REASON_AWAITING_PERIOD = "awaiting_period"
REASON_NO_MEASUREMENTS = "no_measurements"
REASON_ONLY_AFTER_TARGET = "only_after_target"
REASON_CHANGE_WITHOUT_BASELINE = "change_without_baseline"
REASON_DIRECTION_ONLY = "direction_only"
REASON_ACHIEVED = "achieved"
REASON_NO_LONGER_MET = "no_longer_met"
REASON_TARGET_DATE_PASSED = "target_date_passed"
REASON_PROGRESS_VS_EXPECTED = "progress_vs_expected"
REASON_NO_STATED_BASELINE = "no_stated_baseline"
REASON_ONLY_BASELINE = "only_baseline"
REASON_DELIVERED = "delivered"
REASON_NOT_DELIVERED = "not_delivered"
REASON_NOT_DELIVERED_IN_TIME = "not_delivered_in_time"

# Worst first: the order a summary counts them in.
STATUS_ORDER = [
    OFF_TRACK,
    AT_RISK,
    ON_TRACK,
    ACHIEVED,
    NOT_DELIVERED,
    BASELINE_MISSING,
    AWAITING_NEXT,
    AWAITING_BASELINE,
    NO_DATA,
]

HUNDRED = Decimal(100)
FOUR_PLACES = Decimal("0.0001")
MAX_FORECAST_DAYS = 365 * 50


@dataclass(frozen=True)
class Thresholds:
    """How many percentage points of progress an indicator may lag the expected path."""

    at_risk: Decimal = Decimal(10)
    off_track: Decimal = Decimal(25)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class IndicatorSpec:
    unit: str
    direction: str
    target_kind: str
    target_value: Decimal | None
    target_date: date | None
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    awaiting_baseline: bool = False
    baseline_period: str = ""
    # Where the expected path starts when the plan states no baseline (the first measurement is
    # then only where the indicator happened to be when first measured).
    plan_start: date | None = None


@dataclass(frozen=True)
class Point:
    date: date
    value: Decimal
    provisional: bool = False
    seq: int = 0  # entry order: of two on one date, the later entered wins


@dataclass(frozen=True)
class Forecast:
    origin: date
    intercept: float
    slope_per_day: float
    points: int
    value_at_target_date: Decimal
    meets_target_on: date | None

    def value_at(self, day: date) -> Decimal:
        return _dec(self.intercept + self.slope_per_day * (day - self.origin).days)

    @property
    def slope_per_year(self) -> Decimal:
        return _dec(self.slope_per_day * 365.25)


class HasStatus(Protocol):
    """What counting by status reads of a result: a ``Progress``, or only its status."""

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Progress:
    status: str
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    baseline_inferred: bool = False
    # The baseline is the first measurement because the plan states none (not a measured baseline
    # the plan names): shown as such, and the expected path starts at the plan's start.
    baseline_from_first: bool = False
    expected_from: date | None = None
    target: Decimal | None = None
    latest: Point | None = None
    progress_raw: Decimal | None = None
    progress: Decimal | None = None
    achieved: bool | None = None
    expected: Decimal | None = None
    expected_at_latest: Decimal | None = None
    forecast: Forecast | None = None
    target_met_at_baseline: bool = False
    ignored_after_target: int = 0
    series: tuple[Point, ...] = field(default=())
    # Why the status is what it is: a key and the raw values the sentence needs. The sentence itself
    # is worded in the user's language by ``employment_plan.wording`` (the engine knows no Django).
    reason: str = ""
    unit: str = ""
    baseline_period: str = ""

    @property
    def explanation(self) -> str:
        from .wording import explain

        return explain(self)

    @property
    def status_label(self) -> str:
        from .wording import status_label

        return status_label(self.status)

    @property
    def provisional(self) -> bool:
        return bool(self.latest and self.latest.provisional)


# Helpers ---------------------------------------------------------------------------------------
def _dec(value: Decimal | float | int | str) -> Decimal:
    result = Decimal(str(value)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    return result.copy_abs() if result == 0 else result  # never "−0"


def period_bounds(text: str | None) -> tuple[date, date] | None:
    """``"2025"`` → the year; ``"2025-12"`` → the month; ``"2025-12-31"`` → that day."""
    if not text:
        return None
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return date(numbers[0], 1, 1), date(numbers[0], 12, 31)
        if len(numbers) == 2:
            year, month = numbers
            start = date(year, month, 1)
            end = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
            return start, end
        if len(numbers) == 3:
            day = date(*numbers)
            return day, day
    except ValueError:
        return None
    return None


def absolute_target(spec: IndicatorSpec, baseline: Decimal | None) -> Decimal | None:
    """The level to reach: stated, or derived from a relative target and the baseline."""
    value = spec.target_value
    if value is None:
        return None
    if spec.target_kind == RELATIVE:
        if baseline is None:
            return None
        return _dec(Decimal(baseline) * (1 + Decimal(value) / HUNDRED))
    if spec.target_kind == PERCENTAGE_POINTS:
        if baseline is None:
            return None
        return _dec(Decimal(baseline) + Decimal(value))
    return _dec(value)


def deduplicate(points: Iterable[Point]) -> list[Point]:
    """One point per date: a final value beats a provisional one; then the later entered wins."""
    best: dict[date, Point] = {}
    for point in points:
        current = best.get(point.date)
        if current is None or (not point.provisional, point.seq) > (
            not current.provisional,
            current.seq,
        ):
            best[point.date] = point
    return [best[d] for d in sorted(best)]


def baseline_from_period(period: str, series: list[Point]) -> Point | None:
    """The measurement that is the baseline: the latest in the named period (any, when none named)."""
    bounds = period_bounds(period)
    if bounds is None:
        return series[0] if series and not period else None
    inside = [p for p in series if bounds[0] <= p.date <= bounds[1]]
    return inside[-1] if inside else None


def is_better_or_equal(value: Decimal, target: Decimal, direction: str) -> bool:
    return value >= target if direction == HIGHER else value <= target


def needs_improvement(baseline: Decimal, target: Decimal, direction: str) -> bool:
    """Whether the target lies on the better side of the baseline (otherwise it is met already)."""
    return target > baseline if direction == HIGHER else target < baseline


def expected_progress(
    baseline_date: date | None, target_date: date | None, day: date
) -> Decimal | None:
    if baseline_date is None or target_date is None:
        return None
    if target_date <= baseline_date:
        return HUNDRED
    share = Decimal((day - baseline_date).days) / Decimal((target_date - baseline_date).days)
    return _dec(min(max(share, Decimal(0)), Decimal(1)) * HUNDRED)


def linear_forecast(
    series: list[Point], target: Decimal | None, target_date: date, direction: str
) -> Forecast | None:
    """Least squares through three or more points, extended to the target date."""
    if len(series) < 3:
        return None
    origin = series[0].date
    xs = [(p.date - origin).days for p in series]
    ys = [float(p.value) for p in series]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    at_target = intercept + slope * (target_date - origin).days
    meets_on = None
    latest = series[-1]
    if target is not None and not is_better_or_equal(latest.value, target, direction):
        improving = slope > 0 if direction == HIGHER else slope < 0
        if improving:
            day = (float(target) - intercept) / slope
            if day <= MAX_FORECAST_DAYS:
                meets_on = max(origin + timedelta(days=round(day)), latest.date)
    return Forecast(
        origin=origin,
        intercept=intercept,
        slope_per_day=slope,
        points=n,
        value_at_target_date=_dec(at_target),
        meets_target_on=meets_on,
    )


# The engine ------------------------------------------------------------------------------------
def evaluate(
    spec: IndicatorSpec,
    points: Iterable[Point],
    as_of: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Progress:
    series_all = deduplicate(points)
    known = [p for p in series_all if p.date <= as_of]
    needs_baseline = spec.target_kind in (RELATIVE, PERCENTAGE_POINTS)

    baseline, baseline_date, inferred = spec.baseline_value, spec.baseline_date, False
    from_first = False
    if baseline is None and spec.awaiting_baseline:
        found = baseline_from_period(spec.baseline_period, known)
        if found is None:
            return Progress(
                status=AWAITING_BASELINE,
                latest=known[-1] if known else None,
                series=tuple(series_all),
                reason=REASON_AWAITING_PERIOD,
                unit=spec.unit,
                baseline_period=spec.baseline_period,
            )
        baseline, baseline_date, inferred = found.value, found.date, True
        # With no period named, the plan does not say where the baseline lies: the first one.
        from_first = not spec.baseline_period

    cutoff = as_of if spec.target_date is None else min(as_of, spec.target_date)
    judged = [p for p in series_all if p.date <= cutoff]
    after_target = sum(
        1 for p in known if spec.target_date is not None and p.date > spec.target_date
    )
    if spec.target_kind == DELIVERABLE:
        return _deliverable(spec, judged, as_of, after_target, series_all)
    if not judged:
        return Progress(
            status=NO_DATA,
            baseline_value=baseline,
            baseline_date=baseline_date,
            baseline_inferred=inferred,
            expected_from=baseline_date,
            target=absolute_target(spec, baseline),
            ignored_after_target=after_target,
            series=tuple(series_all),
            reason=REASON_ONLY_AFTER_TARGET if after_target else REASON_NO_MEASUREMENTS,
            unit=spec.unit,
        )

    latest = judged[-1]
    if baseline is None:
        if needs_baseline:
            return Progress(
                status=AWAITING_BASELINE,
                latest=latest,
                series=tuple(series_all),
                reason=REASON_CHANGE_WITHOUT_BASELINE,
                unit=spec.unit,
            )
        # No stated baseline: the first measurement is where the indicator started.
        baseline, baseline_date, inferred = judged[0].value, judged[0].date, True
        from_first = True

    # A first measurement taken after the plan began is no excuse for progress expected since.
    expected_from = baseline_date
    if from_first and spec.plan_start is not None and baseline_date is not None:
        expected_from = min(spec.plan_start, baseline_date)
    target = absolute_target(spec, baseline)
    common: dict[str, Any] = {
        "baseline_value": baseline,
        "baseline_date": baseline_date,
        "baseline_inferred": inferred,
        "baseline_from_first": from_first,
        "expected_from": expected_from,
        "target": target,
        "latest": latest,
        "ignored_after_target": after_target,
        "series": tuple(series_all),
        "unit": spec.unit,
    }
    expected = expected_progress(expected_from, spec.target_date, as_of)
    expected_at_latest = expected_progress(expected_from, spec.target_date, latest.date)
    forecast = None
    if spec.target_date is not None:
        forecast = linear_forecast(judged, target, spec.target_date, spec.direction)
    common.update(expected=expected, expected_at_latest=expected_at_latest, forecast=forecast)

    if target is None:
        # A direction without a size ("the share falls"): any improvement on the baseline counts.
        achieved = latest.value != baseline and is_better_or_equal(
            latest.value, baseline, spec.direction
        )
        passed = spec.target_date is not None and (
            latest.date >= spec.target_date or as_of > spec.target_date
        )
        if not achieved and not passed and latest.date == baseline_date and inferred:
            return _only_the_baseline(from_first, common)
        status = ACHIEVED if achieved else (OFF_TRACK if passed else AT_RISK)
        return Progress(
            status=status,
            achieved=achieved,
            reason=REASON_DIRECTION_ONLY,
            **common,
        )

    return _judge_level(spec, target, latest, as_of, from_first, thresholds, common)


def _judge_level(
    spec: IndicatorSpec,
    target: Decimal,
    latest: Point,
    as_of: date,
    from_first: bool,
    thresholds: Thresholds,
    common: dict[str, Any],
) -> Progress:
    """The status of a level to reach, from the baseline, the latest value and the expected path."""
    baseline, expected_at_latest = common["baseline_value"], common["expected_at_latest"]
    achieved = is_better_or_equal(latest.value, target, spec.direction)
    if not needs_improvement(baseline, target, spec.direction):
        raw = None
        clamped = HUNDRED if achieved else Decimal(0)
        met_at_baseline = True
    else:
        raw = _dec((latest.value - baseline) / (target - baseline) * HUNDRED)
        clamped = min(max(raw, Decimal(0)), HUNDRED)
        met_at_baseline = False
    common.update(
        progress_raw=raw,
        progress=clamped,
        achieved=achieved,
        target_met_at_baseline=met_at_baseline,
    )

    if achieved:
        return Progress(status=ACHIEVED, reason=REASON_ACHIEVED, **common)
    if met_at_baseline:
        return Progress(status=OFF_TRACK, reason=REASON_NO_LONGER_MET, **common)
    if spec.target_date is not None and (
        latest.date >= spec.target_date or as_of > spec.target_date
    ):
        # The target date has passed (or its measurement is in) and the target is not met.
        return Progress(status=OFF_TRACK, reason=REASON_TARGET_DATE_PASSED, **common)
    if common["baseline_inferred"] and latest.date == common["baseline_date"]:
        return _only_the_baseline(from_first, common)
    if expected_at_latest is None:
        status = ON_TRACK if clamped > 0 else AT_RISK
    else:
        gap = expected_at_latest - clamped
        if gap <= thresholds.at_risk:
            status = ON_TRACK
        elif gap <= thresholds.off_track:
            status = AT_RISK
        else:
            status = OFF_TRACK
    return Progress(status=status, reason=REASON_PROGRESS_VS_EXPECTED, **common)


def _only_the_baseline(from_first: bool, common: dict[str, Any]) -> Progress:
    """The latest measurement is the baseline itself, read from the measurements (the first one,
    or the one in the period the plan names): no progress can be read from it, so it says nothing
    about being on track or at risk (progress "0 %" of nothing would claim it does). The next
    measurement is judged against it."""
    common.update(progress_raw=None, progress=None)
    if from_first:
        # The plan states no baseline at all: the first measurement stands in for it.
        reason = REASON_ONLY_BASELINE if common["target"] is None else REASON_NO_STATED_BASELINE
        return Progress(status=BASELINE_MISSING, reason=reason, **common)
    return Progress(status=AWAITING_NEXT, reason=REASON_ONLY_BASELINE, **common)


def _deliverable(
    spec: IndicatorSpec,
    judged: list[Point],
    as_of: date,
    after_target: int,
    series_all: list[Point],
) -> Progress:
    """A one-off deliverable by a date (“a barometer is built”): delivered when the latest
    measurement up to the date reaches the stated level (1, or 100 %); never *on track* before it is
    delivered, since nothing between “not yet” and “done” can be measured."""
    target = absolute_target(spec, None)
    latest = judged[-1] if judged else None
    delivered = latest is not None and target is not None and latest.value >= target
    common: dict[str, Any] = {
        "target": target,
        "latest": latest,
        "achieved": delivered,
        "ignored_after_target": after_target,
        "series": tuple(series_all),
        "unit": spec.unit,
    }
    if delivered:
        return Progress(status=ACHIEVED, reason=REASON_DELIVERED, progress=HUNDRED, **common)
    if spec.target_date is not None and as_of > spec.target_date:
        return Progress(status=OFF_TRACK, reason=REASON_NOT_DELIVERED_IN_TIME, **common)
    return Progress(status=NOT_DELIVERED, reason=REASON_NOT_DELIVERED, **common)


def count_by_status(results: Iterable[HasStatus]) -> list[tuple[str, int]]:
    """(status, count) for each status present, worst first."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return [(s, counts[s]) for s in STATUS_ORDER if s in counts]
