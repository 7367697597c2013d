"""Importing measurements, through the one import pipeline (core.importing).

Columns (Danish or English names, or the measurements export's headers): plan (optional: rows
without one belong to the plan chosen for the import; rows may name any plan of its municipality, as
an export holds them all), indikator, dato, værdi, and optionally foreløbig, kilde, kommentar,
periode. A row equal to the value that counts for its indicator and date (and, for the columns the
file has, the same period, source and comment) is unchanged and skipped: re-importing an export is
a no-op. A new value for a date that has one is recorded beside it, and the one entered last counts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import importing
from core.cells import digits_of
from core.importing import CHANGED, NEW, UNCHANGED, Cells, Column, Outcome
from organizations.importing import MunicipalSubject

from . import services
from .models import EmploymentPlan, Indicator, Measurement
from .resources import MeasurementResource

VALUE_DIGITS = digits_of(Measurement._meta.get_field("value"))
# The preview's words for a change (lazy: translated when shown, not once per row).
VALUE, PROVISIONAL = gettext_lazy("Value"), gettext_lazy("Provisional")
# The measurement's fields that a file's columns fill, and the other way round.
FIELDS = {"data_source": "source", "comment": "comment", "period_label": "period"}
CHECKED_FIELDS = {**FIELDS, "value": "value", "date": "date"}


@dataclass
class Context:
    plan: EmploymentPlan
    plans: dict[str, EmploymentPlan]
    indicators: dict[tuple[int, str], Indicator]
    # (indicator, date) → the value that counts now: value, provisional, period, source, comment
    current: dict[tuple[int, datetime.date], tuple[Any, ...]]
    seen: dict[tuple[int, datetime.date], int | None] = field(default_factory=dict)


class PlanOptions(forms.Form):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Plan"),
        queryset=EmploymentPlan.objects.none(),
        help_text=gettext_lazy(
            "Rows without a plan column belong to this plan; rows may name another plan of the "
            "same municipality."
        ),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        field_ = self.fields["plan"]
        assert isinstance(field_, forms.ModelChoiceField)
        field_.queryset = (
            EmploymentPlan.objects.editable_by(user, SUBJECT.permission)
            .select_related("municipality")
            .order_by("municipality__name", "-period_start")
        )


class Measurements(MunicipalSubject):
    key = "measurements"
    title = gettext_lazy("Import measurements")
    resource = MeasurementResource
    help_text = gettext_lazy(
        "CSV (comma or semicolon) or Excel (.xlsx) with the columns indikator, dato, værdi and "
        "optionally plan, foreløbig, kilde, kommentar, periode."
    )
    columns = [
        Column("plan", ("plan",)),
        Column("indicator", ("indikator", "indicator", "kode", "code"), required=True),
        Column("date", ("dato", "date"), importing.date, required=True),
        Column(
            "value", ("værdi", "vaerdi", "value"), importing.number(VALUE_DIGITS), required=True
        ),
        Column("provisional", ("foreløbig", "foreloebig", "provisional"), importing.flag),
        Column("source", ("kilde", "source")),
        Column("comment", ("kommentar", "comment")),
        Column("period", ("periode", "period")),
    ]

    def options_form(self, user, data=None):
        return PlanOptions(data, user=user)

    def prepare(self, rows: list[Cells], *, user: Any, options: Any) -> Context:
        from .resources import current_measurements

        plan: EmploymentPlan = options["plan"]
        self.check_municipality(user, plan.municipality_id)
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
                "indicator_id",
                "date",
                "value",
                "provisional",
                "period_label",
                "data_source",
                "comment",
            )
        }
        return Context(plan, plans, indicators, current)

    def _indicator(self, context: Context, cells: Cells, outcome: Outcome) -> Indicator | None:
        plan: EmploymentPlan | None = context.plan
        if cells["plan"]:
            plan = context.plans.get(cells["plan"])
            if plan is None:
                outcome.error(
                    cells.names["plan"], _("The row belongs to another plan: %s") % cells["plan"]
                )
                return None
        assert plan is not None
        indicator = context.indicators.get((plan.pk, cells["indicator"]))
        if indicator is None:
            outcome.error(
                cells.names["indicator"],
                _("Unknown indicator “%s” in this plan.") % cells["indicator"],
            )
        return indicator

    def check(self, context: Context, cells: Cells, outcome: Outcome) -> None:
        indicator = self._indicator(context, cells, outcome)
        if indicator is None:
            return
        outcome.label = f"{indicator.code} {indicator.title}"
        candidate = Measurement(
            indicator=indicator,
            date=cells["date"],
            value=cells["value"],
            provisional=bool(cells["provisional"]),
            **{name: cells[column] or "" for name, column in FIELDS.items()},
        )
        self._validate(candidate, cells, outcome)
        if outcome.errors:
            return
        key = (indicator.pk, candidate.date)
        if key in context.seen:
            outcome.error(
                cells.names["date"],
                _("The same indicator and date as row %(row)s.") % {"row": context.seen[key]},
            )
            return
        context.seen[key] = outcome.row
        self._compare(context.current.get(key), candidate, cells, outcome)
        outcome.record = candidate

    def _validate(self, candidate: Measurement, cells: Cells, outcome: Outcome) -> None:
        """The service's checks of a value and its date, and everything the database will check
        (lengths, digits), each named by the row's column."""
        try:
            services.validate_measurement(candidate)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = CHECKED_FIELDS.get(name, name)
                outcome.error(cells.names.get(column, column), " ".join(messages))

    def _compare(
        self, current: tuple[Any, ...] | None, new: Measurement, cells: Cells, outcome: Outcome
    ) -> None:
        """NEW when the date has no value yet; UNCHANGED when the row repeats the value that counts
        (comparing period, source and comment only when the file has those columns)."""
        if current is None:
            outcome.action = NEW
            outcome.change(VALUE, None, new.value)
            return
        value, provisional, period, source, comment = current
        outcome.change(VALUE, value, new.value)
        outcome.change(PROVISIONAL, provisional, new.provisional)
        for column, old, given in (
            ("period", period, new.period_label),
            ("source", source, new.data_source),
            ("comment", comment, new.comment),
        ):
            if column in cells.given:
                outcome.change(cells.names[column], old, given)
        if not outcome.changes:
            outcome.action = UNCHANGED
            return
        outcome.action = CHANGED
        outcome.notes.append(
            _("There is already a value for this date; the one entered last counts.")
        )

    def apply(self, context: Context, rows: list[Outcome], *, user: Any, progress) -> None:
        services.measurements_record_many(
            items=[r.record for r in rows if r.action in (NEW, CHANGED)],
            acting_user=user,
            on_progress=progress,
        )


SUBJECT = importing.register(Measurements())
