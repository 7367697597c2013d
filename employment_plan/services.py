"""Every write to employment plans. The admin, the import, the period form and the seed all come
through here, so the same validation and the same baseline rule apply everywhere."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations import access
from organizations.exchange import with_aliases

from . import progress
from .importing import ROW_KEY
from .models import EmploymentPlan, Indicator, Initiative, Measurement, Unit


def _check(user, perm: str, municipality) -> None:
    # ``None`` is the system itself (seed data, management commands).
    if user is not None and not access.has_perm_in(user, perm, municipality):
        raise PermissionDenied


def _history_user(obj, user) -> None:
    if user is not None:
        obj._history_user = user


def validate_measurement_value(indicator: Indicator, value: Decimal) -> None:
    if indicator.unit == Unit.PERCENT and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"value": _("A percentage lies between 0 and 100.")})


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


@transaction.atomic
def measurement_record(**kwargs) -> Measurement:
    """Record a value; ``source`` is where the number comes from (e.g. “Jobindsats.dk”)."""
    return _measurement_record(**kwargs)


def _measurement_record(
    *,
    indicator: Indicator,
    date: datetime.date,
    value: Decimal,
    provisional: bool = False,
    source: str = "",
    comment: str = "",
    period_label: str = "",
    acting_user,
    checked: bool = False,
) -> Measurement:
    """``checked``: the caller (the import, inside its own transaction) has already checked the
    permission and validated the row in full, and refreshes the baseline once per indicator
    afterwards."""
    if not checked:
        _check(acting_user, "employment_plan.add_measurement", indicator.plan.municipality_id)
    value = Decimal(value)
    if not checked:
        validate_measurement_value(indicator, value)
        validate_measurement_date(indicator, date)
    measurement = Measurement(
        indicator=indicator,
        date=date,
        value=value,
        provisional=provisional,
        data_source=source,
        comment=comment,
        period_label=period_label,
        entered_by=acting_user,
    )
    if not checked:
        measurement.full_clean()
    _history_user(measurement, acting_user)
    measurement.save()
    if not checked:
        indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    return measurement


@transaction.atomic
def measurement_update(*, measurement: Measurement, acting_user, **fields) -> Measurement:
    indicator = measurement.indicator
    _check(acting_user, "employment_plan.change_measurement", indicator.plan.municipality_id)
    for name, value in fields.items():
        setattr(measurement, name, value)
    validate_measurement_value(indicator, Decimal(measurement.value))
    validate_measurement_date(indicator, measurement.date)
    measurement.full_clean()
    _history_user(measurement, acting_user)
    measurement.save()
    indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement, acting_user) -> None:
    indicator = measurement.indicator
    _check(acting_user, "employment_plan.delete_measurement", indicator.plan.municipality_id)
    _history_user(measurement, acting_user)
    measurement.delete()


@transaction.atomic
def indicator_set_baseline(
    *,
    indicator: Indicator,
    value: Decimal,
    date: datetime.date,
    label: str | None = None,
    acting_user,
) -> Indicator:
    """Give the indicator its measured baseline; a relative target thereby becomes a level.

    The stated target (kind and value) is kept; ``target_absolute`` is derived in ``clean()``.
    """
    indicator.baseline_value = Decimal(value)
    indicator.baseline_date = date
    indicator.awaiting_baseline = False
    if label is not None:
        indicator.baseline_label = label
    indicator.full_clean()
    _history_user(indicator, acting_user)
    indicator.save()
    return indicator


def indicator_refresh_baseline(*, indicator: Indicator, acting_user) -> Indicator:
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


def _points(measurements):
    return (progress.Point(m.date, m.value, m.provisional, m.pk) for m in measurements)


@transaction.atomic
def initiative_set_status(*, initiative: Initiative, status: str, acting_user) -> Initiative:
    _check(
        acting_user,
        "employment_plan.change_initiative",
        initiative.focus_area.plan.municipality_id,
    )
    initiative.status = status
    initiative.full_clean()
    _history_user(initiative, acting_user)
    initiative.save()
    return initiative


# Several values at once -------------------------------------------------------------------------
@dataclass
class RowResult:
    row: int
    # "create", "update" (a new value for a date that has one), "unchanged" or "error"
    action: str = ""
    plan_id: int | None = None
    indicator_code: str = ""
    date: datetime.date | None = None
    value: Decimal | None = None
    provisional: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[RowResult]
    dry_run: bool
    created: int = 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(r.row, column, message) for r in self.rows for column, message in r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors


# Column names accepted, Danish first.
COLUMNS = {
    "plan": ("plan",),
    "indicator": ("indikator", "indicator", "kode", "code"),
    "date": ("dato", "date"),
    "value": ("værdi", "vaerdi", "value"),
    "provisional": ("foreløbig", "foreloebig", "provisional"),
    "source": ("kilde", "source"),
    "comment": ("kommentar", "comment"),
    "period": ("periode", "period"),
}
TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "sand", "x"}
FALSE_WORDS = {"", "0", "nej", "n", "no", "false", "falsk"}


def parse_decimal(text) -> Decimal:
    """Danish or English notation: 12,5 · 1.050,5 · 1050.5 · 6 800 000 · 1.050 (= 1050).

    Raises ValueError for anything else."""
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int | float | Decimal):
        return Decimal(str(text))
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if "," in cleaned:
        # Danish: "." groups thousands, "," is the decimal mark.
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    elif cleaned.count(".") == 1:
        whole, decimals = cleaned.split(".")
        if len(decimals) == 3 and whole.lstrip("+-") not in ("", "0"):
            # As Django reads Danish input: "1.050" is one thousand and fifty (the preview shows it).
            cleaned = whole + decimals
    if not cleaned or not all(c.isdigit() or c in ".-+" for c in cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@functools.cache
def columns() -> dict[str, tuple[str, ...]]:
    """The accepted column names, with the measurements export's headers in both languages."""
    from .resources import MeasurementResource

    return with_aliases(COLUMNS, MeasurementResource)


