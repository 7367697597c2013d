"""The meeting report's choice of committee and dates (a GET form: the report can be bookmarked)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Body

from .meeting_report import bodies_for


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MeetingReportForm(forms.Form):
    body: "forms.ModelChoiceField[Body]" = forms.ModelChoiceField(
        queryset=None,  # the municipality's, set in __init__
        label=_("Committee"),
        empty_label=None,
    )
    date = forms.DateField(
        label=_("Meeting date"),
        widget=DateInput,
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        help_text=_("For example 2024-03-31. The report shows every status as it was that day."),
    )
    previous = forms.DateField(
        label=_("Compare with (optional)"),
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        help_text=_(
            "Default: the committee's previous meeting with a recorded decision, "
            "otherwise 90 days earlier."
        ),
    )

    annex = forms.BooleanField(
        label=_("Include the annex with every recommendation"),
        required=False,
        help_text=_(
            "The annex lists every recommendation of the municipality's own reports with its "
            "status; for a large municipality it runs to many pages."
        ),
    )

    def __init__(self, data=None, *, municipality):
        super().__init__(data)
        body = self.fields["body"]
        assert isinstance(body, forms.ModelChoiceField)
        body.queryset = bodies_for(municipality)

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # a Form's clean() returns its cleaned_data
        day, previous = cleaned.get("date"), cleaned.get("previous")
        if day and day > datetime.date(2100, 12, 31):
            self.add_error("date", _("Choose a date before the year 2101."))
        if day and previous and previous >= day:
            self.add_error("previous", _("The comparison date must be before the meeting date."))
        return cleaned
