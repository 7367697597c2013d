from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Status


class StatusChangeForm(forms.Form):
    """One status change. ``version`` is the recommendation's version when the form was opened."""

    status = forms.ModelChoiceField(label=_("New status"), queryset=Status.objects.all())
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to keep the progress or use the status's default."),
    )
    effective_on = forms.DateField(
        label=_("Date"),
        initial=timezone.localdate,
        help_text=_("When the change took effect (not in the future)."),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Why the status changed. Required for “Forsinket” and “Fravalgt”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, rollup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if rollup:
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = _("Computed from the sub-items.")

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of a status change cannot be in the future."))
        return day


class BulkStatusForm(forms.Form):
    status = forms.ModelChoiceField(label=_("New status"), queryset=Status.objects.all())
    effective_on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RecommendationAdminForm(forms.ModelForm):
    """The content form carries the version it was opened on; a save on an older one is refused."""

    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_seen"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            seen = cleaned.get("version_seen")
            # The admin validates and saves in one transaction: the row lock holds until the save.
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if seen is None or seen != current:
                raise forms.ValidationError(
                    _(
                        "This recommendation was changed by someone else after you opened it. "
                        "Nothing was saved: reload the page to see the change, then try again."
                    ),
                    code="stale",
                )
        return cleaned


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX, first sheet."),
    )
