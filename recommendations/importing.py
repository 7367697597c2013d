"""Importing status changes from a spreadsheet: validate every row, show a preview, then apply all
rows through the status service in one transaction, or none.

Columns (Danish or English names): rapport/report (the report's key), nummer/number, status (name or
key), fremdrift/progress (optional, 0–100), dato/date (optional, default today), note/begrundelse
(required for statuses that need a reason). A row that would change nothing is reported as unchanged
and skipped, so re-importing an export is a no-op.
"""

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cells import CellError, cell_text, digits_of, parse_date, parse_number
from core.resources import with_aliases
from core.tabular import Row
from organizations import access

from . import services
from .models import Recommendation, Status, UpdateOrigin

IMPORT_PERM = "recommendations.import_status_updates"

COLUMNS = {
    "report": ("rapport", "report"),
    "number": ("nummer", "number", "nr", "nr."),
    "status": ("status",),
    "progress": ("fremdrift", "progress", "fremdrift (%)", "progress (%)"),
    "date": ("dato", "date"),
    "note": ("note", "begrundelse", "bemærkning", "reason"),
    # Needed only where a report numbers each theme from 1 (KKR 2019): report + theme + number.
    "theme": ("tema", "theme"),
}
REQUIRED = ("report", "number", "status")
PROGRESS_DIGITS = digits_of(Recommendation._meta.get_field("progress"))


@functools.cache
def columns() -> dict[str, tuple[str, ...]]:
    """The accepted column names, with the recommendations export's headers in both languages."""
    from .resources import RecommendationResource

    return with_aliases(COLUMNS, RecommendationResource)


@dataclass
class RowResult:
    row: int
    action: str = ""  # "change", "unchanged" or "error"
    recommendation: Recommendation | None = None
    status: Status | None = None
    progress: Decimal | None = None
    effective_on: datetime.date | None = None
    note: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ImportPreview:
    rows: list[RowResult]
    header_errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.header_errors and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _column_map(header: list[str]) -> tuple[dict[str, str], list[str]]:
    mapping, errors = {}, []
    for name, aliases in columns().items():
        found = [h for h in header if h in aliases]
        if found:
            mapping[name] = found[0]
        elif name in REQUIRED:
            errors.append(_("The column “%(column)s” is missing.") % {"column": aliases[0]})
    return mapping, errors


def _status_lookup() -> dict[str, Status]:
    lookup = {}
    for status in Status.objects.all():
        for name in (status.key, status.name, status.name_en):
            if name:
                lookup[name.strip().lower()] = status
    return lookup


def _col_namer(mapping):
    return lambda name: mapping.get(name, columns()[name][0])


def _getter(row: Row, mapping):
    return lambda name: row.values.get(mapping[name]) if name in mapping else None


