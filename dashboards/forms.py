"""The meeting report's choice of committee and dates (a GET form: the report can be bookmarked)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DanishDateField
from organizations.models import Body

from .meeting_report import bodies_for


class MeetingReportForm(forms.Form):
    body: "forms.ModelChoiceField[Body]" = forms.ModelChoiceField(
        queryset=None,  # the municipality's, set in __init__
        label=_("Committee"),
        empty_label=None,
    )
    # Today by default: the report is usually printed for the coming meeting, and the model knows
    # no future meeting dates (a council decision records a meeting after it was held).
    date = DanishDateField(
        label=_("Meeting date"),
        initial=timezone.localdate,
        help_text=_(
            "As dd.mm.yyyy, for example 31.03.2024. The report shows every status as it was "
            "that day."
        ),
    )
    previous = DanishDateField(
        label=_("Compare with (optional)"),
        required=False,
        help_text=_(
            "As dd.mm.yyyy. Default: the committee's previous meeting with a recorded decision, "
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
