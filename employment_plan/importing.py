"""Importing measurements: reading a file (CSV or XLSX) into rows, and ``measurements_import``, which
checks each row and records it through the services.

The file is read by the shared reader (``core.tabular``: encodings, delimiters, size, row and
unpacked-size limits) and each cell by the shared parsers (``core.cells``). Each row is a dict of
cells keyed by lower-case column name, plus ``ROW_KEY`` with the row number the user sees in the
spreadsheet (header = row 1), so messages point at the right row even when blank rows were skipped.
Cells are JSON values (text, numbers, true/false; dates as ISO text) so rows can travel signed
between preview and apply; a typed number stays a number, so 1.125 typed in Excel is never read
again as the text "1.125" (which is Danish for 1125).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.cells import CellError, cell_text, digits_of, parse_date, parse_number
from core.resources import with_aliases
from core.tabular import TableError, read_table

from . import services
from .models import EmploymentPlan, Indicator, Measurement

MAX_ROWS = 20_000
ROW_KEY = "__row__"
ImportFileError = TableError


def read_rows(name: str, content: bytes, **limits) -> list[dict]:
    """``limits``: read_table's, larger for the command line."""
    limits.setdefault("max_rows", MAX_ROWS)
    _header, rows = read_table(SimpleUploadedFile(name, content), **limits)
    if not rows:
        raise ImportFileError(_("The file has no rows below the column names."))
    return [{ROW_KEY: row.number, **{k: _cell(v) for k, v in row.values.items()}} for row in rows]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value  # typed: read by core.cells as it is
    return str(value).strip()


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
VALUE_DIGITS = digits_of(Measurement._meta.get_field("value"))
TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "sand", "x"}
FALSE_WORDS = {"", "0", "nej", "n", "no", "false", "falsk"}


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

    services.check_permission(
        acting_user, "employment_plan.import_measurements", plan.municipality_id
    )
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
        row_plan: EmploymentPlan | None = plan
        if plan_text not in (None, ""):
            row_plan = plans.get(cell_text(plan_text))
            if row_plan is None:
                result.errors.append((column, _("The row belongs to another plan: %s") % plan_text))

        column, code = _column(row, "indicator")
        code = cell_text(code)
        indicator = indicators.get((row_plan.pk, code)) if row_plan else None
        result.plan_id = row_plan.pk if row_plan else None
        result.indicator_code = code
        if indicator is None and row_plan is not None:
            result.errors.append((column, _("Unknown indicator “%s” in this plan.") % code))

        result.date = _checked_cell(
            row, "date", parse_date, services.validate_measurement_date, indicator, result.errors
        )
        result.value = _checked_cell(
            row,
            "value",
            functools.partial(parse_number, **VALUE_DIGITS),
            services.validate_measurement_value,
            indicator,
            result.errors,
        )

        column, flag = _column(row, "provisional")
        flag_text = cell_text(flag).lower()
        if flag_text in TRUE_WORDS:
            result.provisional = True
        elif flag_text not in FALSE_WORDS:
            result.errors.append((column, _("Write “ja” or “nej”, not “%s”.") % flag))

        if indicator is not None and not result.errors:
            _check_row_fits(row, indicator, result)
        if result.errors:
            result.action = "error"
            continue
        assert indicator is not None  # a row without one has an error
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
            # Required cells: a row without either has an error, and no row is saved then.
            assert result.date is not None and result.value is not None
            services.measurement_record_nonatomic(
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
            services.indicator_refresh_baseline(indicator=indicator, acting_user=acting_user)
    tick(len(rows))
    return outcome


def _checked_cell(row: dict, name: str, parse, validate, indicator, errors: list):
    """The required cell ``name`` read by ``parse`` (core.cells) and checked by the service's
    ``validate(indicator, value)``; every problem is added to ``errors`` with the row's column."""
    column, cell = _column(row, name)
    try:
        value = parse(cell)
    except CellError as exc:
        errors.append((column, str(exc)))
        return None
    if value is None:
        errors.append((column, _("A value is required.")))
    elif indicator is not None:
        try:
            validate(indicator, value)
        except ValidationError as exc:
            errors.append((column, " ".join(exc.message_dict[name])))
    return value


def _text(row: dict, name: str) -> str:
    return cell_text(_column(row, name)[1])


def _row_action(row: dict, result: RowResult, current) -> str:
    """ "create" when the date has no value yet, "unchanged" when the row repeats the value that
    counts (comparing period, source and comment only when the file has those columns)."""
    if current is None:
        return "create"
    value, provisional, period, source, comment = current
    same = value == result.value and provisional == result.provisional
    for name, now in (("period", period), ("source", source), ("comment", comment)):
        column, given = _column(row, name)
        if given is not None and cell_text(given) != now:
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
        data_source=_text(row, "source"),
        comment=_text(row, "comment"),
        period_label=_text(row, "period"),
    )
    try:
        # The indicator was found above: no need to ask the database again whether it exists.
        candidate.full_clean(exclude=["entered_by", "source", "source_section", "indicator"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            column = _column(row, columns[field])[0] if field in columns else field
            result.errors.append((column, " ".join(messages)))