def _column(row: dict, name: str):
    for key in columns()[name]:
        if key in row:
            return key, row[key]
    return columns()[name][0], None


def measurements_import(
    *, plan: EmploymentPlan, rows: list[dict], acting_user, dry_run: bool, on_progress=None
) -> ImportResult:
    """Validate every row first; save nothing unless every row is valid (and ``dry_run`` is off).

    Rows are dicts keyed by (lower-case) column name; row numbers count the header as row 1. A row
    equal to the value that counts for its indicator and date (and, for the columns the file has,
    the same period, source and comment) is unchanged and skipped: re-importing an export is a
    no-op. ``on_progress(done)`` is called as rows are checked and again as they are saved.
    """
    from .resources import current_measurements

    _check(acting_user, "employment_plan.import_measurements", plan.municipality_id)
    tick = on_progress or (lambda done: None)
    # Rows may name any plan of the same municipality (an export holds them all); without a plan
    # column they belong to ``plan``.
    plans = {}
    for other in EmploymentPlan.objects.filter(municipality_id=plan.municipality_id):
        plans[other.title] = plans[str(other.pk)] = other
    indicators = {
        (i.plan_id, i.code): i
        for i in Indicator.objects.filter(plan__in=set(plans.values())).select_related("plan")
    }
    current = {
        (m[0], m[1]): m[2:]
        for m in current_measurements(
            Measurement.objects.filter(indicator__plan__municipality_id=plan.municipality_id)
        ).values_list(
            "indicator_id", "date", "value", "provisional", "period_label", "data_source", "comment"
        )
    }
    seen: dict[tuple[int, object], int] = {}
    results = []
    for index, raw in enumerate(rows, start=2):
        if index % 1000 == 0:
            tick(index - 1)
        number = raw.get(ROW_KEY, index)
        row = {str(k).strip().lower(): v for k, v in raw.items() if k not in (None, ROW_KEY)}
        result = RowResult(row=number)
        results.append(result)

        if all(v in (None, "") for v in row.values()):
            result.errors.append(("", _("The row is empty.")))
            continue
        column, plan_text = _column(row, "plan")
        row_plan = plan
        if plan_text not in (None, ""):
            row_plan = plans.get(str(plan_text).strip())
            if row_plan is None:
                result.errors.append((column, _("The row belongs to another plan: %s") % plan_text))

        column, code = _column(row, "indicator")
        code = "" if code is None else str(code).strip()
        indicator = indicators.get((row_plan.pk, code)) if row_plan else None
        result.plan_id = row_plan.pk if row_plan else None
        result.indicator_code = code
        if indicator is None and row_plan is not None:
            result.errors.append((column, _("Unknown indicator “%s” in this plan.") % code))

        column, date_text = _column(row, "date")
        try:
            result.date = parse_date(date_text)
        except (ValueError, TypeError):
            result.errors.append((column, _("Not a date: “%s”.") % (date_text or "")))
        else:
            if indicator is not None:
                try:
                    validate_measurement_date(indicator, result.date)
                except ValidationError as exc:
                    result.errors.append((column, " ".join(exc.message_dict["date"])))

        column, value_text = _column(row, "value")
        try:
            result.value = parse_decimal(value_text if value_text is not None else "")
        except ValueError:
            result.errors.append((column, _("Not a number: “%s”.") % (value_text or "")))
        else:
            if indicator is not None:
                try:
                    validate_measurement_value(indicator, result.value)
                except ValidationError as exc:
                    result.errors.append((column, " ".join(exc.message_dict["value"])))
            if abs(result.value) >= Decimal(10) ** 14:
                result.errors.append((column, _("The number is too large.")))

        column, flag = _column(row, "provisional")
        flag_text = "" if flag is None else str(flag).strip().lower()
        if flag_text in TRUE_WORDS:
            result.provisional = True
        elif flag_text not in FALSE_WORDS:
            result.errors.append((column, _("Write “ja” or “nej”, not “%s”.") % flag))

        if indicator is not None and not result.errors:
            _check_row_fits(row, indicator, result)
        if result.errors:
            result.action = "error"
            continue
        key = (indicator.pk, result.date)
        if key in seen:
            result.errors.append(
                (
                    _column(row, "date")[0],
                    _("The same indicator and date as row %(row)s.") % {"row": seen[key]},
                )
            )
            result.action = "error"
            continue
        seen[key] = result.row
        result.action = _row_action(row, result, current.get(key))
        if result.action == "update":
            result.notes.append(
                _("There is already a value for this date; the one entered last counts.")
            )

    outcome = ImportResult(rows=results, dry_run=dry_run)
    if not outcome.ok or dry_run:
        return outcome
    changed_indicators = {}
    with transaction.atomic():
        for number, raw in enumerate(rows, start=2):
            result = results[number - 2]
            if result.action == "unchanged":
                continue
            if number % 1000 == 0:
                tick(number - 1)
            row = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
            indicator = indicators[(result.plan_id, result.indicator_code)]
            _measurement_record(
                indicator=indicator,
                date=result.date,
                value=result.value,
                provisional=result.provisional,
                source=_text(row, "source"),
                comment=_text(row, "comment"),
                period_label=_text(row, "period"),
                acting_user=acting_user,
                checked=True,
            )
            changed_indicators[indicator.pk] = indicator
            outcome.created += 1
        # Once per indicator rather than per row: the baseline follows the imported values.
        for indicator in changed_indicators.values():
            indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    tick(len(rows))
    return outcome


