from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organizations.forms import StaleEditForm

from . import services


class PeriodValuesForm(forms.Form):
    """One period's values for every indicator of a plan; empty fields are skipped."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    period_label = forms.CharField(label=_("Period"), required=False, max_length=100)
    source = forms.CharField(label=_("Data source"), required=False, max_length=300)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.code} {indicator.title}",
                required=False,
                localize=True,
                max_digits=18,
                decimal_places=4,
                help_text=indicator.get_unit_display(),
            )
            self.fields[f"provisional_{indicator.pk}"] = forms.BooleanField(
                label=_("provisional"), required=False
            )

    def rows(self):
        """(indicator, value field name, provisional field name) for the template."""
        return [(i, self[f"value_{i.pk}"], self[f"provisional_{i.pk}"]) for i in self.indicators]

    def values(self):
        data = self.cleaned_data
        return {
            i.pk: (data[f"value_{i.pk}"], data[f"provisional_{i.pk}"])
            for i in self.indicators
            if data.get(f"value_{i.pk}") is not None
        }


if TYPE_CHECKING:
    # Mixed into model forms: to the type checker it is one.
    MeasurementChecksBase = forms.ModelForm[Any]
else:
    MeasurementChecksBase = object


class MeasurementChecks(MeasurementChecksBase):
    """Check a measurement the way the services do (percent within 0–100, date within the plan),
    so a bad value is a message on the form, not a server error on save."""

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # a ModelForm's clean() returns its cleaned_data
        indicator = cleaned.get("indicator")
        if indicator is None and self.instance.indicator_id:
            indicator = self.instance.indicator
        if indicator is None:
            return cleaned
        checks: list[tuple[Callable[[Any, Any], None], Any]] = [
            (services.validate_measurement_value, cleaned.get("value")),
            (services.validate_measurement_date, cleaned.get("date")),
        ]
        for check, value in checks:
            if value is None:
                continue
            try:
                check(indicator, value)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class MeasurementAdminForm(MeasurementChecks, StaleEditForm):
    pass


class MeasurementInlineForm(MeasurementChecks, forms.ModelForm):
    pass