def preview(header: list[str], rows: list[Row], *, user, on_progress=None) -> ImportPreview:
    """Validate every row against the database as it is now; writes nothing."""
    mapping, header_errors = _column_map(header)
    if header_errors:
        return ImportPreview([], header_errors)
    statuses = _status_lookup()
    keys = {cell_text(r.values.get(mapping["report"])) for r in rows}
    named = Recommendation.objects.filter(report__key__in=keys)
    # Every row one may export is recognised, so re-importing an export (which has the
    # cross-municipal reports' rows, KL and KKR) skips its unchanged rows; a change is accepted
    # only for a recommendation one may import to, and refused below for the others.
    candidates = named.exportable_by(user).select_related("report", "status", "theme")
    importable = set(named.editable_by(user, IMPORT_PERM).values_list("pk", flat=True))
    by_key: dict[tuple[str, str], list[Recommendation]] = {}
    for rec in candidates:
        by_key.setdefault((rec.report.key, rec.number), []).append(rec)
    # Later rows see the effect of earlier ones on the same recommendation.
    pending: dict[int, tuple[int, object]] = {}
    today = timezone.localdate()
    results = []
    for done, row in enumerate(rows, start=1):
        if on_progress and done % 1000 == 0:
            on_progress(done)
        result = RowResult(row=row.number)
        col = _col_namer(mapping)
        get = _getter(row, mapping)
        key, number = cell_text(get("report")), cell_text(get("number"))
        matches = by_key.get((key, number), [])
        if len(matches) > 1 and "theme" in mapping:
            theme = cell_text(get("theme"))
            matches = [m for m in matches if (m.theme.title if m.theme else "") == theme]
        if not key:
            result.errors.append((col("report"), _("The report is missing.")))
        elif len(matches) == 0:
            result.errors.append(
                (
                    col("number"),
                    _("No recommendation %(number)s in report “%(report)s” that you may import to.")
                    % {"number": number, "report": key},
                )
            )
        elif len(matches) > 1:
            result.errors.append(
                (
                    col("number"),
                    _("The number %(number)s is ambiguous in this report.") % {"number": number},
                )
            )
        else:
            result.recommendation = matches[0]
        status_text = cell_text(get("status"))
        result.status = statuses.get(status_text.lower())
        if result.status is None:
            result.errors.append(
                (col("status"), _("Unknown status “%(status)s”.") % {"status": status_text})
            )
        try:
            result.progress = parse_number(get("progress"), **PROGRESS_DIGITS)
            if result.progress is not None and not 0 <= result.progress <= 100:
                result.errors.append((col("progress"), _("Progress must be between 0 and 100 %.")))
        except CellError as exc:
            result.errors.append((col("progress"), str(exc)))
        try:
            result.effective_on = parse_date(get("date")) or today
            if result.effective_on > today:
                result.errors.append(
                    (col("date"), _("The date of a status change cannot be in the future."))
                )
        except CellError as exc:
            result.errors.append((col("date"), str(exc)))
        result.note = cell_text(get("note"))
        unchanged = False
        if result.recommendation is not None and result.status is not None:
            rec = result.recommendation
            status_id, progress = pending.get(rec.pk, (rec.status_id, rec.progress))
            unchanged = result.status.pk == status_id and (
                result.progress is None or result.progress == progress
            )
        # A reason is asked for a change only: re-importing an export changes nothing.
        if (
            not unchanged
            and result.status is not None
            and result.status.requires_reason
            and not result.note
        ):
            result.errors.append(
                (
                    col("note"),
                    _("A reason is required for the status “%(status)s”.")
                    % {"status": result.status.label},
                )
            )
        if (
            not unchanged
            and result.recommendation is not None
            and result.recommendation.pk not in importable
        ):
            result.errors.append(
                (
                    col("number"),
                    _("No recommendation %(number)s in report “%(report)s” that you may import to.")
                    % {"number": number, "report": key},
                )
            )
        if result.errors:
            result.action = "error"
        else:
            rec = result.recommendation
            # Both are found for a row without errors.
            assert rec is not None and result.status is not None
            result.action = "unchanged" if unchanged else "change"
            if not unchanged:
                pending[rec.pk] = (
                    result.status.pk,
                    result.progress if result.progress is not None else progress,
                )
        results.append(result)
    return ImportPreview(results, [])


def apply(header: list[str], rows: list[Row], *, user, on_progress=None) -> ImportPreview:
    """Validate again and apply every changing row through the status service, all or nothing."""
    if access.municipality_ids_for(user, IMPORT_PERM) == set():
        raise PermissionDenied
    result = preview(header, rows, user=user)
    if not result.ok:
        return result
    try:
        with transaction.atomic():
            for done, row in enumerate(result.rows, start=1):
                if on_progress and done % 500 == 0:
                    on_progress(done)
                if row.action != "change":
                    continue
                assert row.recommendation is not None and row.status is not None  # as in preview
                try:
                    services.recommendation_change_status(
                        recommendation=Recommendation.objects.get(pk=row.recommendation.pk),
                        status=row.status,
                        progress=row.progress,
                        note=row.note,
                        effective_on=row.effective_on,
                        origin=UpdateOrigin.IMPORT,
                        acting_user=user,
                    )
                except ValidationError as exc:
                    row.errors += [("", m) for m in exc.messages]
                    row.action = "error"
                    raise
    except ValidationError:
        return result
    return result


class PayloadError(ValueError):
    pass


_SALT = "recommendations.import-status"


def sign(header: list[str], rows: list[Row]) -> str:
    """The previewed rows, signed, so the confirm step applies exactly what the user saw."""
    data = {
        "header": header,
        "rows": [[r.number, {k: _jsonable(v) for k, v in r.values.items()}] for r in rows],
    }
    return signing.dumps(data, salt=_SALT, compress=True)


def unsign(payload: str, max_age: int = 3600) -> tuple[list[str], list[Row]]:
    try:
        data = signing.loads(payload, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        raise PayloadError from None
    return data["header"], [Row(number, values) for number, values in data["rows"]]


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)
