"""Every write to employment plans. The admin, the import, the period form and the seed all come
through here, so the same validation and the same baseline rule apply everywhere."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations import writes

from . import progress
from .models import (
    ComparisonMeasurement,
    EmploymentPlan,
    FocusArea,
    Indicator,
    Initiative,
    Measurement,
    PlanFact,
    Unit,
)

if TYPE_CHECKING:
    from organizations.models import User

# ``None`` is the system itself (seed data, management commands).
check_permission = writes.check_permission

EMPLOYMENT_PLAN = writes.entity_services(EmploymentPlan, "plan")
employment_plan_create, employment_plan_update, employment_plan_delete = EMPLOYMENT_PLAN
PLAN_FACT = writes.entity_services(PlanFact, "fact")
plan_fact_create, plan_fact_update, plan_fact_delete = PLAN_FACT
FOCUS_AREA = writes.entity_services(FocusArea, "focus_area")
focus_area_create, focus_area_update, focus_area_delete = FOCUS_AREA
INITIATIVE = writes.entity_services(Initiative, "initiative")
initiative_create, initiative_update, initiative_delete = INITIATIVE
INDICATOR = writes.entity_services(Indicator, "indicator")
indicator_create, indicator_update, indicator_delete = INDICATOR
# The owner of a comparison is the plan's municipality, not the one compared with.
COMPARISON_MEASUREMENT = writes.entity_services(ComparisonMeasurement, "comparison")
comparison_measurement_create, comparison_measurement_update, comparison_measurement_delete = (
    COMPARISON_MEASUREMENT
)


# Units whose measured level is never below zero: a number of people, companies or anything counted.
# Kroner may be (a balance); a percentage has its own range.
NON_NEGATIVE_UNITS = frozenset({Unit.PERSONS, Unit.FTE, Unit.COMPANIES, Unit.COUNT})


def validate_measurement_value(indicator: Indicator, value: Decimal) -> None:
    """A measured level within its unit's range (the form, the import and the API all ask here)."""
    if indicator.unit == Unit.PERCENT and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"value": _("A percentage lies between 0 and 100.")})
    if indicator.unit in NON_NEGATIVE_UNITS and value < 0:
        raise ValidationError(
            {
                "value": _("The value cannot be negative for the unit “%(unit)s”.")
                % {"unit": indicator.get_unit_display()}
            }
        )


def validate_measurement_date(indicator: Indicator, day: datetime.date) -> None:
    """A measurement belongs to the plan's period, or to the baseline the plan names before it."""
    plan = indicator.plan
    earliest = plan.period_start
    if indicator.baseline_date and indicator.baseline_date < earliest:
        earliest = indicator.baseline_date
    bounds = progress.period_bounds(indicator.baseline_period)
    if bounds and bounds[0] < earliest:
        earliest = bounds[0]
    latest = max(plan.period_end, indicator.target_date or plan.period_end)
    if not earliest <= day <= latest:
        raise ValidationError(
            {
                "date": _("The date %(date)s is outside the plan (%(start)s–%(end)s).")
                % {
                    "date": day.isoformat(),
                    "start": earliest.isoformat(),
                    "end": latest.isoformat(),
                }
            }
        )


# What the database checks of a new measurement: the value's digits, the texts' lengths (and that they
# hold no NUL character). The date and the indicator are checked by their own rules.
_CLEANED = ("value", "data_source", "comment", "period_label")
_NOT_CLEANED = [f.name for f in Measurement._meta.fields if f.name not in _CLEANED]


def validate_measurement(measurement: Measurement) -> None:
    """Every check of a new measurement before it is saved: its value for the indicator's unit, its
    date within the plan, and what the database will check (digits, lengths). One
    ValidationError keyed by field names all the problems; the indicator is taken as found."""
    errors: dict[str, list[str]] = {}

    def collect(check: Callable[[], None]) -> None:
        try:
            check()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)

    value, day = measurement.value, measurement.date
    if value is not None:
        collect(functools.partial(validate_measurement_value, measurement.indicator, value))
    if day is not None:
        collect(functools.partial(validate_measurement_date, measurement.indicator, day))
    # Field by field, what the database would refuse; the model's own clean() is the percent rule
    # checked above, and nothing but the key is unique (an import checks 50,000 rows).
    empty = [name for name in _CLEANED[1:] if not getattr(measurement, name)]  # blank texts pass
    collect(functools.partial(measurement.clean_fields, exclude=[*_NOT_CLEANED, *empty]))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measurement_record(**kwargs: Any) -> Measurement:
    """Record a value; ``source`` is where the number comes from (e.g. “Jobindsats.dk”)."""
    return measurement_record_nonatomic(**kwargs)


