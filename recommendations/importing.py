"""Importing status changes from a spreadsheet, through the one import pipeline (core.importing).

Columns (Danish or English names, or the recommendations export's headers): rapport/report (the
report's key), nummer/number, status (name or key), fremdrift/progress (optional, 0–100), dato/date
(optional, default today), note/begrundelse (required for statuses that need a reason), and tema/theme
where a report numbers each theme from 1 (KKR 2019). A row that would change nothing is unchanged and
skipped, so re-importing an export is a no-op; later rows see the effect of earlier ones on the same
recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import importing
from core.cells import digits_of
from core.importing import CHANGED, UNCHANGED, Cells, Column, Outcome
from organizations.importing import MunicipalSubject

from . import services
from .models import ProgressMode, Recommendation, Status, UpdateOrigin
from .resources import RecommendationResource

PROGRESS_DIGITS = digits_of(Recommendation._meta.get_field("progress"))
# The preview's words for a change (lazy: translated when shown, not once per row).
STATUS, PROGRESS = gettext_lazy("Status"), gettext_lazy("Progress")
# Where a service's ValidationError names a field, the file names a column.
FIELD_COLUMNS = {"note": "note", "effective_on": "date", "progress": "progress", "status": "status"}


@dataclass
class Context:
    user: Any
    statuses: dict[str, Status]  # by key and by name in either language, lower case
    status_by_pk: dict[int, Status]
    by_key: dict[tuple[str, str], list[Recommendation]]
    importable: set[int]
    rolled_up: set[int]
    # Later rows see the effect of earlier ones on the same recommendation: pk → (status, progress).
    pending: dict[int, tuple[int | None, Decimal]] = field(default_factory=dict)


class Change(NamedTuple):
    """A checked row: the status service's arguments."""

    recommendation: Recommendation
    status: Status
    progress: Decimal | None
    note: str
    effective_on: Any


class StatusChanges(MunicipalSubject):
    key = "recommendations"
    title = gettext_lazy("Import status changes")
    resource = RecommendationResource
    help_text = gettext_lazy(
        "One row per status change: report, number, status, and optionally progress, date and "
        "note (a reason is required for some statuses). Re-importing an export changes nothing."
    )
    columns = [
        Column("report", ("rapport", "report"), required=True),
        Column("number", ("nummer", "number", "nr", "nr."), required=True),
        Column("status", ("status",), required=True),
        Column(
            "progress",
            ("fremdrift", "progress", "fremdrift (%)", "progress (%)"),
            importing.number(PROGRESS_DIGITS),
        ),
        Column("date", ("dato", "date"), importing.date),
        Column("note", ("note", "begrundelse", "bemærkning", "reason")),
        # Where a report numbers each theme from 1 (KKR 2019): report + theme + number.
        Column("theme", ("tema", "theme")),
    ]

    def prepare(self, rows: list[Cells], *, user: Any, options: Any) -> Context:
        statuses = {}
        for status in Status.objects.all():
            for name in (status.key, status.name, status.name_en):
                if name:
                    statuses[name.strip().lower()] = status
        named = Recommendation.objects.filter(report__key__in={c["report"] for c in rows})
        # Every row one may export is recognised, so re-importing an export (which has the
        # cross-municipal reports' rows, KL and KKR) skips its unchanged rows; a change is accepted
        # only for a recommendation one may import to, and refused in ``check`` for the others.
        by_key: dict[tuple[str, str], list[Recommendation]] = {}
        for rec in named.exportable_by(user).select_related("report", "status", "theme"):
            by_key.setdefault((rec.report.key, rec.number), []).append(rec)
        importable = set(named.editable_by(user, self.permission).values_list("pk", flat=True))
        rolled_up = set(
            named.filter(progress_mode=ProgressMode.ROLLUP, children__isnull=False).values_list(
                "pk", flat=True
            )
        )
        by_pk = {s.pk: s for s in statuses.values()}
        return Context(user, statuses, by_pk, by_key, importable, rolled_up)

    def _recommendation(self, context: Context, cells: Cells, outcome: Outcome):
        matches = context.by_key.get((cells["report"], cells["number"]), [])
        if len(matches) > 1 and "theme" in cells.given:
            theme = cells["theme"]
            matches = [m for m in matches if (m.theme.title if m.theme else "") == theme]
        if len(matches) == 1:
            return matches[0]
        if matches:
            message = _("The number %(number)s is ambiguous in this report.")
        else:
            message = _(
                "No recommendation %(number)s in report “%(report)s” that you may import to."
            )
        outcome.error(
            cells.names.get("number", "nummer"),
            message % {"number": cells["number"], "report": cells["report"]},
        )
        return None

    def check(self, context: Context, cells: Cells, outcome: Outcome) -> None:
        rec = self._recommendation(context, cells, outcome)
        status = context.statuses.get(cells["status"].lower())
        if status is None:
            outcome.error(
                cells.names["status"],
                _("Unknown status “%(status)s”.") % {"status": cells["status"]},
            )
        if rec is None or status is None:
            return
        outcome.label = f"{rec.report.key} {rec.number}: {rec.title}"
        status_id, progress = context.pending.get(rec.pk, (rec.status_id, rec.progress))
        if status.pk == status_id and cells["progress"] in (None, progress):
            outcome.action = UNCHANGED  # no reason is asked: re-importing an export changes nothing
            return
        if rec.pk not in context.importable:
            outcome.error(
                cells.names["number"],
                _("No recommendation %(number)s in report “%(report)s” that you may import to.")
                % {"number": rec.number, "report": rec.report.key},
            )
            return
        try:
            change = services.validate_status_change(
                current_status_id=status_id,
                current_progress=progress,
                rolled_up=rec.pk in context.rolled_up,
                status=status,
                progress=cells["progress"],
                note=cells["note"],
                effective_on=cells["date"],
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = FIELD_COLUMNS.get(name, "")
                outcome.error(cells.names.get(column, column), " ".join(messages))
            return
        outcome.action = CHANGED
        old_status = context.status_by_pk.get(status_id) if status_id else None
        outcome.change(STATUS, old_status.label if old_status else "", status.label)
        outcome.change(PROGRESS, progress, change.progress)
        context.pending[rec.pk] = (status.pk, change.progress)
        outcome.record = Change(rec, status, cells["progress"], change.note, change.effective_on)

    def apply(self, context: Context, rows: list[Outcome], *, user: Any, progress) -> None:
        changes = [r.record for r in rows if r.action == CHANGED]
        for done, change in enumerate(changes, start=1):
            services.recommendation_change_status(
                **change._asdict(), origin=UpdateOrigin.IMPORT, acting_user=user
            )
            if done % importing.PROGRESS_EVERY == 0:
                progress(done)
        progress(len(changes))


SUBJECT = importing.register(StatusChanges())
