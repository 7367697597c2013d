from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employment_plan.models import VALUE_DIGITS


class MeasurementTaskForm(forms.Form):
    """A new measurement of an indicator in a round (checked again by the employment plan's
    measurement service)."""

    date = forms.DateField(
        label=_("Date of the measurement"),
        initial=timezone.localdate,
        localize=True,
        help_text=_("The day or the end of the period measured, e.g. 31.12.2026."),
    )
    value = forms.DecimalField(
        label=_("Value"),
        localize=True,
        max_digits=VALUE_DIGITS["max_digits"],
        decimal_places=VALUE_DIGITS["decimal_places"],
        help_text=_("In the indicator's unit, with a decimal comma, e.g. 45,5."),
    )
    provisional = forms.BooleanField(label=_("Provisional figure"), required=False)
    comment = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