def _text(row: dict, name: str) -> str:
    return str(_column(row, name)[1] or "").strip()


def _row_action(row: dict, result: RowResult, current) -> str:
    """ "create" when the date has no value yet, "unchanged" when the row repeats the value that
    counts (comparing period, source and comment only when the file has those columns)."""
    if current is None:
        return "create"
    value, provisional, period, source, comment = current
    same = value == result.value and provisional == result.provisional
    for name, now in (("period", period), ("source", source), ("comment", comment)):
        column, given = _column(row, name)
        if given is not None and str(given).strip() != now:
            same = False
    return "unchanged" if same else "update"


def _check_row_fits(row: dict, indicator: Indicator, result) -> None:
    """Everything the database will check (lengths, digits), so the preview already names the row
    and column instead of the confirm step failing."""
    columns = {
        "data_source": "source",
        "comment": "comment",
        "period_label": "period",
        "value": "value",
        "date": "date",
    }
    candidate = Measurement(
        indicator=indicator,
        date=result.date,
        value=result.value,
        provisional=result.provisional,
        data_source=str(_column(row, "source")[1] or "").strip(),
        comment=str(_column(row, "comment")[1] or "").strip(),
        period_label=str(_column(row, "period")[1] or "").strip(),
    )
    try:
        # The indicator was found above: no need to ask the database again whether it exists.
        candidate.full_clean(exclude=["entered_by", "source", "source_section", "indicator"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            column = _column(row, columns[field])[0] if field in columns else field
            result.errors.append((column, " ".join(messages)))


@transaction.atomic
def measurements_record_period(
    *,
    plan: EmploymentPlan,
    date: datetime.date,
    values: dict[int, tuple[Decimal, bool]],
    period_label: str = "",
    source: str = "",
    acting_user,
) -> list[Measurement]:
    """One period's values for several indicators of a plan, all or nothing.

    ``values`` maps indicator id → (value, provisional).
    """
    indicators = {i.pk: i for i in plan.indicators.select_related("plan")}
    created = []
    for indicator_id, (value, provisional) in values.items():
        created.append(
            measurement_record(
                indicator=indicators[indicator_id],
                date=date,
                value=value,
                provisional=provisional,
                source=source,
                period_label=period_label,
                acting_user=acting_user,
            )
        )
    return created