def measurement_record_nonatomic(
    *,
    indicator: Indicator,
    date: datetime.date,
    value: Decimal,
    provisional: bool = False,
    source: str = "",
    comment: str = "",
    period_label: str = "",
    acting_user: User | None,
    checked: bool = False,
) -> Measurement:
    """``checked``: the caller (the import, inside its own transaction) has already checked the
    permission and validated the row in full, and refreshes the baseline once per indicator
    afterwards."""
    if not checked:
        check_permission(
            acting_user, "employment_plan.add_measurement", indicator.plan.municipality_id
        )
    value = Decimal(value)
    item = {
        "indicator": indicator,
        "date": date,
        "value": value,
        "provisional": provisional,
        "source": source,
        "comment": comment,
        "period_label": period_label,
    }
    measurement = _new_measurement(item, acting_user)
    if not checked:
        validate_measurement(measurement)
    writes.set_actor(measurement, acting_user)
    measurement.save()
    if not checked:
        indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    return measurement


def _new_measurement(
    item: Mapping[str, Any] | Measurement, acting_user: User | None
) -> Measurement:
    """The unsaved measurement of a recorded value, ``item`` with the keys of
    ``measurement_record_nonatomic``'s arguments (one way to build it, for one row or many), or
    an unsaved measurement already built and validated by ``validate_measurement`` (the import)."""
    if isinstance(item, Measurement):
        item.entered_by = acting_user
        return item
    return Measurement(
        indicator=item["indicator"],
        date=item["date"],
        value=Decimal(item["value"]),
        provisional=item["provisional"],
        data_source=item["source"],
        comment=item["comment"],
        period_label=item["period_label"],
        entered_by=acting_user,
    )


# Rows per batch of ``measurements_record_many``: one INSERT on PostgreSQL (several on SQLite, whose
# parameter limit Django keeps to), then one of the audit entries.
RECORD_MANY_BATCH = 2000


def measurements_record_many(
    *,
    items: Iterable[Mapping[str, Any] | Measurement],
    acting_user: User | None,
    on_progress: Callable[[int], object] | None = None,
) -> list[Measurement]:
    """Record many values at once: the rows, audit entries, generation bump and baselines that
    ``measurement_record_nonatomic(checked=True, ...)`` for each item and then
    ``indicator_refresh_baseline`` once per indicator would write, in a few statements per batch of
    ``RECORD_MANY_BATCH`` rows (``on_progress(done)`` after each).

    Each item has the keys of ``measurement_record`` (indicator, date, value, provisional, source,
    comment, period_label). As with ``checked=True``, the caller has checked the permission and
    validated every item, and holds the transaction: nothing here is atomic on its own, so the
    caller's ``transaction.atomic()`` makes the import all or nothing."""
    assert transaction.get_connection().in_atomic_block, "call inside transaction.atomic()"
    created: list[Measurement] = []
    indicators: dict[int, Indicator] = {}
    batch: list[Measurement] = []
    for item in items:
        measurement = _new_measurement(item, acting_user)
        indicators.setdefault(measurement.indicator_id, measurement.indicator)
        batch.append(measurement)
        if len(batch) == RECORD_MANY_BATCH:
            _create_measurements(batch, acting_user, created, on_progress)
            batch = []
    if batch:
        _create_measurements(batch, acting_user, created, on_progress)
    # Once per indicator rather than per row: the baseline follows the recorded values.
    for indicator in indicators.values():
        indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    return created


def _create_measurements(
    batch: list[Measurement],
    acting_user: User | None,
    created: list[Measurement],
    on_progress: Callable[[int], object] | None,
) -> None:
    created += writes.create_many(
        Measurement, batch, acting_user=acting_user, batch_size=RECORD_MANY_BATCH
    )
    if on_progress is not None:
        on_progress(len(created))


@transaction.atomic
def measurement_create(
    *, measurement: Measurement, acting_user: User | None, m2m: writes.M2M | None = None
) -> Measurement:
    """The admin's new measurement (an unsaved instance) through ``measurement_record``."""
    saved = measurement_record(
        indicator=measurement.indicator,
        date=measurement.date,
        value=measurement.value,
        provisional=measurement.provisional,
        source=measurement.data_source,
        comment=measurement.comment,
        period_label=measurement.period_label,
        acting_user=acting_user,
    )
    measurement.pk, measurement.version = saved.pk, saved.version
    measurement._state.adding = False
    return saved


