"""The employment plan's export columns (see core.resources). The measurements sheet is the
measurements import's format: re-importing it unchanged changes nothing."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from core.resources import ExportResource, ObjectResource, choice_label

from .models import Direction, Indicator, Measurement, TargetKind, Unit


class IndicatorResource(ExportResource):
    convert = {
        "unit": choice_label(Unit.choices),
        "direction": choice_label(Direction.choices),
        "target_kind": choice_label(TargetKind.choices),
    }

    plan = Field(attribute="plan__title", column_name=_("Plan"))
    focus_area = Field(attribute="focus_area__title", column_name=_("Focus area"))
    code = Field(attribute="code", column_name=_("Indicator"))
    title = Field(attribute="title", column_name=_("Title"))
    unit = Field(attribute="unit", column_name=_("Unit"))
    direction = Field(attribute="direction", column_name=_("Direction"))
    baseline_value = Field(attribute="baseline_value", column_name=_("Baseline"))
    baseline_date = Field(attribute="baseline_date", column_name=_("Baseline date"))
    target_kind = Field(attribute="target_kind", column_name=_("Kind of target"))
    target_value = Field(attribute="target_value", column_name=_("Target as stated"))
    target_absolute = Field(attribute="target_absolute", column_name=_("Target"))
    target_date = Field(attribute="target_date", column_name=_("Target date"))
    data_source = Field(attribute="data_source", column_name=_("Data source"))

    class Meta:
        model = Indicator


def current_measurements(queryset=None):
    """One measurement per indicator and date, the one that counts: a final value before a
    provisional one, then the one entered last (as progress.deduplicate)."""
    queryset = Measurement.objects.all() if queryset is None else queryset
    better = Measurement.objects.filter(
        indicator=OuterRef("indicator"), date=OuterRef("date")
    ).filter(
        Q(provisional__lt=OuterRef("provisional"))
        | Q(provisional=OuterRef("provisional"), pk__gt=OuterRef("pk"))
    )
    return queryset.filter(~Exists(better))


class MeasurementResource(ExportResource):
    plan = Field(attribute="indicator__plan__title", column_name=_("Plan"))
    indicator = Field(attribute="indicator__code", column_name=_("Indicator"))
    date = Field(attribute="date", column_name=_("Date"))
    value = Field(attribute="value", column_name=_("Value"))
    provisional = Field(attribute="provisional", column_name=_("Provisional"))
    period = Field(attribute="period_label", column_name=_("Period"))
    source = Field(attribute="data_source", column_name=_("Source"))
    comment = Field(attribute="comment", column_name=_("Comment"))

    class Meta:
        model = Measurement

    def get_queryset(self):
        return current_measurements().order_by("indicator__plan", "indicator__position", "date")


class IndicatorProgressResource(ObjectResource):
    """The indicators list as the dashboard shows it: progress computed per indicator."""

    plan = Field(attribute="plan__title", column_name=_("Plan"))
    focus_area = Field(attribute="focus_area__title", column_name=_("Focus area"))
    code = Field(attribute="code", column_name=_("Number"))
    title = Field(attribute="title", column_name=_("Indicator"))
    status = Field(attribute="result__status_label", column_name=_("Status"))
    latest_value = Field(attribute="result__latest__value", column_name=_("Latest value"))
    latest_date = Field(attribute="result__latest__date", column_name=_("Latest date"))
    target = Field(attribute="result__target", column_name=_("Target"))
    target_date = Field(attribute="target_date", column_name=_("Target date"))
    progress = Field(attribute="result__progress", column_name=_("Progress (%)"))
