from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Municipality


class StaffingImportForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX: aggregated rows or an anonymised staff list.")
    )
    date = forms.DateField(
        label=_("Snapshot date"),
        required=False,
        help_text=_("For a staff list: the date the staff are counted on (e.g. 2023-01-01)."),
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            field = self.fields["municipality"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = municipalities
            if municipalities.count() == 1:
                field.initial = municipalities.first()