@transaction.atomic
def measurement_update(
    *,
    measurement: Measurement,
    acting_user: User | None,
    expected_version: int | str | None = None,
    m2m: writes.M2M | None = None,
    **fields: Any,
) -> Measurement:
    indicator = measurement.indicator
    check_permission(
        acting_user, "employment_plan.change_measurement", indicator.plan.municipality_id
    )
    for name, value in fields.items():
        setattr(measurement, name, value)
    validate_measurement_value(indicator, Decimal(measurement.value))
    validate_measurement_date(indicator, measurement.date)
    writes.update(
        measurement,
        expected_version=expected_version,
        acting_user=acting_user,
    )
    indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    return measurement


MEASUREMENT = writes.entity_services(
    Measurement, "measurement", own_create=measurement_create, own_update=measurement_update
)
# Deleting a measurement has no rule of its own: the generated service.
measurement_delete = MEASUREMENT.delete


@transaction.atomic
def indicator_set_baseline(
    *,
    indicator: Indicator,
    value: Decimal,
    date: datetime.date,
    label: str | None = None,
    acting_user: User | None,
) -> Indicator:
    """Give the indicator its measured baseline; a relative target thereby becomes a level.

    The stated target (kind and value) is kept; ``target_absolute`` is derived in ``clean()``.
    """
    indicator.baseline_value = Decimal(value)
    indicator.baseline_date = date
    indicator.awaiting_baseline = False
    if label is not None:
        indicator.baseline_label = label
    # A form opened on the indicator before its baseline moved is stale now.
    return writes.update_checked(indicator, acting_user=acting_user)


def indicator_refresh_baseline(*, indicator: Indicator, acting_user: User | None) -> Indicator:
    """After a measurement changed: an indicator waiting for its baseline takes the measurement
    from the period the plan names (the latest there, a final value before a provisional one), or
    the first measurement when no period is named. A baseline the document states is never
    overwritten; one taken from the named period follows corrections within that period."""
    period = indicator.baseline_period
    if not period:
        if not indicator.awaiting_baseline:
            return indicator
        points = progress.deduplicate(_points(indicator.measurements.all()))
        chosen = points[0] if points else None
    else:
        bounds = progress.period_bounds(period)
        if bounds is None:
            return indicator
        taken_from_period = (
            indicator.baseline_date is not None
            and bounds[0] <= indicator.baseline_date <= bounds[1]
        )
        if not (indicator.awaiting_baseline or taken_from_period):
            return indicator
        points = progress.deduplicate(_points(indicator.measurements.filter(date__range=bounds)))
        chosen = points[-1] if points else None
    if chosen is None:
        return indicator
    if (
        not indicator.awaiting_baseline
        and indicator.baseline_value == chosen.value
        and indicator.baseline_date == chosen.date
    ):
        return indicator
    return indicator_set_baseline(
        indicator=indicator, value=chosen.value, date=chosen.date, acting_user=acting_user
    )


def _points(measurements: Iterable[Measurement]) -> Iterator[progress.Point]:
    return (progress.Point(m.date, m.value, m.provisional, m.pk) for m in measurements)


@transaction.atomic
def initiative_set_status(
    *, initiative: Initiative, status: str, acting_user: User | None
) -> Initiative:
    check_permission(
        acting_user,
        "employment_plan.change_initiative",
        initiative.focus_area.plan.municipality_id,
    )
    initiative.status = status
    return writes.update_checked(initiative, acting_user=acting_user)


@transaction.atomic
def measurements_record_period(
    *,
    plan: EmploymentPlan,
    date: datetime.date,
    values: dict[int, tuple[Decimal, bool]],
    period_label: str = "",
    source: str = "",
    acting_user: User | None,
) -> list[Measurement]:
    """One period's values for several indicators of a plan, all or nothing.

    ``values`` maps indicator id → (value, provisional).
    """
    indicators = {i.pk: i for i in plan.indicators.select_related("plan")}
    # What every value of the period shares.
    period = {"date": date, "period_label": period_label, "source": source}
    return [
        measurement_record(
            indicator=indicators[indicator_id],
            value=value,
            provisional=provisional,
            acting_user=acting_user,
            **period,
        )
        for indicator_id, (value, provisional) in values.items()
    ]
